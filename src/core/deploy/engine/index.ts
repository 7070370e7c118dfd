import { alertmanagerNotifier, type RollbackNotifier } from '../alerts';
import type { DeployConfig, EnvironmentConfig, Strategy, Target } from '../config';
import type { GuardFn, Verdict } from '../guard/index';
import { StaleStatusError } from '../ledger/errors';
import type { Ledger } from '../ledger/ledger';
import type { BeganDeploy, Deploy, DeployStatus, GuardCheck, Weights } from '../ledger/types';
import type { TargetActionKind, TargetDriver, TargetResult } from '../targets/types';

/**
 * The deploy engine: runs a strategy (direct, blue-green, canary, ab) against a target, step by
 * step, with every step written to the ledger before the next begins, so a process killed at any
 * point leaves a deploy whose last recorded state is what the target was last told. Guard checks
 * between canary steps: `consecutiveBreaches` breaches roll back; no data pauses or fails per
 * `onNoData` and never promotes (research/deploy.md 5.3).
 */

export interface EngineEvent {
  deployId: string;
  kind: 'action' | 'weights' | 'check' | 'wait' | 'status' | 'plan' | 'notify';
  message: string;
  data?: unknown;
}

export interface EngineBase {
  config: DeployConfig;
  ledger: Ledger;
  /** The driver of a target (createTarget(target, ctx) in production; fakes in tests). */
  targets: (target: Target) => TargetDriver;
  actor: string;
  reason?: string;
  signal?: AbortSignal;
  onEvent?: (e: EngineEvent) => void;
}

export interface RunDeployOptions extends EngineBase {
  environment: string;
  version: string;
  /** Default: the environment's strategy. */
  strategy?: Strategy;
  dryRun?: boolean;
  /** Same key → the deploy already recorded with it is returned, nothing is run again. */
  idempotencyKey?: string;
  /** One guard check; default: no guard (checks are skipped, steps advance on time alone). */
  guard?: GuardFn;
  clock?: () => Date;
  /** Waits `ms` (rejects when `signal` aborts). Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** How often the ledger heartbeat is written while driving a deploy; default 5 s. */
  heartbeatMs?: number;
  /**
   * Told of an automatic rollback (consecutive guard breaches, or no data with `onNoData: fail`). Default: an Alertmanager notifier
   * when the guard has `alertmanager` (its URL's `${env:VAR}` from the process environment), else
   * none; `false`: none. A failure is recorded as a `notify-failed` event, never fails the rollback.
   */
  notifyRollback?: RollbackNotifier | false;
}

export type OutcomeKind = 'succeeded' | 'rolled-back' | 'paused' | 'failed' | 'aborted' | 'holding' | 'dry-run' | 'reused' | 'taken-over';

export interface PlanStep {
  action: TargetActionKind;
  weight: number;
  /** The target's dry-run answer: the exact commands or requests. */
  plan: string[];
  output: string;
}

export interface DeployOutcome {
  outcome: OutcomeKind;
  deploy: Deploy;
  /** Why it ended this way, in one line. */
  reason?: string;
  checks: GuardCheck[];
  /** Dry runs: what each step would do. */
  plan?: PlanStep[];
}

/** A deploy that ended as planned (a success, an A/B split holding, a dry run, an earlier identical request). */
export function outcomeOk(o: DeployOutcome): boolean {
  return o.outcome === 'succeeded' || o.outcome === 'holding' || o.outcome === 'dry-run' || (o.outcome === 'reused' && !['failed', 'rolled-back', 'aborted', 'interrupted'].includes(o.deploy.status));
}

export class EngineError extends Error {
  override name = 'EngineError';
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function envOf(config: DeployConfig, name: string): EnvironmentConfig {
  const env = config.environments[name];
  if (!env) throw new EngineError(`unknown environment '${name}'; the environments are ${Object.keys(config.environments).join(', ')}`);
  return env;
}

function split(version: string, weight: number, previous: string | undefined): Weights {
  if (previous === undefined || previous === version) return { [version]: weight };
  return { [version]: weight, [previous]: Math.round((100 - weight) * 100) / 100 };
}

/** Drives one deploy's target actions, each recorded as an `action` event (output kept) before the result is acted on. */
class Driver {
  readonly plan: PlanStep[] = [];

