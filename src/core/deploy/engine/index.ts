import { alertmanagerNotifier, type RollbackNotifier } from '../alerts';
import type { DeployConfig, EnvironmentConfig, Strategy, Target } from '../config';
import type { GuardFn, Verdict } from '../guard/index';
import { StaleStatusError } from '../ledger/errors';
import type { Ledger } from '../ledger/ledger';
import type { Deploy, DeployStatus, GuardCheck, Weights } from '../ledger/types';
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
   * Told of an automatic rollback (consecutive guard breaches). Default: an Alertmanager notifier
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
  const ledger = o.ledger;
  const clock = o.clock ?? (() => new Date());
  const sleep = o.sleep ?? defaultSleep;
  const dryRun = o.dryRun === true;
  const began = ledger.begin({
    environment: o.environment,
    version: o.version,
    strategy: strategy.type,
    actor: o.actor,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.idempotencyKey !== undefined ? { idempotencyKey: o.idempotencyKey } : {}),
    dryRun,
  });
  if (began.reused) {
    const { reused: _r, ...deploy } = began;
    return { outcome: 'reused', deploy, reason: `idempotency key already used by deploy ${deploy.id} (${deploy.status})`, checks: ledger.checks(deploy.id) };
  }
  const { reused: _r, ...first } = began;
  let deploy: Deploy = first;
  const emit = (e: Omit<EngineEvent, 'deployId'>): void => o.onEvent?.({ deployId: deploy.id, ...e });
  const drv = new Driver(ledger, o.targets(env.target), deploy, dryRun, o.signal, emit);
  const prev = deploy.previousVersion;
  const to = (from: DeployStatus | DeployStatus[], status: DeployStatus, fields: Parameters<Ledger['transition']>[3] = {}): Deploy => {
    deploy = ledger.transition(deploy.id, from, status, fields);
    emit({ kind: 'status', message: `${status}${fields.error ? `: ${fields.error}` : fields.note ? `: ${fields.note}` : ''}` });
    return deploy;
  };
  const setWeights = (w: Weights): void => {
    deploy = ledger.setWeights(deploy.id, w);
    emit({ kind: 'weights', message: Object.entries(w).map(([v, p]) => `${v} ${p}%`).join(', '), data: w });
  };
  const done = (outcome: OutcomeKind, reason?: string): DeployOutcome => ({
    outcome,
    deploy: ledger.get(deploy.id) ?? deploy,
    ...(reason !== undefined ? { reason } : {}),
    checks: ledger.checks(deploy.id),
    ...(dryRun ? { plan: drv.plan } : {}),
  });

  if (dryRun) return dryRunPlan(o, strategy, drv, to, done, prev);

  const stopHeartbeat = ledger.keepAlive(deploy.id, o.heartbeatMs ?? 5000);
  try {
    to('pending', 'in-progress', { note: `strategy ${strategy.type}` });
    const fail = (reason: string, r?: TargetResult): DeployOutcome => {
      to('in-progress', 'failed', { error: r ? failure(reason, r) : reason });
      return done('failed', deploy.error);
    };
    /** Traffic back to the stable version, then the deploy ends `status`. */
    const rollBack = async (status: 'rolled-back' | 'failed' | 'aborted', why: string): Promise<DeployOutcome> => {
      const r = await drv.act(status === 'aborted' ? 'abort' : 'rollback', 0);
      const weights = prev !== undefined ? { [prev]: 100, [deploy.version]: 0 } : { [deploy.version]: 0 };
      if (!r.ok) {
        to(['in-progress', 'paused'], 'failed', { error: `${why}; then ${failure(status === 'aborted' ? 'abort' : 'rollback', r)}` });
        return done('failed', deploy.error);
      }
      to(['in-progress', 'paused'], status, { weights, error: why, ...(r.engineRevision !== undefined ? { engineRevision: r.engineRevision } : {}) });
      return done(status, why);
    };
    const cancelled = (): Promise<DeployOutcome> => rollBack('aborted', 'cancelled while running');
    /** Someone else (promote / abort / rollback from another window) moved the deploy on. */
    const takenOver = (): DeployOutcome | undefined => {
      const now = ledger.get(deploy.id);
      if (now && now.status !== 'in-progress') {
        deploy = now;
        return done('taken-over', `the deploy is now ${now.status} (changed by another command)`);
      }
      return undefined;
    };

    switch (strategy.type) {
      case 'direct': {
        const r = await drv.act('deploy', 100);
        if (!r.ok) return fail('deploy', r);
        to('in-progress', 'succeeded', { weights: { [deploy.version]: 100 }, ...revision(r) });
        return done('succeeded');
      }
      case 'blue-green': {
        const r = await drv.act('deploy', 0);
        if (!r.ok) return fail('deploy (green, no traffic)', r);
        setWeights(split(deploy.version, 0, prev));
        if (o.signal?.aborted) return await cancelled();
        const s = await drv.act('set-weight', 100);
        if (!s.ok) return await rollBack('failed', failure('switch', s));
        // The previous version keeps running at 0% for an instant rollback.
        to('in-progress', 'succeeded', { weights: split(deploy.version, 100, prev), ...revision(s) });
        return done('succeeded');
      }
      case 'ab': {
        const r = await drv.act('deploy', strategy.split);
        if (!r.ok) return fail('deploy', r);
        to('in-progress', 'paused', { weights: split(deploy.version, strategy.split, prev), note: `A/B split held at ${strategy.split}%: promote or abort to end it`, ...revision(r) });
        return done('holding', `A/B split held at ${strategy.split}% until promote or abort`);
      }
      case 'canary': {
        const guard = env.guard;
        const steps = strategy.steps;
        const interval = guard?.interval ?? strategy.interval;
        // A check judges the traffic since its weight was asked for (the next check at the same weight: since the last check).
        let since = clock();
        const r = await drv.act('deploy', steps[0] as number);
        if (!r.ok) return await rollBack('failed', failure('deploy', r));
        setWeights(split(deploy.version, steps[0] as number, prev));
        for (let i = 0; i < steps.length; i++) {
          const weight = steps[i] as number;
          let breaches = 0;
          for (;;) {
            emit({ kind: 'wait', message: `waiting ${interval}ms at ${weight}% (step ${i + 1} of ${steps.length})` });
            try {
              await sleep(interval, o.signal);
            } catch {
              return takenOver() ?? (await cancelled());
            }
            const other = takenOver();
            if (other) return other;
            ledger.heartbeat(deploy.id);
            if (!guard || !o.guard) break;
            let v: Verdict;
            const until = clock();
            try {
              v = await o.guard({ deployId: deploy.id, environment: deploy.environment, version: deploy.version, step: i, weight, since, until, ...(o.signal ? { signal: o.signal } : {}) });
            } catch (err) {
              v = { verdict: 'no-data', detail: `guard failed: ${err instanceof Error ? err.message : String(err)}` };
            }
            ledger.recordCheck(deploy.id, {
              step: i,
              weight,
              verdict: v.verdict,
              detail: v.detail,
              ...(v.samples !== undefined ? { samples: v.samples } : {}),
              ...(v.errors !== undefined ? { errors: v.errors } : {}),
              ...(v.rate !== undefined ? { errorRate: v.rate } : {}),
              ...(v.latencyMs !== undefined ? { latencyMs: v.latencyMs } : {}),
            });
            emit({ kind: 'check', message: `${v.verdict}: ${v.detail}`, data: v });
            since = until;
            if (v.verdict === 'pass') break;
            if (v.verdict === 'no-data') {
              const why = `no data at ${weight}% (step ${i + 1}): ${v.detail}`;
              if (guard.onNoData === 'fail') return await rollBack('failed', why);
              to('in-progress', 'paused', { note: `${why}; promote to go on, or abort / roll back` });
              return done('paused', why);
            }
            breaches++;
            if (breaches >= guard.consecutiveBreaches) {
              const why = `${breaches} consecutive breach(es) at ${weight}%: ${v.detail}`;
              const out = await rollBack('rolled-back', why);
              await notifyRollback(o, ledger, emit, out, { agent: o.config.agent, weight, threshold: guard.maxErrorRate, reason: why, at: clock(), ...(v.rate !== undefined ? { errorRate: v.rate } : {}) }, guard.alertmanager);
              return out;
            }
          }
          const next = steps[i + 1];
          if (next !== undefined) {
            since = clock();
            const s = await drv.act('set-weight', next);
            if (!s.ok) return await rollBack('failed', failure(`set-weight ${next}%`, s));
            setWeights(split(deploy.version, next, prev));
          }
        }
        const p = await drv.act('promote', 100);
        if (!p.ok) return await rollBack('failed', failure('promote', p));
        to('in-progress', 'succeeded', { weights: { [deploy.version]: 100 }, ...revision(p) });
        return done('succeeded');
      }
    }
  } catch (err) {
    // A ledger write that found the deploy moved on by someone else: report, never overwrite.
    if (err instanceof StaleStatusError) return done('taken-over', err.message);
    throw err;
  } finally {
    stopHeartbeat();
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
      rolledBack: out.outcome === 'rolled-back',
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

async function dryRunPlan(
  o: RunDeployOptions,
  strategy: Strategy,
  drv: Driver,
  to: (from: DeployStatus, status: DeployStatus, fields?: Parameters<Ledger['transition']>[3]) => Deploy,
  done: (outcome: OutcomeKind, reason?: string) => DeployOutcome,
  prev: string | undefined,
): Promise<DeployOutcome> {
  const actions: [TargetActionKind, number][] =
    strategy.type === 'direct'
      ? [['deploy', 100]]
      : strategy.type === 'blue-green'
        ? [['deploy', 0], ['set-weight', 100]]
        : strategy.type === 'ab'
          ? [['deploy', strategy.split]]
          : [['deploy', strategy.steps[0] as number], ...strategy.steps.slice(1).map((w): [TargetActionKind, number] => ['set-weight', w]), ['promote', 100]];
  for (const [action, weight] of actions) {
    const r = await drv.act(action, weight);
    if (!r.ok) {
      to('pending', 'failed', { error: failure(`${action} (dry run)`, r) });
      return done('failed', failure(`${action} (dry run)`, r));
    }
  }
  const final = strategy.type === 'ab' ? split(o.version, strategy.split, prev) : { [o.version]: 100 };
  to('pending', 'succeeded', { weights: final, note: 'dry run: nothing was changed' });
  return done('dry-run', 'dry run: nothing was changed');
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

/** Ends the in-flight deploy by sending all traffic to its version (a canary paused on no data, an A/B split). */
export async function promote(o: EngineBase & { environment: string }): Promise<DeployOutcome> {
  const env = envOf(o.config, o.environment);
  let d = inFlightOf(o.ledger, o.environment);
  const emit = (e: Omit<EngineEvent, 'deployId'>): void => o.onEvent?.({ deployId: d.id, ...e });
  o.ledger.appendEvent(d.id, 'promote-requested', { actor: o.actor, reason: o.reason ?? null });
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
  const target = o.to ?? previousGood?.version;
  if (target === undefined) throw new EngineError(`environment '${o.environment}' has no earlier good version to roll back to${current ? ` (current ${current.version})` : ''}; name one with --to`);
  if (current && target === current.version) throw new EngineError(`${target} is already the current version of '${o.environment}'`);
  const targetDeploy = ledger.history(o.environment, 1000).find((d) => d.version === target && d.status === 'succeeded' && !d.dryRun);
  const began = ledger.begin({
    environment: o.environment,
    version: target,
    kind: 'rollback',
    strategy: 'direct',
    actor: o.actor,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.idempotencyKey !== undefined ? { idempotencyKey: o.idempotencyKey } : {}),
    ...(current ? { previousVersion: current.version } : {}),
    dryRun: o.dryRun === true,
  });
  const { reused, ...first } = began;
  let d: Deploy = first;
  if (reused) return { outcome: 'reused', deploy: d, reason: `idempotency key already used by deploy ${d.id} (${d.status})`, checks: [] };
  const emit = (e: Omit<EngineEvent, 'deployId'>): void => o.onEvent?.({ deployId: d.id, ...e });
  const drv = new Driver(ledger, o.targets(env.target), d, o.dryRun === true, o.signal, emit);
  if (!o.dryRun) d = ledger.transition(d.id, 'pending', 'in-progress', { note: `rollback to ${target}` });
  // As for any rollback action: `version` is what is rolled back (now 0%), `previousVersion` what serves again.
  const r = await drv.act('rollback', 0, {
    version: current?.version ?? target,
    previousVersion: target,
    ...(targetDeploy?.engineRevision !== undefined ? { rollbackToRevision: targetDeploy.engineRevision } : {}),
  });
  const from: DeployStatus = o.dryRun ? 'pending' : 'in-progress';
  if (!r.ok) {
    d = ledger.transition(d.id, from, 'failed', { error: failure('rollback', r) });
    return { outcome: 'failed', deploy: d, reason: d.error, checks: [], ...(o.dryRun ? { plan: drv.plan } : {}) };
  }
  d = ledger.transition(d.id, from, 'succeeded', { weights: { [target]: 100 }, ...(o.dryRun ? { note: 'dry run: nothing was changed' } : {}), ...revision(r) });
  return { outcome: o.dryRun ? 'dry-run' : 'succeeded', deploy: d, checks: [], ...(o.dryRun ? { plan: drv.plan } : {}) };
}
