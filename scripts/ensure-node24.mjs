// Before the unit tests: Node 24 in the git-ignored test cache, for the test that a ledger written by
// better-sqlite3 (the CLI, Node 20) reads with node:sqlite (the VS Code host, Node 24) and back.
// From the npm registry like the integration suite's VS Code server; best effort: without it that one
// test is skipped and says why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const override = process.env.AGENTOPS_TEST_CACHE;
const cache = override ? (isAbsolute(override) ? override : resolve(override)) : join(repo, '.cache');
const pkg = `node-${process.platform}-${process.arch}`;
const bin = (root) => join(root, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
const root = join(cache, 'node-24');

if (!existsSync(bin(root))) {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), '{ "name": "agent-ops-node-24", "private": true }\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--prefix', root, '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@24`], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(bin(root))) console.warn(`ensure-node24: could not install ${pkg}@24 into ${root}; the cross-driver ledger test will be skipped`);
}