  constructor(
    private readonly ledger: Ledger,
    private readonly driver: TargetDriver,
    private readonly deploy: Deploy,
    private readonly dryRun: boolean,
    private readonly signal: AbortSignal | undefined,
    private readonly emit: (e: Omit<EngineEvent, 'deployId'>) => void,
  ) {}

  async act(action: TargetActionKind, weight: number, extra: { version?: string; previousVersion?: string; rollbackToRevision?: string } = {}): Promise<TargetResult> {
    const d = this.deploy;
    const version = extra.version ?? d.version;
    const previousVersion = 'previousVersion' in extra ? extra.previousVersion : d.previousVersion;
    this.emit({ kind: 'action', message: `${action} ${version} at ${weight}%${this.dryRun ? ' (dry run)' : ''}` });
    let result: TargetResult;
    try {
      result = await this.driver.run({
        action,
        environment: d.environment,
        version,
        ...(previousVersion !== undefined ? { previousVersion } : {}),
        weight,
        deployId: d.id,
        idempotencyKey: `${d.id}:${action}:${weight}`,
        dryRun: this.dryRun,
        ...(extra.rollbackToRevision !== undefined ? { rollbackToRevision: extra.rollbackToRevision } : {}),
        // Putting traffic back is what a cancel asks for: it must not be cancelled by the same signal
        // (the target's own timeout still bounds it).
        ...(this.signal && action !== 'rollback' && action !== 'abort' ? { signal: this.signal } : {}),
      });
    } catch (err) {
      result = { ok: false, output: '', error: err instanceof Error ? err.message : String(err) };
    }
    this.ledger.appendEvent(d.id, 'action', {
      action,
      version,
      weight,
      dryRun: this.dryRun,
      ok: result.ok,
      output: result.output,
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.plan !== undefined ? { plan: result.plan } : {}),
      ...(result.engineRevision !== undefined ? { engineRevision: result.engineRevision } : {}),
      ...(result.targetRef !== undefined ? { targetRef: result.targetRef } : {}),
    });
    if (this.dryRun) this.plan.push({ action, weight, plan: result.plan ?? [], output: result.output });
    return result;
  }
}

function failure(action: string, r: TargetResult): string {
  return `${action} failed: ${r.error ?? 'the target reported failure'}`;
}

/** Runs a deploy to the end (succeeded, rolled back, failed, paused, aborted, or an A/B split holding). */
export async function runDeploy(o: RunDeployOptions): Promise<DeployOutcome> {
  const env = envOf(o.config, o.environment);
  const strategy = o.strategy ?? env.strategy;
  const dryRun = o.dryRun === true;
  const began = o.ledger.begin({
    environment: o.environment,
    version: o.version,
    strategy: strategy.type,
    actor: o.actor,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.idempotencyKey !== undefined ? { idempotencyKey: o.idempotencyKey } : {}),
    dryRun,
  });
  if (began.reused) return reusedOutcome(o.ledger, began);
  const run = new Run(o, env, strategy, began, dryRun);
  if (dryRun) return dryRunPlan(o, strategy, run);
  return run.drive(() => {
    run.to('pending', 'in-progress', { note: `strategy ${strategy.type}` });
    return run.strategyFrom(undefined);
  });
}

function reusedOutcome(ledger: Ledger, began: BeganDeploy): DeployOutcome {
  const { reused: _r, ...deploy } = began;
  return { outcome: 'reused', deploy, reason: `idempotency key already used by deploy ${deploy.id} (${deploy.status})`, checks: ledger.checks(deploy.id) };
}

/** Where a driven deploy picks up: the canary step to (re)send, or how far a blue-green got. */
interface ResumePoint {
  /** Canary: the step index whose weight is sent first, with `set-weight` (the deploy action already ran). */
  canaryStep?: number;
  /** Blue-green: the new version already runs at 0%; only the switch is left. */
  greenDeployed?: boolean;
}

