import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../../../src/cli/command';
import { createRegistry } from '../../../src/cli/commands';
import { runCli } from '../../../src/cli/run';
import { InputError } from '../../../src/core/errors';

const repo = join(__dirname, '..', '..', '..');
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], registry = createRegistry()): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: repo, env: {} };
  const code = await runCli(argv, io, registry);
  return { code, stdout, stderr };
}

/** Exactly one JSON document on stdout, or the test fails. */
function onlyJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** A registry with commands that exercise each exit path, as later features will. */
function registryWith(...commands: CliCommand[]) {
  const registry = createRegistry();
  for (const c of commands) registry.register(c);
  return registry;
}

const gate: CliCommand = {
  name: 'gate',
  summary: 'fails its gate when --fail is given',
  usage: ['gate [--fail]'],
  options: { fail: { type: 'boolean', description: 'fail the gate' }, limit: { type: 'string', value: 'N', description: 'a limit' } },
  positionals: { min: 0, max: Infinity, name: 'files' },
  async run({ options, positionals, json }) {
    const failed = options.fail === true;
    return { exitCode: failed ? ExitCode.gateFailed : ExitCode.ok, json: { failed, files: positionals, limit: options.limit ?? null, json }, text: failed ? 'gate failed' : 'gate passed' };
  },
};

const reader: CliCommand = {
  name: 'read',
  summary: 'throws an InputError like a file reader does',
  usage: ['read <file>'],
  positionals: { min: 1, max: 1, name: 'file' },
  async run({ positionals }) {
    throw new InputError({ file: positionals[0] ?? '?', line: 7, column: 3 }, 'unexpected token');
  },
};

const crasher: CliCommand = {
  name: 'crash',
  summary: 'has a bug',
  usage: ['crash'],
  async run() {
    throw new TypeError('cannot read properties of undefined');
  },
};

/** Every `agentops` command, in the order help lists them (alphabetical). */
const commandNames = ['abort', 'collect', 'deploy', 'help', 'history', 'promote', 'report', 'resume', 'rollback', 'route', 'status', 'tokens', 'trace', 'validate', 'version'];

