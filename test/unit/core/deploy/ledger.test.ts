import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeployConflictError,
  IdempotencyKeyMismatchError,
  IllegalTransitionError,
  Ledger,
  StaleStatusError,
  defaultLedgerPath,
  hasNodeSqlite,
  deployStatuses,
  newDeployId,
  schemaVersion,
  transitions,
  type BeginDeploy,
} from '../../../../src/core/deploy/ledger';

describe('deploy ledger', () => {
  let dir: string;
  let ledger: Ledger;
  const base: BeginDeploy = { environment: 'production', version: 'v2', strategy: 'canary', actor: 'ana@example.com' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentops-ledger-'));
    ledger = await Ledger.open(defaultLedgerPath(dir), { driver: 'better-sqlite3' });
  });
  afterEach(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A succeeded deploy of `version` (pending → in-progress → succeeded). */
  function ship(version: string, extra: Partial<BeginDeploy> = {}, environment = 'production') {
    const d = ledger.begin({ ...base, environment, version, ...extra });
    ledger.transition(d.id, 'pending', 'in-progress');
    return ledger.transition(d.id, 'in-progress', 'succeeded');
  }

  describe('file and schema', () => {
    it('creates .agentops/ledger.sqlite with WAL, a busy timeout, foreign keys and the schema version', () => {
      assert.ok(existsSync(join(dir, '.agentops', 'ledger.sqlite')));
      assert.equal(ledger.driverName, 'better-sqlite3');
      assert.equal(ledger.db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
      assert.equal(ledger.db.prepare('PRAGMA busy_timeout').get()?.timeout, 5000);
      assert.equal(ledger.db.prepare('PRAGMA foreign_keys').get()?.foreign_keys, 1);
      assert.equal(ledger.db.prepare('PRAGMA user_version').get()?.user_version, schemaVersion);
      const tables = ledger.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
      assert.deepEqual(tables, ['deploys', 'events', 'guard_checks']);
    });

    it('reopens an existing file without migrating again, and refuses a newer schema', async () => {
      const d = ledger.begin(base);
      ledger.close();
      ledger = await Ledger.open(defaultLedgerPath(dir));
      assert.equal(ledger.get(d.id)?.version, 'v2');
      ledger.db.exec(`PRAGMA user_version = ${schemaVersion + 1}`);
      await assert.rejects(Ledger.open(defaultLedgerPath(dir)), /schema version 2, newer than this Agent Ops understands/);
    });

    it('node:sqlite is loaded only on demand, and says why it cannot open on this Node', async function () {
      if (hasNodeSqlite()) this.skip();
      await assert.rejects(Ledger.open(join(dir, 'other.sqlite'), { driver: 'node:sqlite' }), /node:sqlite is not available in Node \d+\.\d+\.\d+ \(needs Node 22\.13 or later\)/);
      // `auto` on this Node is better-sqlite3.
      const auto = await Ledger.open(join(dir, 'auto.sqlite'));
      assert.equal(auto.driverName, 'better-sqlite3');
      auto.close();
    });

    it('makes sortable 26-character ids', () => {
      const a = newDeployId(1_700_000_000_000);
      const b = newDeployId(1_700_000_000_001);
      assert.match(a, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.ok(a < b);
    });
  });

  describe('begin and idempotency', () => {
    it('records a pending deploy owned by this process, with a created event', () => {
      ship('v1');
      const d = ledger.begin({ ...base, weights: { v1: 100, v2: 0 }, reason: 'new prompt', targetRef: 'deploy.sh', dryRun: false });
      assert.equal(d.reused, false);
      assert.equal(d.status, 'pending');
      assert.equal(d.previousVersion, 'v1');
      assert.deepEqual(d.weights, { v1: 100, v2: 0 });
      assert.equal(d.owner?.pid, process.pid);
      assert.equal(ledger.inFlight('production')?.id, d.id);
      const [created] = ledger.events(d.id);
      assert.equal(created?.seq, 1);
      assert.equal(created?.kind, 'created');
      assert.deepEqual((created?.data as { weights: unknown }).weights, { v1: 100, v2: 0 });
    });

    it('returns the existing deploy for a repeated idempotency key and writes nothing', () => {
      const first = ledger.begin({ ...base, idempotencyKey: 'k1' });
      const again = ledger.begin({ ...base, idempotencyKey: 'k1' });
      assert.equal(again.id, first.id);
      assert.equal(again.reused, true);
      assert.equal(ledger.history('production').length, 1);
      assert.equal(ledger.events(first.id).length, 1);
      // Still the same deploy after it finished: a retried command does not deploy twice.
      ledger.transition(first.id, 'pending', 'succeeded');
      assert.equal(ledger.begin({ ...base, idempotencyKey: 'k1' }).status, 'succeeded');
      assert.throws(() => ledger.begin({ ...base, version: 'v3', idempotencyKey: 'k1' }), IdempotencyKeyMismatchError);
    });

    it('refuses a second in-flight deploy in the same environment, naming the running one', () => {
      const running = ledger.begin(base);
      assert.throws(
        () => ledger.begin({ ...base, version: 'v3' }),
        (err: unknown) => err instanceof DeployConflictError && err.running.id === running.id && err.message.includes(running.id) && err.message.includes('production'),
      );
      // Other environments and dry runs are not blocked.
      assert.equal(ledger.begin({ ...base, environment: 'staging' }).status, 'pending');
      assert.equal(ledger.begin({ ...base, version: 'v3', dryRun: true }).dryRun, true);
      ledger.transition(running.id, 'pending', 'aborted');
      assert.equal(ledger.begin({ ...base, version: 'v3' }).status, 'pending');
    });

    it('enforces one in-flight deploy per environment in the database itself', () => {
      ledger.begin(base);
      const insert = (id: string) =>
        ledger.db
          .prepare(`INSERT INTO deploys (id, environment, version, strategy, status, actor, created_at, updated_at) VALUES (?, 'production', 'v9', 'direct', ?, 'x', 'now', 'now')`)
          .run(id, 'paused');
      assert.throws(() => insert('raw-1'), /UNIQUE constraint failed: deploys\.environment/);
    });
  });

  describe('transitions', () => {
    it('follows the state machine and sets finished_at on terminal statuses', () => {
      const d = ledger.begin(base);
      ledger.transition(d.id, 'pending', 'in-progress', { weights: { v1: 90, v2: 10 }, engineRevision: '3', targetRef: 'rollout/bot' });
      ledger.transition(d.id, 'in-progress', 'paused', { note: 'no data' });
      ledger.transition(d.id, 'paused', 'in-progress');
      const done = ledger.transition(d.id, 'in-progress', 'rolled-back', { error: 'error rate 0.09 > 0.05', weights: { v1: 100, v2: 0 } });
      assert.equal(done.status, 'rolled-back');
      assert.equal(done.engineRevision, '3');
      assert.equal(done.targetRef, 'rollout/bot');
      assert.equal(done.error, 'error rate 0.09 > 0.05');
      assert.deepEqual(done.weights, { v1: 100, v2: 0 });
      assert.ok(done.finishedAt);
      const statusEvents = ledger.events(d.id).filter((e) => e.kind === 'status').map((e) => e.data as { from: string; to: string });
      assert.deepEqual(
        statusEvents.map((e) => `${e.from}>${e.to}`),
        ['pending>in-progress', 'in-progress>paused', 'paused>in-progress', 'in-progress>rolled-back'],
      );
    });

    it('throws IllegalTransitionError for a move the state machine forbids, before touching the file', () => {
      const d = ledger.begin(base);
      assert.throws(() => ledger.transition(d.id, 'pending', 'rolled-back'), IllegalTransitionError);
      assert.throws(() => ledger.transition(d.id, 'succeeded', 'in-progress'), IllegalTransitionError);
      for (const status of deployStatuses) {
        if (['pending', 'in-progress', 'paused'].includes(status)) assert.ok(transitions[status].length > 0);
        else assert.deepEqual(transitions[status], [], `${status} is terminal`);
      }
      assert.equal(ledger.events(d.id).length, 1);
    });

    it('compare-and-set: a stale expected status throws StaleStatusError and changes nothing', () => {
      const d = ledger.begin(base);
      ledger.transition(d.id, 'pending', 'in-progress');
      assert.throws(
        () => ledger.transition(d.id, 'pending', 'aborted'),
        (err: unknown) => err instanceof StaleStatusError && err.deploy.status === 'in-progress',
      );
      assert.equal(ledger.get(d.id)?.status, 'in-progress');
      ledger.transition(d.id, 'in-progress', 'succeeded');
      assert.throws(() => ledger.setWeights(d.id, { v2: 50 }), StaleStatusError);
      assert.throws(() => ledger.heartbeat(d.id), StaleStatusError);
    });

    it('the database refuses to reopen a finished deploy or change its identity', () => {
      const d = ship('v1');
      assert.throws(() => ledger.db.prepare("UPDATE deploys SET status = 'in-progress' WHERE id = ?").run(d.id), /finished deploy cannot change status/);
      assert.throws(() => ledger.db.prepare("UPDATE deploys SET version = 'v9' WHERE id = ?").run(d.id), /identity never changes/);
      assert.throws(() => ledger.db.prepare('DELETE FROM deploys WHERE id = ?').run(d.id), /never deleted/);
    });
  });

  describe('events and checks', () => {
    it('events are append-only and contiguous, enforced by triggers', () => {
      const d = ledger.begin(base);
      assert.equal(ledger.appendEvent(d.id, 'step', { step: 1 }).seq, 2);
      assert.equal(ledger.appendEvent(d.id, 'note').seq, 3);
      assert.throws(() => ledger.db.prepare("UPDATE events SET kind = 'x' WHERE deploy_id = ?").run(d.id), /append-only/);
      assert.throws(() => ledger.db.prepare('DELETE FROM events WHERE deploy_id = ?').run(d.id), /append-only/);
      assert.throws(() => ledger.db.prepare("INSERT INTO events (deploy_id, seq, at, kind) VALUES (?, 5, 'now', 'gap')").run(d.id), /seq must follow/);
      assert.throws(() => ledger.db.prepare("INSERT INTO events (deploy_id, seq, at, kind) VALUES ('nope', 1, 'now', 'orphan')").run(), /FOREIGN KEY/);
      assert.deepEqual(
        ledger.events(d.id).map((e) => e.seq),
        [1, 2, 3],
      );
    });

    it('records guard checks (append-only) and rejects unknown verdicts', () => {
      const d = ledger.begin(base);
      const c = ledger.recordCheck(d.id, { step: 1, weight: 10, samples: 25, errors: 1, errorRate: 0.04, latencyMs: 640, verdict: 'pass' });
      ledger.recordCheck(d.id, { step: 2, weight: 50, samples: 0, verdict: 'no-data', detail: 'empty vector' });
      assert.deepEqual(
        ledger.checks(d.id).map((x) => [x.step, x.verdict, x.errorRate]),
        [
          [1, 'pass', 0.04],
          [2, 'no-data', undefined],
        ],
      );
      assert.throws(() => ledger.recordCheck(d.id, { verdict: 'maybe' as 'pass' }), /CHECK constraint failed/);
      assert.throws(() => ledger.db.prepare('UPDATE guard_checks SET verdict = ? WHERE id = ?').run('breach', c.id), /append-only/);
      assert.throws(() => ledger.recordCheck('missing', { verdict: 'pass' }), /no deploy with id missing/);
    });

    it('a failed write rolls back the whole transaction', () => {
      const d = ledger.begin(base);
      assert.throws(() =>
        ledger.db.immediate(() => {
          ledger.appendEvent(d.id, 'inside');
          throw new Error('boom');
        }),
      );
      assert.equal(ledger.events(d.id).length, 1);
    });
  });

  describe('history, current and status', () => {
    it('current is the last succeeded real deploy; previous good skips versions a rollback left', () => {
      ship('v1');
      ship('v2');
      const failed = ledger.begin({ ...base, version: 'v3' });
      ledger.transition(failed.id, 'pending', 'failed', { error: 'target exited 1' });
      ship('v4', { dryRun: true });
      assert.equal(ledger.current('production').current?.version, 'v2');
      assert.equal(ledger.current('production').previousGood?.version, 'v1');
      // Roll back v2 → v1: v1 is current, and v2 (rolled back from) is not "good".
      ship('v1', { kind: 'rollback' });
      const after = ledger.current('production');
      assert.equal(after.current?.version, 'v1');
      assert.equal(after.current?.previousVersion, 'v2');
      assert.equal(after.previousGood, undefined);
      assert.deepEqual(
        ledger.history('production', 3).map((d) => `${d.version}:${d.status}`),
        ['v1:succeeded', 'v4:succeeded', 'v3:failed'],
      );
    });

    it('status gives current, previous good, weights and state per environment', () => {
      ship('v1');
      ship('v2');
      ship('s1', {}, 'staging');
      const canary = ledger.begin({ ...base, version: 'v3', weights: { v2: 100, v3: 0 } });
      ledger.transition(canary.id, 'pending', 'in-progress');
      ledger.setWeights(canary.id, { v2: 75, v3: 25 });
      const status = ledger.status().map(({ inFlight: _i, last: _l, ...s }) => s);
      assert.deepEqual(status, [
        { environment: 'production', current: 'v2', previousGood: 'v1', weights: { v2: 75, v3: 25 }, state: 'in-progress' },
        { environment: 'staging', current: 's1', weights: { s1: 100 }, state: 'idle' },
      ]);
    });
  });

  describe('reconcile', () => {
    it('marks in-flight deploys of dead owners interrupted with their exact last state; keeps live and paused ones', async () => {
      ledger.close();
      const file = defaultLedgerPath(dir);
      const dead = await Ledger.open(file, { owner: { pid: 999_999_001, host: 'gone-host' } });
      const d = dead.begin({ ...base, weights: { v1: 100, v2: 0 } });
      dead.transition(d.id, 'pending', 'in-progress');
      dead.setWeights(d.id, { v1: 50, v2: 50 });
      dead.recordCheck(d.id, { step: 2, weight: 50, samples: 30, errors: 1, errorRate: 1 / 30, verdict: 'pass' });
      const last = dead.appendEvent(d.id, 'step', { step: 2, weight: 50 });
      const p = dead.begin({ ...base, environment: 'staging' });
      dead.transition(p.id, 'pending', 'paused', { note: 'no data' });
      dead.close();

      ledger = await Ledger.open(file);
      const live = ledger.begin({ ...base, environment: 'dev' });
      const result = ledger.reconcile({ isAlive: (owner) => owner.host !== 'gone-host' });
      assert.deepEqual(
        result.interrupted.map((x) => x.id),
        [d.id],
      );
      assert.deepEqual(result.running.map((x) => x.id).sort(), [p.id, live.id].sort());
      const interrupted = ledger.get(d.id);
      assert.equal(interrupted?.status, 'interrupted');
      assert.match(interrupted?.error ?? '', /process 999999001 on gone-host \(last heartbeat .*\) is gone while the deploy was in-progress/);
      const events = ledger.events(d.id);
      const final = events.at(-1);
      assert.equal(final?.kind, 'interrupted');
      const data = final?.data as { from: string; weights: unknown; lastEvent: { seq: number; kind: string; data: unknown }; lastCheck: { step: number } };
      assert.equal(data.from, 'in-progress');
      assert.deepEqual(data.weights, { v1: 50, v2: 50 });
      assert.deepEqual({ seq: data.lastEvent.seq, kind: data.lastEvent.kind, data: data.lastEvent.data }, { seq: last.seq, kind: 'step', data: { step: 2, weight: 50 } });
      assert.equal(data.lastCheck.step, 2);
      // The environment is free again; a second reconcile finds nothing new.
      assert.equal(ledger.inFlight('production'), undefined);
      assert.deepEqual(ledger.reconcile({ isAlive: (owner) => owner.host !== 'gone-host' }).interrupted, []);
      // Paused ones are interrupted only when asked.
      assert.deepEqual(
        ledger.reconcile({ isAlive: (owner) => owner.host !== 'gone-host', includePaused: true }).interrupted.map((x) => x.id),
        [p.id],
      );
    });

    it('by default, same host: an owner pid that no longer exists is gone; this process is alive', async () => {
      ledger.close();
      const file = defaultLedgerPath(dir);
      const { hostname } = await import('node:os');
      const ghost = await Ledger.open(file, { owner: { pid: 2 ** 22 + 12_345, host: hostname() } });
      const g = ghost.begin(base);
      ghost.close();
      ledger = await Ledger.open(file);
      const mine = ledger.begin({ ...base, environment: 'staging' });
      const result = ledger.reconcile();
      assert.deepEqual(
        result.interrupted.map((x) => x.id),
        [g.id],
      );
      assert.deepEqual(
        result.running.map((x) => x.id),
        [mine.id],
      );
    });

    it('by default, other hosts: a heartbeat older than staleAfterMs is gone', async () => {
      ledger.close();
      const file = defaultLedgerPath(dir);
      let now = new Date('2026-01-01T00:00:00Z');
      const remote = await Ledger.open(file, { owner: { pid: 42, host: 'other-machine' }, now: () => now });
      const r = remote.begin(base);
      now = new Date('2026-01-01T00:04:00Z');
      remote.heartbeat(r.id);
      remote.close();
      ledger = await Ledger.open(file, { now: () => new Date('2026-01-01T00:10:00Z') });
      assert.deepEqual(ledger.reconcile({ staleAfterMs: 10 * 60_000 }).interrupted, []);
      assert.deepEqual(
        ledger.reconcile({ staleAfterMs: 5 * 60_000 }).interrupted.map((x) => x.id),
        [r.id],
      );
    });
  });
});