/** One deploy being driven by this process: its ledger writes, its target actions, its strategy. */
class Run {
  deploy: Deploy;
  readonly drv: Driver;
  readonly prev: string | undefined;
  private readonly clock: () => Date;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    readonly o: RunDeployOptions,
    readonly env: EnvironmentConfig,
    readonly strategy: Strategy,
    began: BeganDeploy,
    dryRun: boolean,
  ) {
    const { reused: _r, ...first } = began;
    this.deploy = first;
    this.prev = first.previousVersion;
    this.clock = o.clock ?? (() => new Date());
    this.sleep = o.sleep ?? defaultSleep;
    this.drv = new Driver(o.ledger, o.targets(env.target), first, dryRun, o.signal, (e) => this.emit(e));
  }

  get ledger(): Ledger {
    return this.o.ledger;
  }

  emit(e: Omit<EngineEvent, 'deployId'>): void {
    this.o.onEvent?.({ deployId: this.deploy.id, ...e });
  }

  to(from: DeployStatus | DeployStatus[], status: DeployStatus, fields: Parameters<Ledger['transition']>[3] = {}): Deploy {
    this.deploy = this.ledger.transition(this.deploy.id, from, status, fields);
    this.emit({ kind: 'status', message: `${status}${fields.error ? `: ${fields.error}` : fields.note ? `: ${fields.note}` : ''}` });
    return this.deploy;
  }

  setWeights(w: Weights): void {
    this.deploy = this.ledger.setWeights(this.deploy.id, w);
    this.emit({ kind: 'weights', message: Object.entries(w).map(([v, p]) => `${v} ${p}%`).join(', '), data: w });
  }

  done(outcome: OutcomeKind, reason?: string): DeployOutcome {
    return {
      outcome,
      deploy: this.ledger.get(this.deploy.id) ?? this.deploy,
      ...(reason !== undefined ? { reason } : {}),
      checks: this.ledger.checks(this.deploy.id),
      ...(this.o.dryRun ? { plan: this.drv.plan } : {}),
    };
  }

  /** Runs `body` with this process's heartbeat on the deploy; a ledger write that finds it moved on by someone else ends it `taken-over`. */
  async drive(body: () => Promise<DeployOutcome>): Promise<DeployOutcome> {
    const stopHeartbeat = this.ledger.keepAlive(this.deploy.id, this.o.heartbeatMs ?? 5000);
    try {
      return await body();
    } catch (err) {
      // Report, never overwrite.
      if (err instanceof StaleStatusError) return this.done('taken-over', err.message);
      throw err;
    } finally {
      stopHeartbeat();
    }
  }

  private fail(reason: string, r?: TargetResult): DeployOutcome {
    this.to('in-progress', 'failed', { error: r ? failure(reason, r) : reason });
    return this.done('failed', this.deploy.error);
  }

  /** Traffic back to the stable version, then the deploy ends `status`. */
  async rollBack(status: 'rolled-back' | 'failed' | 'aborted', why: string): Promise<DeployOutcome> {
    const r = await this.drv.act(status === 'aborted' ? 'abort' : 'rollback', 0);
    const weights = this.prev !== undefined ? { [this.prev]: 100, [this.deploy.version]: 0 } : { [this.deploy.version]: 0 };
    if (!r.ok) {
      this.to(['in-progress', 'paused'], 'failed', { error: `${why}; then ${failure(status === 'aborted' ? 'abort' : 'rollback', r)}` });
      return this.done('failed', this.deploy.error);
    }
    this.to(['in-progress', 'paused'], status, { weights, error: why, ...revision(r) });
    return this.done(status, why);
  }

  private cancelled(): Promise<DeployOutcome> {
    return this.rollBack('aborted', 'cancelled while running');
  }

  /** Someone else (promote / abort / rollback from another window) moved the deploy on. */
  private takenOver(): DeployOutcome | undefined {
    const now = this.ledger.get(this.deploy.id);
    if (now && now.status !== 'in-progress') {
      this.deploy = now;
      return this.done('taken-over', `the deploy is now ${now.status} (changed by another command)`);
    }
    return undefined;
  }

  /** Drives the (in-progress) deploy through its strategy, from the start or from `at`. */
  async strategyFrom(at: ResumePoint | undefined): Promise<DeployOutcome> {
    const strategy = this.strategy;
    const version = this.deploy.version;
    switch (strategy.type) {
      case 'direct': {
        const r = await this.drv.act('deploy', 100);
        if (!r.ok) return this.fail('deploy', r);
        this.to('in-progress', 'succeeded', { weights: { [version]: 100 }, ...revision(r) });
        return this.done('succeeded');
      }
      case 'blue-green': {
        if (!at?.greenDeployed) {
          const r = await this.drv.act('deploy', 0);
          if (!r.ok) return this.fail('deploy (green, no traffic)', r);
          this.setWeights(split(version, 0, this.prev));
        }
        if (this.o.signal?.aborted) return await this.cancelled();
        const s = await this.drv.act('set-weight', 100);
        if (!s.ok) return await this.rollBack('failed', failure('switch', s));
        // The previous version keeps running at 0% for an instant rollback.
        this.to('in-progress', 'succeeded', { weights: split(version, 100, this.prev), ...revision(s) });
        return this.done('succeeded');
      }
      case 'ab': {
        const r = await this.drv.act('deploy', strategy.split);
        if (!r.ok) return this.fail('deploy', r);
        this.to('in-progress', 'paused', { weights: split(version, strategy.split, this.prev), note: `A/B split held at ${strategy.split}%: promote or abort to end it`, ...revision(r) });
        return this.done('holding', `A/B split held at ${strategy.split}% until promote or abort`);
      }
      case 'canary':
        return this.canary(strategy.steps, at?.canaryStep);
    }
  }

  /**
   * Canary from step `from` (default: the first, with the `deploy` action; a later one is sent with
   * `set-weight`, which is convergent: the target ends at the recorded weight whatever it was told last).
   */
  private async canary(steps: number[], from?: number): Promise<DeployOutcome> {
    const o = this.o;
    const guard = this.env.guard;
    const interval = guard?.interval ?? (this.strategy.type === 'canary' ? this.strategy.interval : 0);
    const version = this.deploy.version;
    const start = from ?? 0;
    if (start >= steps.length) return this.promoteAll();
    // A check judges the traffic since its weight was asked for (the next check at the same weight: since the last check).
    let since = this.clock();
    const first = from === undefined ? 'deploy' : 'set-weight';
    const r = await this.drv.act(first, steps[start] as number);
    if (!r.ok) return await this.rollBack('failed', failure(first === 'deploy' ? 'deploy' : `set-weight ${steps[start]}%`, r));
    this.setWeights(split(version, steps[start] as number, this.prev));
    for (let i = start; i < steps.length; i++) {
      const weight = steps[i] as number;
      let breaches = 0;
      for (;;) {
        this.emit({ kind: 'wait', message: `waiting ${interval}ms at ${weight}% (step ${i + 1} of ${steps.length})` });
        try {
          await this.sleep(interval, o.signal);
        } catch {
          return this.takenOver() ?? (await this.cancelled());
        }
        const other = this.takenOver();
        if (other) return other;
        this.ledger.heartbeat(this.deploy.id);
        if (!guard || !o.guard) break;
        let v: Verdict;
        const until = this.clock();
        try {
          v = await o.guard({ deployId: this.deploy.id, environment: this.deploy.environment, version, step: i, weight, since, until, ...(o.signal ? { signal: o.signal } : {}) });
        } catch (err) {
          v = { verdict: 'no-data', detail: `guard failed: ${err instanceof Error ? err.message : String(err)}` };
        }
        this.ledger.recordCheck(this.deploy.id, {
          step: i,
          weight,
          verdict: v.verdict,
          detail: v.detail,
          ...(v.samples !== undefined ? { samples: v.samples } : {}),
          ...(v.errors !== undefined ? { errors: v.errors } : {}),
          ...(v.rate !== undefined ? { errorRate: v.rate } : {}),
          ...(v.latencyMs !== undefined ? { latencyMs: v.latencyMs } : {}),
        });
        this.emit({ kind: 'check', message: `${v.verdict}: ${v.detail}`, data: v });
        since = until;
        if (v.verdict === 'pass') break;
        if (v.verdict === 'no-data') {
          const why = `no data at ${weight}% (step ${i + 1}): ${v.detail}`;
          if (guard.onNoData === 'fail') {
            const out = await this.rollBack('failed', why);
            await notifyRollback(o, this.ledger, (e) => this.emit(e), out, { agent: o.config.agent, weight, threshold: guard.maxErrorRate, reason: why, at: this.clock() }, guard.alertmanager);
            return out;
          }
          this.to('in-progress', 'paused', { note: `${why}; promote to go on to the next step, or abort / roll back` });
          return this.done('paused', why);
        }
        breaches++;
        if (breaches >= guard.consecutiveBreaches) {
          const why = `${breaches} consecutive breach(es) at ${weight}%: ${v.detail}`;
          const out = await this.rollBack('rolled-back', why);
          await notifyRollback(o, this.ledger, (e) => this.emit(e), out, { agent: o.config.agent, weight, threshold: guard.maxErrorRate, reason: why, at: this.clock(), ...(v.rate !== undefined ? { errorRate: v.rate } : {}) }, guard.alertmanager);
          return out;
        }
      }
      const next = steps[i + 1];
      if (next !== undefined) {
        since = this.clock();
        const s = await this.drv.act('set-weight', next);
        if (!s.ok) return await this.rollBack('failed', failure(`set-weight ${next}%`, s));
        this.setWeights(split(version, next, this.prev));
      }
    }
    return this.promoteAll();
  }

  private async promoteAll(): Promise<DeployOutcome> {
    const p = await this.drv.act('promote', 100);
    if (!p.ok) return await this.rollBack('failed', failure('promote', p));
    this.to('in-progress', 'succeeded', { weights: { [this.deploy.version]: 100 }, ...revision(p) });
    return this.done('succeeded');
  }
}

