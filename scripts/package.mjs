// npm run package: production build, then agent-ops-<version>.vsix with @vscode/vsce.
// Prints the VSIX's size and file list, and fails if anything outside the allowlist got in.
//   node scripts/package.mjs [--out FILE]
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : `${pkg.name}-${pkg.version}.vsix`);

// What a user's VS Code needs and reads; anything else in the VSIX is a packaging bug.
const allowed = [
  /^extension\/package\.json$/,
  /^extension\/package\.nls(\.[\w-]+)?\.json$/,
  /^extension\/(readme|changelog)\.md$/i,
  /^extension\/LICENSE(\.txt)?$/i,
  /^extension\/dist\/(extension|cli)\.js$/,
  /^extension\/dist\/webview\/[\w-]+\.js$/,
  /^extension\/dist\/lazy\/[\w-]+\.js$/,
  /^extension\/dist\/wasm\/[\w-]+\.wasm$/,
  /^extension\/media\/[\w.-]+\.(png|css|ttf|woff2?)$/,
  /^extension\/l10n\/bundle\.l10n(\.[\w-]+)?\.json$/,
  /^extension\/schemas\/agentops\.schema\.json$/,
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
];

execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });
const vsce = require.resolve('@vscode/vsce/vsce');
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });

const entries = listZip(readFileSync(out));
const size = statSync(out).size;
console.log(`\n${out}\n${formatBytes(size)}, ${entries.length} files:`);
const width = Math.max(...entries.map((e) => e.name.length));
for (const e of entries) console.log(`  ${e.name.padEnd(width)}  ${formatBytes(e.size).padStart(9)}`);
const stray = entries.filter((e) => !allowed.some((re) => re.test(e.name)));
if (stray.length > 0) {
  console.error(`\nNot in the allowlist (fix .vscodeignore or scripts/package.mjs):\n${stray.map((e) => `  ${e.name}`).join('\n')}`);
  process.exit(1);
}

/** Reads a zip's central directory: names and uncompressed sizes. */
function listZip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${out}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${out}: corrupt central directory`);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    files.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

function formatBytes(n) {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`;
}
