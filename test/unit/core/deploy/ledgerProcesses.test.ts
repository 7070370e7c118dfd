import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadDeployConfig, type DeployConfig } from '../../../../src/core/deploy/config';
import { interruptedDeploy, resume } from '../../../../src/core/deploy/engine';
import { Ledger, isInFlight, type Deploy } from '../../../../src/core/deploy/ledger';
import { engineYaml, loggingTarget } from './engineCrashFixtures';
import { vscodeVersion } from '../../../harness/paths';

const child = resolve('test/unit/core/deploy/ledgerChild.ts');

interface Running {
  proc: ChildProcess;
  lines: unknown[];
  /** Resolves with the first stdout line. */
  firstLine: Promise<unknown>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** `node --import tsx ledgerChild.ts …`, collecting its JSON lines. */
function run(args: string[], node = process.execPath): Running {
  const proc = spawn(node, ['--import', 'tsx', child, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: unknown[] = [];
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const firstLine = new Promise<unknown>((res, rej) => {
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const value = JSON.parse(line) as unknown;
      lines.push(value);
      if (lines.length === 1) res(value);
    });
    proc.on('exit', () => rej(new Error(`child exited before printing anything: ${stderr}`)));
  });
  firstLine.catch(() => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((res) => proc.on('exit', (code, signal) => res({ code, signal, stderr })));
  return { proc, lines, firstLine, exited };
}

describe('deploy ledger across processes', function () {
  this.timeout(40_000);
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentops-ledger-proc-'));
    file = join(dir, '.agentops', 'ledger.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('two processes deploying to one environment at the same moment: exactly one proceeds, the other gets DeployConflictError', async () => {
    // Create the file first so both racers time only begin(), not the schema migration.
    (await Ledger.open(file)).close();
    for (const round of [0, 1]) {
      const racers = [run(['race', file, `prod-${round}`]), run(['race', file, `prod-${round}`])];
      await Promise.all(racers.map((r) => r.firstLine));
      for (const r of racers) r.proc.stdin?.end('go\n');
      const results = await Promise.all(
        racers.map(async (r) => {
          const { code, stderr } = await r.exited;
          assert.equal(code, 0, stderr);
          return r.lines[1];
        }),
      );
      const typed = results as { ok: boolean; id?: string; runningId?: string; message?: string }[];
      const winners = typed.filter((r) => r.ok);
      const losers = typed.filter((r) => !r.ok);
      assert.equal(winners.length, 1, JSON.stringify(results));
      assert.equal(losers.length, 1, JSON.stringify(results));
      assert.equal(losers[0]?.runningId, winners[0]?.id);
      assert.match(losers[0]?.message ?? '', new RegExp(`environment "prod-${round}" already has deploy ${winners[0]?.id} in flight`));
    }
    const ledger = await Ledger.open(file);
    assert.equal(ledger.history('prod-0').length, 1);
    assert.equal(ledger.history('prod-1').length, 1);
    ledger.close();
  });

  it('kill -9 at random points: the ledger stays consistent and reconcile marks the dead deploys interrupted with their last event', async () => {
    const slots = 6;
    const waves = 5; // 30 kills
    let kills = 0;
    for (let wave = 0; wave < waves; wave++) {
      const children = Array.from({ length: slots }, (_, slot) => run(['crash', file, String(slot)]));
      await Promise.all(
        children.map(async (c, slot) => {
          // Wave 0, slot 0 may die while opening (creating the schema); the rest mid-write.
          if (wave === 0 && slot === 0) await new Promise((r) => setTimeout(r, 150 + Math.random() * 300));
          else await c.firstLine.catch(() => undefined);
          await new Promise((r) => setTimeout(r, Math.random() * 500));
          c.proc.kill('SIGKILL');
          const { signal, code, stderr } = await c.exited;
          assert.ok(signal === 'SIGKILL' || code === null, `child exited on its own (${code}): ${stderr}`);
          kills++;
        }),
      );
    }
    assert.equal(kills, slots * waves);

    const ledger = await Ledger.open(file);
    assert.equal(ledger.db.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
    assert.deepEqual(ledger.db.prepare('PRAGMA foreign_key_check').all(), []);
    const all = ledger.environments().flatMap((env) => ledger.history(env, 10_000));
    assert.ok(all.length >= slots, `only ${all.length} deploys were written`);

    // Every deploy is finished, or in flight with a dead owner (so reconcilable); events are contiguous.
    const inFlightBefore = all.filter((d) => isInFlight(d.status));
    for (const d of all) {
      const events = ledger.events(d.id);
      assert.deepEqual(
        events.map((e) => e.seq),
        events.map((_, i) => i + 1),
        `events of ${d.id} are not contiguous`,
      );
      assert.equal(events[0]?.kind, 'created');
      if (!isInFlight(d.status)) assert.ok(d.finishedAt, `${d.id} is ${d.status} without finished_at`);
    }
    assert.ok(inFlightBefore.length <= slots, 'at most one in flight per environment');
    const lastBefore = new Map(inFlightBefore.map((d) => [d.id, ledger.events(d.id).at(-1)]));

    const result = ledger.reconcile();
    assert.deepEqual(result.running, []);
    assert.deepEqual(result.interrupted.map((d) => d.id).sort(), [...lastBefore.keys()].sort());
    for (const d of ledger.environments().flatMap((env) => ledger.history(env, 10_000))) {
      assert.ok(!isInFlight(d.status), `${d.id} still ${d.status} after reconcile`);
      if (d.status !== 'interrupted') continue;
      // Interrupted (now, or by a later child on the same slot): the final event holds the exact last state.
      const events = ledger.events(d.id);
      const final = events.at(-1);
      const previous = events.at(-2);
      assert.equal(final?.kind, 'interrupted');
      const data = final?.data as { from: string; lastEvent: { seq: number; kind: string; data?: unknown } };
      assert.ok(isInFlight(data.from as never));
      assert.deepEqual(data.lastEvent, previous, `interrupted event of ${d.id} does not hold its last event`);
      const expectedLast = lastBefore.get(d.id);
      if (expectedLast) assert.deepEqual(data.lastEvent, expectedLast);
    }
    const interruptedByChildren = all.filter((d) => d.status === 'interrupted').length;
    console.log(`      (${kills} kills, ${all.length} deploys, ${interruptedByChildren} interrupted by later children, ${result.interrupted.length} by the final reconcile)`);
    ledger.close();
  });

  it('kill -9 at random points across 100+ engine deploys: each dead one is interrupted with its recorded weights, the target was told at most one action more, resume finishes it', async function () {
    this.timeout(150_000);
    const log = join(dir, 'target.jsonl');
    const slots = 4;
    let kills = 0;
    const all = async (): Promise<Deploy[]> => {
      const l = await Ledger.open(file);
      try {
        return l.environments().flatMap((env) => l.history(env, 100_000));
      } finally {
        l.close();
      }
    };
    (await Ledger.open(file)).close();
    for (let wave = 0; wave < 60 && (kills < 40 || (await all()).length < 100); wave++) {
      const children = Array.from({ length: slots }, (_, slot) => run(['engine', file, String(slot), log]));
      await Promise.all(
        children.map(async (c) => {
          await c.firstLine.catch(() => undefined);
          await new Promise((r) => setTimeout(r, 10 + Math.random() * 200));
          c.proc.kill('SIGKILL');
          const { signal, code, stderr } = await c.exited;
          assert.equal(signal, 'SIGKILL', `child exited on its own (${code}): ${stderr}`);
          kills++;
        }),
      );
    }
    const deploys = await all();
    assert.ok(deploys.length >= 100, `only ${deploys.length} deploys`);

    const ledger = await Ledger.open(file);
    try {
      assert.equal(ledger.db.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
      const result = ledger.reconcile();
      assert.deepEqual(result.running, []);
      // What the target was told, per deploy (a kill mid-append leaves at most a half last line).
      const told = new Map<string, [string, number][]>();
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        let a: { deployId: string; action: string; weight: number };
        try {
          a = JSON.parse(line) as typeof a;
        } catch {
          continue;
        }
        told.set(a.deployId, [...(told.get(a.deployId) ?? []), [a.action, a.weight]]);
      }
      const byId = new Map(deploys.map((d) => [d.id, d]));
      let interrupted = 0;
      let resumedByChildren = 0;
      let oneAhead = 0;
      for (const before of deploys) {
        const d = ledger.get(before.id) as Deploy;
        assert.ok(!isInFlight(d.status), `${d.id} still ${d.status} after reconcile`);
        const events = ledger.events(d.id);
        assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
        const recorded = events.filter((e) => e.kind === 'action').map((e) => {
          const a = e.data as { action: string; weight: number };
          return [a.action, a.weight] as [string, number];
        });
        const sent = told.get(d.id) ?? [];
        // Every recorded action was sent, in order; a kill between the target's answer and the ledger write leaves one more.
        assert.deepEqual(sent.slice(0, recorded.length), recorded, `${d.id}: the ledger records actions the target was not told`);
        assert.ok(sent.length - recorded.length <= 1, `${d.id}: the target was told ${sent.length - recorded.length} actions the ledger does not have`);
        if (sent.length > recorded.length) oneAhead++;
        const lastWeights = events.filter((e) => e.kind === 'weights').at(-1)?.data as { weights: Record<string, number> } | undefined;
        if (d.status === 'succeeded') assert.deepEqual(recorded.at(-1), ['promote', 100]);
        if (d.status === 'interrupted') {
          interrupted++;
          const mark = events.at(-1);
          assert.equal(mark?.kind, 'interrupted');
          assert.deepEqual((mark?.data as { weights: unknown }).weights, lastWeights?.weights ?? d.weights);
        }
        const resumed = /^resumes interrupted deploy (\w+)/.exec(d.reason ?? '')?.[1];
        if (resumed && recorded.length > 0) {
          resumedByChildren++;
          const from = byId.get(resumed);
          assert.ok(from, `${d.id} resumes an unknown deploy ${resumed}`);
          const w = ledger.get(resumed)?.weights[from.version];
          // The resumed deploy first re-sends the weight its predecessor recorded (or starts over when it recorded none).
          assert.deepEqual(recorded[0], w === undefined ? ['deploy', 10] : ['set-weight', w]);
        }
      }
      // Resume what the last children left interrupted: each ends at 100% of its version.
      const config = loadDeployConfig(engineYaml, 'agentops.yaml').config as DeployConfig;
      const prod = config.environments.prod as DeployConfig['environments'][string];
      let finished = 0;
      for (let slot = 0; slot < slots; slot++) {
        const environment = `slot-${slot}`;
        const left = interruptedDeploy(ledger, environment);
        if (!left) continue;
        const o = await resume({
          config: { ...config, environments: { [environment]: { ...prod, name: environment, strategy: { type: 'canary', steps: [10, 25, 50, 75, 100], interval: 1 } } } },
          environment,
          actor: 'test',
          ledger,
          targets: () => loggingTarget(log),
          guard: async () => ({ verdict: 'pass', samples: 10, errors: 0, rate: 0, detail: 'ok' }),
          sleep: async () => undefined,
        });
        assert.equal(o.outcome, 'succeeded', o.reason);
        assert.equal(ledger.current(environment).current?.version, left.version);
        finished++;
      }
      console.log(`      (${kills} kills, ${deploys.length} deploys, ${interrupted} interrupted, ${resumedByChildren} resumed by later children, ${oneAhead} with the target one action ahead, ${finished} resumed at the end)`);
    } finally {
      ledger.close();
    }
  });

  it('a file written by better-sqlite3 (Node 20) reads in node:sqlite (Node 24), and the other way round', async function () {
    const cache = process.env.AGENTOPS_TEST_CACHE ? resolve(process.env.AGENTOPS_TEST_CACHE) : resolve('.cache');
    // `npm run test:unit` puts one in <cache>/node-24 (scripts/ensure-node24.mjs); the integration suite's serves too.
    const candidates = [join(cache, 'node-24'), join(cache, `vscode-server-${vscodeVersion}`)].map((root) => join(root, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node'));
    const node24 = candidates.find((p) => existsSync(p));
    if (!node24) {
      console.log(`      (skipped: no Node 24 at ${candidates.join(' or ')}; run npm run test:unit, or set AGENTOPS_TEST_CACHE to a cache with one)`);
      return this.skip();
    }
    const version = execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim();
    assert.match(version, /^v2[4-9]\./);

    const readWith = async (node: string, driver: string): Promise<unknown> => {
      const r = run(['read', file, driver], node);
      const { code, stderr } = await r.exited;
      assert.equal(code, 0, stderr);
      return r.lines[0];
    };
    const writeWith = async (node: string, driver: string): Promise<void> => {
      const r = run(['write', file, driver], node);
      const { code, stderr } = await r.exited;
      assert.equal(code, 0, stderr);
      assert.equal((r.lines[0] as { driver: string }).driver, driver);
    };
    // Node 24 creates the file (schema and all) with node:sqlite; Node 20 adds to it with better-sqlite3.
    await writeWith(node24, 'node:sqlite');
    await writeWith(process.execPath, 'better-sqlite3');
    const fromBetter = (await readWith(process.execPath, 'better-sqlite3')) as { driver: string; integrity: string; deploys: unknown[] };
    const fromNode = (await readWith(node24, 'node:sqlite')) as { driver: string; integrity: string; deploys: unknown[] };
    assert.equal(fromBetter.driver, 'better-sqlite3');
    assert.equal(fromNode.driver, 'node:sqlite');
    assert.equal(fromBetter.integrity, 'ok');
    assert.equal(fromBetter.deploys.length, 2);
    assert.deepEqual({ ...fromNode, driver: '' }, { ...fromBetter, driver: '' });
    // And what one driver wrote is exactly what was meant: spot-check a row written by node:sqlite.
    const ledger = await Ledger.open(file, { driver: 'better-sqlite3' });
    const [d] = ledger.history('written-by-node:sqlite');
    assert.equal(d?.status, 'succeeded');
    assert.equal(d?.engineRevision, '7');
    assert.deepEqual(d?.weights, { v1: 90, v2: 10 });
    const note = ledger.events(d?.id ?? '').find((e) => e.kind === 'note');
    assert.deepEqual(note?.data, { text: 'héllo', n: 2 ** 40 });
    assert.deepEqual(
      ledger.checks(d?.id ?? '').map((c) => [c.latencyMs, c.errorRate, c.detail]),
      [[812.5, 0.025, 'ü ✓']],
    );
    ledger.close();
  });
});
