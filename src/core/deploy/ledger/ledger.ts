import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { openDriver, type DriverChoice, type SqlDriver, type SqlRow, type SqlStatement, type SqlValue } from './driver';
import { DeployConflictError, DeployNotFoundError, IdempotencyKeyMismatchError, IllegalTransitionError, LedgerError, StaleStatusError } from './errors';
import { inFlightStatuses, migrate } from './schema';
import type {
  BeganDeploy,
  BeginDeploy,
  CurrentVersion,
  Deploy,
  DeployOwner,
  DeployStatus,
  EnvironmentStatus,
  GuardCheck,
  GuardCheckInput,
  InFlightStatus,
  LedgerEvent,
  ReconcileOptions,
  ReconcileResult,
  TransitionFields,
  Weights,
} from './types';

/** `.agentops/ledger.sqlite` under the workspace root. */
export function defaultLedgerPath(workspaceRoot: string): string {
  return join(workspaceRoot, '.agentops', 'ledger.sqlite');
}

/** Which status may follow which. Terminal statuses have none. */
export const transitions: Readonly<Record<DeployStatus, readonly DeployStatus[]>> = {
  pending: ['in-progress', 'paused', 'succeeded', 'failed', 'aborted', 'interrupted'],
  'in-progress': ['paused', 'succeeded', 'failed', 'rolled-back', 'aborted', 'interrupted'],
  paused: ['in-progress', 'succeeded', 'failed', 'rolled-back', 'aborted', 'interrupted'],
  succeeded: [],
  failed: [],
  'rolled-back': [],
  aborted: [],
  interrupted: [],
};

export function isInFlight(status: DeployStatus): status is InFlightStatus {
  return (inFlightStatuses as readonly string[]).includes(status);
}

export interface LedgerOptions {
  /** Which binding: `auto` (default) tries better-sqlite3, then node:sqlite. */
  driver?: DriverChoice;
  busyTimeoutMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /** Recorded as the owner of deploys this process begins. Default: this process. */
  owner?: { pid: number; host: string };
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 26 characters: 10 of milliseconds since the epoch, 16 random; sorts by creation time. */
export function newDeployId(now = Date.now()): string {
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = crockford[t % 32] + time;
  const bytes = randomBytes(16);
  let rand = '';
  for (const b of bytes) rand += crockford[b % 32];
  return time + rand;
}

const inFlightList = inFlightStatuses.map((s) => `'${s}'`).join(', ');

/**
 * The deploy ledger: what was deployed where, by whom, every step, every guard check. One SQLite
 * file shared by every VS Code window and CLI process of a workspace; every write is one
 * `BEGIN IMMEDIATE` transaction, so a process killed at any point leaves it consistent.
 */
export class Ledger {
  private readonly statements = new Map<string, SqlStatement>();
  private readonly clock: () => Date;
  private readonly owner: { pid: number; host: string };

  private constructor(
    readonly file: string,
    readonly db: SqlDriver,
    options: LedgerOptions,
  ) {
    this.clock = options.now ?? (() => new Date());
    this.owner = options.owner ?? { pid: process.pid, host: hostname() };
  }