describe('cli', () => {
  describe('help and version', () => {
    it('--help lists every command and the exit codes', async () => {
      const r = await cli(['--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage: agentops <command> \[options\]/);
      assert.match(r.stdout, /^ {2}help +Show the commands/m);
      assert.match(r.stdout, /^ {2}version +Print the version/m);
      assert.match(r.stdout, /Exit codes: 0 success, 1 a gate failed, 2 bad usage or unreadable input/);
      assert.equal(r.stderr, '');
    });

    it('--version and version print the package version', async () => {
      for (const argv of [['--version'], ['-V'], ['version']]) {
        const r = await cli(argv);
        assert.equal(r.code, 0);
        assert.equal(r.stdout, `agentops ${version}\n`);
      }
    });

    it('help <command> shows that command, as text and as JSON', async () => {
      const registry = registryWith(gate);
      const text = await cli(['help', 'gate'], registry);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /agentops gate \[--fail\]/);
      assert.match(text.stdout, /--limit N +a limit/);
      const json = onlyJson((await cli(['help', 'gate', '--json'], registry)).stdout);
      assert.equal(json.name, 'gate');
      assert.deepEqual(json.usage, ['agentops gate [--fail]']);
      assert.equal(onlyJson((await cli(['gate', '--help', '--json'], registry)).stdout).name, 'gate');
    });
  });

  describe('--json', () => {
    it('prints exactly one JSON document, wherever the flag stands', async () => {
      for (const argv of [['--json', 'version'], ['version', '--json'], ['--version', '--json']]) {
        const r = await cli(argv);
        assert.equal(r.code, 0);
        const doc = onlyJson(r.stdout);
        assert.equal(doc.version, version);
        assert.match(String(doc.node), /^v\d+/);
      }
      const help = onlyJson((await cli(['help', '--json'])).stdout);
      assert.deepEqual(
        (help.commands as { name: string }[]).map((c) => c.name),
        commandNames,
      );
      assert.deepEqual(help.exitCodes, { ok: 0, gateFailed: 1, badInput: 2 });
    });

    it('reports errors as one JSON document too, with the message on stderr', async () => {
      const r = await cli(['--json', 'nope']);
      assert.equal(r.code, 2);
      assert.deepEqual(onlyJson(r.stdout), { error: { kind: 'usage', message: "unknown command 'nope'", commands: commandNames } });
      assert.match(r.stderr, /unknown command 'nope'/);
    });
  });

  describe('exit codes', () => {
    it('0 when a gate passes, 1 when it fails', async () => {
      const registry = registryWith(gate);
      assert.equal((await cli(['gate', 'a', 'b'], registry)).code, 0);
      const failed = await cli(['gate', '--fail', '--json', '--limit', '3'], registry);
      assert.equal(failed.code, 1);
      assert.deepEqual(onlyJson(failed.stdout), { failed: true, files: [], limit: '3', json: true });
    });

    it('2 for an unknown command, with the list of commands', async () => {
      const r = await cli(['deploy-everything']);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^agentops: unknown command 'deploy-everything'\nCommands: ${commandNames.join(', ')}\\.`));
    });

    it('2 with help on stderr when no command is given', async () => {
      const r = await cli([]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no command given/);
      assert.match(r.stderr, /Usage: agentops <command>/);
    });

    it('2 for unknown options, a missing value, extra or missing arguments', async () => {
      const registry = registryWith(gate, reader);
      const cases: [string[], RegExp][] = [
        [['version', '--bogus'], /unknown option '--bogus'/],
        [['gate', '--limit'], /--limit/],
        [['version', 'extra'], /takes no arguments, got: extra/],
        [['read'], /missing file/],
        [['read', 'a', 'b'], /too many arguments: a b/],
        [['--frobnicate'], /expected a command before '--frobnicate'/],
      ];
      for (const [argv, message] of cases) {
        const r = await cli(argv, registry);
        assert.equal(r.code, 2, argv.join(' '));
        assert.match(r.stderr, message, argv.join(' '));
      }
    });

    it('2 for unreadable input, naming the file, line and column', async () => {
      const registry = registryWith(reader);
      const r = await cli(['read', 'trace.jsonl'], registry);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'agentops: trace.jsonl:7:3: unexpected token\n');
      const json = await cli(['read', 'trace.jsonl', '--json'], registry);
      assert.deepEqual(onlyJson(json.stdout), { error: { kind: 'input', message: 'unexpected token', file: 'trace.jsonl', line: 7, column: 3 } });
    });

    it('never throws on a bug: it reports an internal error', async () => {
      const r = await cli(['crash'], registryWith(crasher));
      assert.equal(r.code, 2);
      assert.match(r.stderr, /internal error: TypeError: cannot read properties of undefined/);
    });

    it('refuses to register a command twice', () => {
      assert.throws(() => registryWith(gate, gate), /registered twice: gate/);
    });

    it('UsageError remembers its command for the help hint', async () => {
      const registry = registryWith({ ...gate, name: 'strict', run: () => Promise.reject(new UsageError('--limit must be a number', 'strict')) });
      const r = await cli(['strict'], registry);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "agentops: --limit must be a number\nRun 'agentops help strict' for usage.\n");
    });
  });

  describe('the agentops process', () => {
    const run = promisify(execFile);
    const main = join(repo, 'src', 'cli', 'main.ts');
    const node = (args: string[]) => run(process.execPath, ['--import', 'tsx', main, ...args], { cwd: repo });

    it('exits 0 with --version on stdout', async () => {
      const { stdout } = await node(['--version']);
      assert.equal(stdout, `agentops ${version}\n`);
    });

    it('exits 2 for an unknown command, with nothing on stdout', async () => {
      await assert.rejects(node(['nope']), (err: { code?: number; stdout?: string; stderr?: string }) => {
        assert.equal(err.code, 2);
        assert.equal(err.stdout, '');
        assert.match(err.stderr ?? '', /unknown command 'nope'/);
        return true;
      });
    });
  });
});