/** Tells the notifier of an automatic rollback; its failure is an event, never the deploy's outcome. */
async function notifyRollback(
  o: RunDeployOptions,
  ledger: Ledger,
  emit: (e: Omit<EngineEvent, 'deployId'>) => void,
  out: DeployOutcome,
  n: { agent: string; weight: number; threshold: number; reason: string; at: Date; errorRate?: number },
  alertmanager: { url: string } | undefined,
): Promise<void> {
  const notifier = o.notifyRollback === false ? undefined : (o.notifyRollback ?? (alertmanager ? alertmanagerNotifier(alertmanager.url, { environ: process.env }) : undefined));
  if (!notifier) return;
  const d = out.deploy;
  try {
    await notifier({
      deployId: d.id,
      environment: d.environment,
      version: d.version,
      ...(d.previousVersion !== undefined ? { previousVersion: d.previousVersion } : {}),
      // Traffic is back on the stable version (a guard failure ends `failed` with it put back too).
      rolledBack: (d.weights[d.version] ?? 0) === 0,
      ...n,
    });
    ledger.appendEvent(d.id, 'notified', { what: 'rollback' });
    emit({ kind: 'notify', message: 'rollback notified' });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    ledger.appendEvent(d.id, 'notify-failed', { what: 'rollback', error });
    emit({ kind: 'notify', message: `rollback notification failed: ${error}`, data: { error } });
  }
}

