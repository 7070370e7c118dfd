// Checks package.json's contributions against the code (run by `npm run lint`):
// every contributed command is registered and every registered command is contributed,
// every command sits in the "Agent Ops" category with a localizable title,
// every setting has a description and a default, and activation never uses "*".
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const nls = JSON.parse(readFileSync('package.nls.json', 'utf8'));
const problems = [];

const contributed = pkg.contributes?.commands ?? [];
for (const c of contributed) {
  if (!/^agentOps\.\w+/.test(c.command)) problems.push(`command ${c.command}: ids start with "agentOps."`);
  if (c.category !== 'Agent Ops') problems.push(`command ${c.command}: category must be "Agent Ops"`);
  const key = /^%(.+)%$/.exec(c.title ?? '')?.[1];
  if (!key) problems.push(`command ${c.command}: title must be a %key% from package.nls.json`);
  else if (!(key in nls)) problems.push(`command ${c.command}: ${key} is missing from package.nls.json`);
}

// The ids the extension registers: every `registerCommand(CommandIds.x, …)` in src/extension.
const idTable = readFileSync('src/extension/commandIds.ts', 'utf8');
const idsByKey = new Map([...idTable.matchAll(/(\w+):\s*'(agentOps\.[\w.]+)'/g)].map((m) => [m[1], m[2]]));
const sources = walk('src/extension').filter((f) => f.endsWith('.ts')).map((f) => readFileSync(f, 'utf8')).join('\n');
const registered = new Set(
  [...sources.matchAll(/registerCommand\(\s*CommandIds\.(\w+)/g)].map((m) => {
    const id = idsByKey.get(m[1]);
    if (!id) problems.push(`registerCommand(CommandIds.${m[1]}): no such key in src/extension/commandIds.ts`);
    return id;
  }),
);
const contributedIds = new Set(contributed.map((c) => c.command));
for (const id of contributedIds) if (!registered.has(id)) problems.push(`command ${id} is contributed but never registered with registerCommand(CommandIds.…)`);
for (const id of registered) if (id && !contributedIds.has(id)) problems.push(`command ${id} is registered but not in contributes.commands`);

if ((pkg.activationEvents ?? []).includes('*')) problems.push('activationEvents must not contain "*"');

for (const section of [pkg.contributes?.configuration ?? []].flat()) {
  for (const [key, prop] of Object.entries(section.properties ?? {})) {
    if (!key.startsWith('agentOps.')) problems.push(`setting ${key}: settings start with "agentOps."`);
    if (!prop.description && !prop.markdownDescription) problems.push(`setting ${key}: needs a description`);
    if (!('default' in prop)) problems.push(`setting ${key}: needs a default`);
  }
}

if (problems.length > 0) {
  console.error(`package.json contributions:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`contributions ok: ${contributedIds.size} commands registered and contributed`);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