  /** Opens (creating the folder and file, migrating the schema) a ledger file. */
  static async open(file: string, options: LedgerOptions = {}): Promise<Ledger> {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = await openDriver(file, options.driver ?? 'auto', options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
    try {
      migrate(db, file);
    } catch (err) {
      db.close();
      throw err;
    }
    return new Ledger(file, db, options);
  }

  get driverName(): SqlDriver['name'] {
    return this.db.name;
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  // ── writes ────────────────────────────────────────────────────────────────

  /**
   * Records a new deploy as `pending`, owned by this process. With an idempotency key already in
   * the ledger, returns that deploy (`reused: true`) and writes nothing. Throws DeployConflictError
   * when the environment has a deploy in flight (dry runs never conflict).
   */
  begin(input: BeginDeploy): BeganDeploy {
    return this.db.immediate(() => {
      if (input.idempotencyKey !== undefined) {
        const row = this.stmt('SELECT * FROM deploys WHERE idempotency_key = ?').get(input.idempotencyKey);
        if (row) {
          const existing = toDeploy(row);
          if (existing.environment !== input.environment || existing.version !== input.version || existing.kind !== (input.kind ?? 'deploy')) {
            throw new IdempotencyKeyMismatchError(input.idempotencyKey, existing);
          }
          return { ...existing, reused: true };
        }
      }
      if (!input.dryRun) {
        const running = this.inFlight(input.environment);
        if (running) throw new DeployConflictError(running);
      }
      const now = this.now();
      const id = newDeployId(Date.parse(now));
      const previousVersion = input.previousVersion ?? this.current(input.environment).current?.version;
      try {
        this.stmt(
          `INSERT INTO deploys (id, idempotency_key, environment, kind, version, previous_version, strategy, weights, status,
             target_ref, actor, reason, dry_run, created_at, updated_at, owner_pid, owner_host, heartbeat_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          input.idempotencyKey ?? null,
          input.environment,
          input.kind ?? 'deploy',
          input.version,
          previousVersion ?? null,
          input.strategy,
          JSON.stringify(input.weights ?? {}),
          input.targetRef ?? null,
          input.actor,
          input.reason ?? null,
          input.dryRun ? 1 : 0,
          now,
          now,
          this.owner.pid,
          this.owner.host,
          now,
        );
      } catch (err) {
        // The partial unique index is the last word even if the check above were bypassed.
        const running = isUniqueViolation(err) ? this.inFlight(input.environment) : undefined;
        if (running) throw new DeployConflictError(running);
        throw err;
      }
      this.insertEvent(id, now, 'created', {
        kind: input.kind ?? 'deploy',
        version: input.version,
        previousVersion: previousVersion ?? null,
        strategy: input.strategy,
        weights: input.weights ?? {},
        dryRun: Boolean(input.dryRun),
        actor: input.actor,
        reason: input.reason ?? null,
        owner: this.owner,
      });
      return { ...this.mustGet(id), reused: false };
    });
  }

  /** Appends one event to a deploy's log (seq is the next integer). */
  appendEvent(deployId: string, kind: string, data?: unknown): LedgerEvent {
    return this.db.immediate(() => {
      this.mustGet(deployId);
      const at = this.now();
      const seq = this.insertEvent(deployId, at, kind, data);
      return { deployId, seq, at, kind, ...(data === undefined ? {} : { data }) };
    });
  }

  /** Records one guard check of a deploy. */
  recordCheck(deployId: string, check: GuardCheckInput): GuardCheck {
    return this.db.immediate(() => {
      this.mustGet(deployId);
      const at = this.now();
      const r = this.stmt(
        `INSERT INTO guard_checks (deploy_id, at, step, weight, samples, errors, error_rate, latency_ms, verdict, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        deployId,
        at,
        check.step ?? null,
        check.weight ?? null,
        check.samples ?? null,
        check.errors ?? null,
        check.errorRate ?? null,
        check.latencyMs ?? null,
        check.verdict,
        check.detail ?? null,
      );
      return { ...check, id: Number(r.lastInsertRowid), deployId, at };
    });
  }

  /** Sets the traffic split of an in-flight deploy (convergent: the new split, not a delta), with a `weights` event. */
  setWeights(deployId: string, weights: Weights): Deploy {
    return this.db.immediate(() => {
      const now = this.now();
      const r = this.stmt(`UPDATE deploys SET weights = ?, updated_at = ? WHERE id = ? AND status IN (${inFlightList})`).run(JSON.stringify(weights), now, deployId);
      if (r.changes === 0) throw new StaleStatusError(this.mustGet(deployId), inFlightStatuses);
      this.insertEvent(deployId, now, 'weights', { weights });
      return this.mustGet(deployId);
    });
  }

  /**
   * Compare-and-set on status: moves the deploy to `to` only if it is in one of `from`, sets
   * `fields`, and appends a `status` event. Throws IllegalTransitionError for a move the state
   * machine forbids and StaleStatusError when the deploy is no longer in `from`.
   */
  transition(deployId: string, from: DeployStatus | readonly DeployStatus[], to: DeployStatus, fields: TransitionFields = {}): Deploy {
    const expected = typeof from === 'string' ? [from] : [...from];
    if (expected.length === 0) throw new LedgerError('transition: `from` lists no status');
    for (const f of expected) if (!transitions[f].includes(to)) throw new IllegalTransitionError(f, to);
    return this.db.immediate(() => {
      const before = this.mustGet(deployId);
      if (!expected.includes(before.status)) throw new StaleStatusError(before, expected);
      const now = this.now();
      const sets = ['status = ?', 'updated_at = ?'];
      const params: SqlValue[] = [to, now];
      const set = (column: string, value: SqlValue): void => {
        sets.push(`${column} = ?`);
        params.push(value);
      };
      if (!isInFlight(to)) set('finished_at', now);
      if (fields.weights !== undefined) set('weights', JSON.stringify(fields.weights));
      if (fields.engineRevision !== undefined) set('engine_revision', fields.engineRevision);
      if (fields.targetRef !== undefined) set('target_ref', fields.targetRef);
      if (fields.error !== undefined) set('error', fields.error);
      const r = this.db
        .prepare(`UPDATE deploys SET ${sets.join(', ')} WHERE id = ? AND status = ?`)
        .run(...params, deployId, before.status);
      if (r.changes !== 1) throw new StaleStatusError(this.mustGet(deployId), expected);
      this.insertEvent(deployId, now, 'status', { from: before.status, to, ...fields });
      return this.mustGet(deployId);
    });
  }

  /** Says this process owns the in-flight deploy and is alive (call it every few seconds while driving it). */
  heartbeat(deployId: string): Deploy {
    return this.db.immediate(() => {
      const r = this.stmt(`UPDATE deploys SET owner_pid = ?, owner_host = ?, heartbeat_at = ? WHERE id = ? AND status IN (${inFlightList})`).run(
        this.owner.pid,
        this.owner.host,
        this.now(),
        deployId,
      );
      if (r.changes === 0) throw new StaleStatusError(this.mustGet(deployId), inFlightStatuses);
      return this.mustGet(deployId);
    });
  }

  /** Heartbeats every `intervalMs` until the returned function is called (the timer never keeps the process alive). */
  keepAlive(deployId: string, intervalMs = 5000): () => void {
    const timer = setInterval(() => {
      try {
        this.heartbeat(deployId);
      } catch {
        clearInterval(timer);
      }
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Finds in-flight deploys whose owner process is gone and marks them `interrupted`, each with
   * an `interrupted` event holding its exact last state (status, weights, last event, last check,
   * owner). Never deletes or guesses: a live owner's deploy is left alone.
   */
  reconcile(options: ReconcileOptions = {}): ReconcileResult {
    const staleAfterMs = options.staleAfterMs ?? 10 * 60_000;
    const isAlive = options.isAlive ?? ((owner: DeployOwner) => defaultIsAlive(owner, this.owner, staleAfterMs, this.clock()));
    const result: ReconcileResult = { interrupted: [], running: [] };
    const candidates = this.stmt(`SELECT * FROM deploys WHERE status IN (${inFlightList}) ORDER BY rowid`).all().map(toDeploy);
    for (const deploy of candidates) {
      const keep = (deploy.status === 'paused' && !options.includePaused) || (deploy.owner !== undefined && isAlive(deploy.owner, deploy));
      if (keep) {
        result.running.push(deploy);
        continue;
      }
      const marked = this.db.immediate(() => {
        const now = this.stmt('SELECT * FROM deploys WHERE id = ?').get(deploy.id);
        const current = now && toDeploy(now);
        // Someone else finished, or a new heartbeat arrived, since we looked: not ours to touch.
        if (!current || current.status !== deploy.status || current.owner?.heartbeatAt !== deploy.owner?.heartbeatAt) return undefined;
        const at = this.now();
        const lastEvent = this.events(deploy.id).at(-1);
        const lastCheck = this.stmt('SELECT * FROM guard_checks WHERE deploy_id = ? ORDER BY id DESC LIMIT 1').get(deploy.id);
        const owner = current.owner ? `process ${current.owner.pid} on ${current.owner.host} (last heartbeat ${current.owner.heartbeatAt})` : 'an unknown process';
        const error = `interrupted: ${owner} is gone while the deploy was ${current.status}`;
        this.stmt('UPDATE deploys SET status = ?, updated_at = ?, finished_at = ?, error = ? WHERE id = ? AND status = ?').run(
          'interrupted',
          at,
          at,
          error,
          deploy.id,
          current.status,
        );
        this.insertEvent(deploy.id, at, 'interrupted', {
          from: current.status,
          weights: current.weights,
          engineRevision: current.engineRevision ?? null,
          targetRef: current.targetRef ?? null,
          owner: current.owner ?? null,
          lastEvent: lastEvent ?? null,
          lastCheck: lastCheck ? toCheck(lastCheck) : null,
          reconciledBy: this.owner,
        });
        return this.mustGet(deploy.id);
      });
      if (marked) result.interrupted.push(marked);
    }
    return result;
  }

  // ── reads ─────────────────────────────────────────────────────────────────

  get(deployId: string): Deploy | undefined {
    const row = this.stmt('SELECT * FROM deploys WHERE id = ?').get(deployId);
    return row && toDeploy(row);
  }

  /** The environment's in-flight real deploy, if any. */
  inFlight(environment: string): Deploy | undefined {
    const row = this.stmt(`SELECT * FROM deploys WHERE environment = ? AND status IN (${inFlightList}) AND dry_run = 0`).get(environment);
    return row && toDeploy(row);
  }

  /** Newest first. */
  history(environment: string, limit = 50): Deploy[] {
    return this.stmt('SELECT * FROM deploys WHERE environment = ? ORDER BY rowid DESC LIMIT ?').all(environment, limit).map(toDeploy);
  }

  events(deployId: string): LedgerEvent[] {
    return this.stmt('SELECT * FROM events WHERE deploy_id = ? ORDER BY seq').all(deployId).map(toEvent);
  }

  checks(deployId: string): GuardCheck[] {
    return this.stmt('SELECT * FROM guard_checks WHERE deploy_id = ? ORDER BY id').all(deployId).map(toCheck);
  }

  environments(): string[] {
    return this.stmt('SELECT DISTINCT environment FROM deploys ORDER BY environment').all().map((r) => String(r.environment));
  }

  /**
   * The current version is the last succeeded real deploy. The previous good one is the newest
   * succeeded deploy of another version that no later rollback moved away from (so rolling back
   * twice does not bounce back onto the version just rolled back).
   */
  current(environment: string): CurrentVersion {
    const succeeded = this.stmt("SELECT * FROM deploys WHERE environment = ? AND status = 'succeeded' AND dry_run = 0 ORDER BY rowid DESC")
      .all(environment)
      .map(toDeploy);
    const [current, ...older] = succeeded;
    if (!current) return {};
    const rolledBackFrom = new Set<string>();
    if (current.kind === 'rollback' && current.previousVersion) rolledBackFrom.add(current.previousVersion);
    for (const d of older) {
      if (d.version !== current.version && !rolledBackFrom.has(d.version)) return { current, previousGood: d };
      if (d.kind === 'rollback' && d.previousVersion) rolledBackFrom.add(d.previousVersion);
    }
    return { current };
  }

  /** Per environment: current version, previous good one, weights and state. */
  status(): EnvironmentStatus[] {
    return this.environments().map((environment) => {
      const { current, previousGood } = this.current(environment);
      const inFlight = this.inFlight(environment);
      const last = this.history(environment, 1)[0];
      // An interrupted deploy left traffic where its last recorded weights say, until it is resumed or rolled back.
      const interrupted = !inFlight && last?.status === 'interrupted' ? last : undefined;
      return {
        environment,
        ...(current ? { current: current.version } : {}),
        ...(previousGood ? { previousGood: previousGood.version } : {}),
        weights: (inFlight ?? interrupted) ? (inFlight ?? (interrupted as Deploy)).weights : current ? { [current.version]: 100 } : {},
        state: inFlight ? (inFlight.status as InFlightStatus) : interrupted ? 'interrupted' : 'idle',
        ...(inFlight ? { inFlight } : {}),
        ...(last ? { last } : {}),
      };
    });
  }

  // ── internals ─────────────────────────────────────────────────────────────

  private now(): string {
    return this.clock().toISOString();
  }

  private stmt(sql: string): SqlStatement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private mustGet(deployId: string): Deploy {
    const d = this.get(deployId);
    if (!d) throw new DeployNotFoundError(deployId);
    return d;
  }

  /** Inside a transaction: appends with the next seq. */
  private insertEvent(deployId: string, at: string, kind: string, data: unknown): number {
    const seq = Number(this.stmt('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM events WHERE deploy_id = ?').get(deployId)?.seq);
    this.stmt('INSERT INTO events (deploy_id, seq, at, kind, data) VALUES (?, ?, ?, ?, ?)').run(deployId, seq, at, kind, data === undefined ? null : JSON.stringify(data));
    return seq;
  }
}

function defaultIsAlive(owner: DeployOwner, self: { pid: number; host: string }, staleAfterMs: number, now: Date): boolean {
  if (owner.host !== self.host) return now.getTime() - Date.parse(owner.heartbeatAt) < staleAfterMs;
  if (owner.pid === self.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed/i.test(err.message);
}

const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

function toDeploy(r: SqlRow): Deploy {
  const d: Deploy = {
    id: String(r.id),
    environment: String(r.environment),
    kind: r.kind === 'rollback' ? 'rollback' : 'deploy',
    version: String(r.version),
    strategy: String(r.strategy),
    weights: JSON.parse(String(r.weights)) as Weights,
    status: String(r.status) as DeployStatus,
    actor: String(r.actor),
    dryRun: Number(r.dry_run) === 1,
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
  const optional: [keyof Deploy, string | undefined][] = [
    ['idempotencyKey', str(r.idempotency_key)],
    ['previousVersion', str(r.previous_version)],
    ['targetRef', str(r.target_ref)],
    ['engineRevision', str(r.engine_revision)],
    ['reason', str(r.reason)],
    ['finishedAt', str(r.finished_at)],
    ['error', str(r.error)],
  ];
  for (const [key, value] of optional) if (value !== undefined) (d as unknown as Record<string, unknown>)[key] = value;
  if (r.owner_pid !== null && r.owner_pid !== undefined) {
    d.owner = { pid: Number(r.owner_pid), host: String(r.owner_host), heartbeatAt: String(r.heartbeat_at) };
  }
  return d;
}

function toEvent(r: SqlRow): LedgerEvent {
  const e: LedgerEvent = { deployId: String(r.deploy_id), seq: Number(r.seq), at: String(r.at), kind: String(r.kind) };
  if (r.data !== null && r.data !== undefined) e.data = JSON.parse(String(r.data)) as unknown;
  return e;
}

function toCheck(r: SqlRow): GuardCheck {
  const c: GuardCheck = { id: Number(r.id), deployId: String(r.deploy_id), at: String(r.at), verdict: String(r.verdict) as GuardCheck['verdict'] };
  const optional: [keyof GuardCheckInput, number | string | undefined][] = [
    ['step', num(r.step)],
    ['weight', num(r.weight)],
    ['samples', num(r.samples)],
    ['errors', num(r.errors)],
    ['errorRate', num(r.error_rate)],
    ['latencyMs', num(r.latency_ms)],
    ['detail', str(r.detail)],
  ];
  for (const [key, value] of optional) if (value !== undefined) (c as unknown as Record<string, unknown>)[key] = value;
  return c;
}