function revision(r: TargetResult): { engineRevision?: string; targetRef?: string } {
  return { ...(r.engineRevision !== undefined ? { engineRevision: r.engineRevision } : {}), ...(r.targetRef !== undefined ? { targetRef: r.targetRef } : {}) };
}

async function dryRunPlan(o: RunDeployOptions, strategy: Strategy, run: Run): Promise<DeployOutcome> {
  const actions: [TargetActionKind, number][] =
    strategy.type === 'direct'
      ? [['deploy', 100]]
      : strategy.type === 'blue-green'
        ? [['deploy', 0], ['set-weight', 100]]
        : strategy.type === 'ab'
          ? [['deploy', strategy.split]]
          : [['deploy', strategy.steps[0] as number], ...strategy.steps.slice(1).map((w): [TargetActionKind, number] => ['set-weight', w]), ['promote', 100]];
  for (const [action, weight] of actions) {
    const r = await run.drv.act(action, weight);
    if (!r.ok) {
      run.to('pending', 'failed', { error: failure(`${action} (dry run)`, r) });
      return run.done('failed', failure(`${action} (dry run)`, r));
    }
  }
  const final = strategy.type === 'ab' ? split(o.version, strategy.split, run.prev) : { [o.version]: 100 };
  run.to('pending', 'succeeded', { weights: final, note: 'dry run: nothing was changed' });
  return run.done('dry-run', 'dry run: nothing was changed');
}

// ── promote / abort / rollback ──────────────────────────────────────────────

export interface RollbackOptions extends EngineBase {
  environment: string;
  /** Default: the last good version (ledger.current's previousGood). */
  to?: string;
  dryRun?: boolean;
  idempotencyKey?: string;
}

function inFlightOf(ledger: Ledger, environment: string): Deploy {
  const d = ledger.inFlight(environment);
  if (!d) throw new EngineError(`environment '${environment}' has no deploy in flight`);
  return d;
}

/** What promote and resume need beyond the engine base: how to drive the canary steps that are left. */
export type DriveOptions = Omit<RunDeployOptions, 'version' | 'strategy' | 'dryRun' | 'idempotencyKey'>;

export interface PromoteOptions extends DriveOptions {
  /** All traffic to the new version now, skipping a paused canary's remaining steps and their checks. */
  full?: boolean;
}

/** A Run over a deploy already in the ledger (promote, resume). */
function runOf(o: DriveOptions, env: EnvironmentConfig, d: Deploy): Run {
  return new Run({ ...o, version: d.version }, env, env.strategy, { ...d, reused: false }, false);
}

/**
 * Moves the in-flight deploy on. A paused canary goes to its next step and is driven from there
 * (checks, further steps, promotion), like Argo Rollouts' `promote`; `full` (and every other
 * deploy: an A/B split, a running canary) sends all traffic to its version at once.
 */
export async function promote(o: PromoteOptions): Promise<DeployOutcome> {
  const env = envOf(o.config, o.environment);
  let d = inFlightOf(o.ledger, o.environment);
  const emit = (e: Omit<EngineEvent, 'deployId'>): void => o.onEvent?.({ deployId: d.id, ...e });
  o.ledger.appendEvent(d.id, 'promote-requested', { actor: o.actor, reason: o.reason ?? null, full: o.full === true });
  const steps = env.strategy.type === 'canary' && d.strategy === 'canary' ? env.strategy.steps : undefined;
  if (steps && !o.full && d.status === 'paused') {
    const next = nextCanaryStep(steps, d) ?? -1;
    const run = runOf(o, env, d);
    return run.drive(async () => {
      run.to('paused', 'in-progress', { note: `promoted by ${o.actor}${o.reason ? `: ${o.reason}` : ''}; ${next === -1 ? 'to 100%' : `on to step ${next + 1} (${steps[next]}%)`}` });
      o.ledger.heartbeat(d.id);
      return run.strategyFrom({ canaryStep: next === -1 ? steps.length : next });
    });
  }
  const drv = new Driver(o.ledger, o.targets(env.target), d, false, o.signal, emit);
  const r = await drv.act('promote', 100);
  const from: DeployStatus[] = ['pending', 'in-progress', 'paused'];
  if (!r.ok) {
    const error = failure('promote', r);
    d = o.ledger.transition(d.id, from, 'failed', { error, note: `promoted by ${o.actor}` });
    return { outcome: 'failed', deploy: d, reason: error, checks: o.ledger.checks(d.id) };
  }
  d = o.ledger.transition(d.id, from, 'succeeded', { weights: { [d.version]: 100 }, note: `promoted by ${o.actor}${o.reason ? `: ${o.reason}` : ''}`, ...revision(r) });
  emit({ kind: 'status', message: 'succeeded (promoted)' });
  return { outcome: 'succeeded', deploy: d, checks: o.ledger.checks(d.id) };
}

/** The index of the canary step after the deploy's weight now; undefined when it is at the last one. */
export function nextCanaryStep(steps: readonly number[], d: Pick<Deploy, 'version' | 'weights'>): number | undefined {
  const at = d.weights[d.version] ?? 0;
  const i = steps.findIndex((w) => w > at);
  return i === -1 ? undefined : i;
}

/** The environment's newest real deploy, when it was interrupted (its process died mid-way and reconcile marked it). */
export function interruptedDeploy(ledger: Ledger, environment: string): Deploy | undefined {
  const last = ledger.history(environment, 50).find((d) => !d.dryRun);
  return last?.status === 'interrupted' ? last : undefined;
}

/**
 * Takes up an interrupted deploy where its ledger says it stood: a new deploy (idempotency key
 * `resume:<id>`, so two windows cannot both resume it) of the same version and kind, which re-sends
 * the last recorded weight (convergent: a target told more before the crash is put back to what
 * the ledger says) and drives the strategy on from there. The interrupted deploy stays as it was:
 * the audit trail says what happened to each process.
 */
export async function resume(o: DriveOptions): Promise<DeployOutcome> {
  const env = envOf(o.config, o.environment);
  const ledger = o.ledger;
  const last = interruptedDeploy(ledger, o.environment);
  if (!last) {
    const newest = ledger.history(o.environment, 50).find((d) => !d.dryRun);
    throw new EngineError(`nothing to resume in '${o.environment}': ${newest ? `its last deploy ${newest.id} (${newest.version}) is ${newest.status}` : 'no deploys yet'}`);
  }
  if (last.kind === 'deploy' && last.strategy !== env.strategy.type) {
    throw new EngineError(`deploy ${last.id} ran as ${last.strategy}, but agentops.yaml now says ${env.strategy.type} for '${o.environment}': roll back or deploy again`);
  }
  const began = ledger.begin({
    environment: o.environment,
    version: last.version,
    kind: last.kind,
    strategy: last.strategy,
    ...(last.previousVersion !== undefined ? { previousVersion: last.previousVersion } : {}),
    weights: last.weights,
    actor: o.actor,
    reason: `resumes interrupted deploy ${last.id}${o.reason ? `: ${o.reason}` : ''}`,
    idempotencyKey: `resume:${last.id}`,
  });
  if (began.reused) return reusedOutcome(ledger, began);
  ledger.appendEvent(began.id, 'resumes', { deployId: last.id, weights: last.weights, error: last.error ?? null });
  if (last.kind === 'rollback') {
    const { reused: _r, ...d } = began;
    return rollbackDeploy(o, env, d, last.previousVersion, false);
  }
  const run = runOf(o, env, began);
  const at = last.weights[last.version];
  const point: ResumePoint | undefined =
    at === undefined
      ? undefined
      : env.strategy.type === 'canary'
        ? { canaryStep: Math.max(0, env.strategy.steps.findLastIndex((w) => w <= at)) }
        : env.strategy.type === 'blue-green'
          ? { greenDeployed: true }
          : undefined;
  return run.drive(() => {
    run.to('pending', 'in-progress', { note: `resuming ${last.id}${at === undefined ? ' from the start' : ` at ${at}%`}` });
    return run.strategyFrom(point);
  });
}

/** Stops the in-flight deploy: traffic back to the stable version, status aborted. */
export async function abort(o: EngineBase & { environment: string }): Promise<DeployOutcome> {
  const env = envOf(o.config, o.environment);
  let d = inFlightOf(o.ledger, o.environment);
  const emit = (e: Omit<EngineEvent, 'deployId'>): void => o.onEvent?.({ deployId: d.id, ...e });
  o.ledger.appendEvent(d.id, 'abort-requested', { actor: o.actor, reason: o.reason ?? null });
  const drv = new Driver(o.ledger, o.targets(env.target), d, false, o.signal, emit);
  const r = await drv.act('abort', 0);
  const from: DeployStatus[] = ['pending', 'in-progress', 'paused'];
  const why = `aborted by ${o.actor}${o.reason ? `: ${o.reason}` : ''}`;
  if (!r.ok) {
    d = o.ledger.transition(d.id, from, 'failed', { error: `${why}; then ${failure('abort', r)}` });
    return { outcome: 'failed', deploy: d, reason: d.error, checks: o.ledger.checks(d.id) };
  }
  const weights = d.previousVersion !== undefined ? { [d.previousVersion]: 100, [d.version]: 0 } : { [d.version]: 0 };
  d = o.ledger.transition(d.id, from, 'aborted', { weights, error: why, ...revision(r) });
  emit({ kind: 'status', message: 'aborted' });
  return { outcome: 'aborted', deploy: d, reason: why, checks: o.ledger.checks(d.id) };
}

/**
 * Rolls an environment back. A deploy in flight is rolled back (traffic to its previous version,
 * status rolled-back). Otherwise a `rollback` deploy moves the environment to `to`, or to the last
 * good version, telling the target the explicit version and engine revision (never "undo").
 */
export async function rollback(o: RollbackOptions): Promise<DeployOutcome> {
  const env = envOf(o.config, o.environment);
  const ledger = o.ledger;
  const running = ledger.inFlight(o.environment);
  if (running && !o.dryRun) {
    if (o.to !== undefined && o.to !== running.previousVersion) {
      throw new EngineError(`deploy ${running.id} (${running.version}) is in flight; roll it back first (to ${running.previousVersion ?? 'nothing'}), then roll back to ${o.to}`);
    }
    let d = running;
    const emit = (e: Omit<EngineEvent, 'deployId'>): void => o.onEvent?.({ deployId: d.id, ...e });
    ledger.appendEvent(d.id, 'rollback-requested', { actor: o.actor, reason: o.reason ?? null });
    const drv = new Driver(ledger, o.targets(env.target), d, false, o.signal, emit);
    const r = await drv.act('rollback', 0);
    const from: DeployStatus[] = ['in-progress', 'paused'];
    const why = `rolled back by ${o.actor}${o.reason ? `: ${o.reason}` : ''}`;
    if (d.status === 'pending') d = ledger.transition(d.id, 'pending', 'in-progress', { note: 'rolling back' });
    if (!r.ok) {
      d = ledger.transition(d.id, from, 'failed', { error: `${why}; then ${failure('rollback', r)}` });
      return { outcome: 'failed', deploy: d, reason: d.error, checks: ledger.checks(d.id) };
    }
    const weights = d.previousVersion !== undefined ? { [d.previousVersion]: 100, [d.version]: 0 } : { [d.version]: 0 };
    d = ledger.transition(d.id, from, 'rolled-back', { weights, error: why, ...revision(r) });
    return { outcome: 'rolled-back', deploy: d, reason: why, checks: ledger.checks(d.id) };
  }
  const { current, previousGood } = ledger.current(o.environment);
  // A deploy interrupted mid-way left some traffic on its version: rolling back puts all of it on the version before.
  const stranded = [interruptedDeploy(ledger, o.environment)].find((d) => d?.kind === 'deploy' && (d.weights[d.version] ?? 0) > 0);
  const target = o.to ?? (stranded?.previousVersion ?? previousGood?.version);
  if (target === undefined) throw new EngineError(`environment '${o.environment}' has no earlier good version to roll back to${current ? ` (current ${current.version})` : ''}; name one with --to`);
  if (current && target === current.version && !stranded) throw new EngineError(`${target} is already the current version of '${o.environment}'`);
  const from = stranded?.version ?? current?.version;
  const began = ledger.begin({
    environment: o.environment,
    version: target,
    kind: 'rollback',
    strategy: 'direct',
    actor: o.actor,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.idempotencyKey !== undefined ? { idempotencyKey: o.idempotencyKey } : {}),
    ...(from !== undefined ? { previousVersion: from } : {}),
    dryRun: o.dryRun === true,
  });
  if (began.reused) return reusedOutcome(ledger, began);
  const { reused: _r, ...d } = began;
  return rollbackDeploy(o, env, d, from, o.dryRun === true);
}

/**
 * Drives a pending `rollback` deploy: the target is told the explicit version to serve again and
 * its engine revision (never "undo"). As for any rollback action, `version` is what is rolled back
 * (now 0%), `previousVersion` what serves again.
 */
async function rollbackDeploy(o: EngineBase, env: EnvironmentConfig, began: Deploy, from: string | undefined, dryRun: boolean): Promise<DeployOutcome> {
  const ledger = o.ledger;
  const target = began.version;
  let d = began;
  const targetDeploy = ledger.history(d.environment, 1000).find((h) => h.version === target && h.status === 'succeeded' && !h.dryRun);
  const emit = (e: Omit<EngineEvent, 'deployId'>): void => o.onEvent?.({ deployId: d.id, ...e });
  const drv = new Driver(ledger, o.targets(env.target), d, dryRun, o.signal, emit);
  if (!dryRun) d = ledger.transition(d.id, 'pending', 'in-progress', { note: `rollback to ${target}` });
  const r = await drv.act('rollback', 0, {
    version: from ?? target,
    previousVersion: target,
    ...(targetDeploy?.engineRevision !== undefined ? { rollbackToRevision: targetDeploy.engineRevision } : {}),
  });
  const status: DeployStatus = dryRun ? 'pending' : 'in-progress';
  const plan = dryRun ? { plan: drv.plan } : {};
  if (!r.ok) {
    d = ledger.transition(d.id, status, 'failed', { error: failure('rollback', r) });
    return { outcome: 'failed', deploy: d, reason: d.error, checks: [], ...plan };
  }
  d = ledger.transition(d.id, status, 'succeeded', { weights: { [target]: 100 }, ...(dryRun ? { note: 'dry run: nothing was changed' } : {}), ...revision(r) });
  return { outcome: dryRun ? 'dry-run' : 'succeeded', deploy: d, checks: [], ...plan };
}
