import { substitute, type ArgoRolloutsTarget, type HelmTarget, type KubectlTarget } from '../config';
import { failure } from './common';
import { processEnv, quoteArgv, runFailure, runProcess } from './process';
import type { TargetAction, TargetContext, TargetDriver, TargetResult } from './types';

/** Each kubectl / helm call's time limit: 10 minutes (rollout status and --wait are bounded by their own 5m timeout). */
export const kubeCallTimeoutMs = 10 * 60_000;
export const rolloutWait = '5m';

/** One call of a plan; `revision` marks the call whose stdout is the engine revision. */
interface Call {
  argv: string[];
  revision?: 'text' | 'helm-status-json';
}

type Plan = { calls: Call[]; targetRef: string } | { error: string };

function scope(namespace: string | undefined, context: string | undefined, contextFlag: string): string[] {
  return [...(namespace ? ['-n', namespace] : []), ...(context ? [contextFlag, context] : [])];
}

function image(template: string | undefined, version: string, action: TargetAction, ctx: TargetContext, type: string): { ok: true; value: string } | { ok: false; error: string } {
  if (template === undefined) return { ok: false, error: `${type}: target.image is needed to set the version (such as registry/app:\${version})` };
  return substitute(template, { version, weight: action.weight, env: action.environment, environ: ctx.environ }, 'target.image');
}

/**
 * kubectl on a Deployment. deploy / promote / set-weight 100: `set image`, `rollout status`, read the
 * revision. rollback / abort / set-weight 0: `rollout undo --to-revision=N` when the action names a
 * revision, else `set image` to the previous version (never a bare undo, which flips). Other weights: a
 * Deployment cannot split traffic.
 */
export function kubectlPlan(t: KubectlTarget, action: TargetAction, ctx: TargetContext): Plan {
  const s = scope(t.namespace, t.context, '--context');
  const ref = `deployment/${t.deployment}`;
  const tail: Call[] = [
    { argv: ['kubectl', 'rollout', 'status', ref, `--timeout=${rolloutWait}`, ...s] },
    { argv: ['kubectl', 'get', 'deployment', t.deployment, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}', ...s], revision: 'text' },
  ];
  const setImage = (version: string): Plan => {
    const img = image(t.image, version, action, ctx, 'kubectl');
    if (!img.ok) return { error: img.error };
    return { calls: [{ argv: ['kubectl', 'set', 'image', ref, `${t.container}=${img.value}`, ...s] }, ...tail], targetRef: ref };
  };
  const back = (): Plan => {
    if (action.rollbackToRevision !== undefined) return { calls: [{ argv: ['kubectl', 'rollout', 'undo', ref, `--to-revision=${action.rollbackToRevision}`, ...s] }, ...tail], targetRef: ref };
    if (action.previousVersion !== undefined) return setImage(action.previousVersion);
    return { error: `kubectl: ${action.action} needs a revision or the previous version (neither is known)` };
  };
  return direction('kubectl', action, () => setImage(action.version), back);
}

/**
 * helm. deploy / promote / set-weight 100: `upgrade --install <release> <chart> --set <valuesKey>=<version> --wait`
 * then `status -o json` for the revision. rollback / abort / set-weight 0: `rollback <release> <revision> --wait`
 * when the action names a revision, else an upgrade to the previous version.
 */
export function helmPlan(t: HelmTarget, action: TargetAction): Plan {
  const s = scope(t.namespace, t.context, '--kube-context');
  const ref = `release/${t.release}`;
  const status: Call = { argv: ['helm', 'status', t.release, '-o', 'json', ...s], revision: 'helm-status-json' };
  const upgrade = (version: string): Plan => {
    if (t.chart === undefined) return { error: 'helm: target.chart is needed to upgrade the release' };
    return { calls: [{ argv: ['helm', 'upgrade', '--install', t.release, t.chart, '--set', `${t.valuesKey ?? 'image.tag'}=${version}`, '--wait', `--timeout=${rolloutWait}`, ...s] }, status], targetRef: ref };
  };
  const back = (): Plan => {
    if (action.rollbackToRevision !== undefined) return { calls: [{ argv: ['helm', 'rollback', t.release, action.rollbackToRevision, '--wait', `--timeout=${rolloutWait}`, ...s] }, status], targetRef: ref };
    if (action.previousVersion !== undefined) return upgrade(action.previousVersion);
    return { error: `helm: ${action.action} needs a revision or the previous version (neither is known)` };
  };
  return direction('helm', action, () => upgrade(action.version), back);
}

/**
 * Argo Rollouts (the kubectl plugin); the Rollout's own steps own the traffic. deploy: `set image`;
 * promote: `promote`; abort: `abort`; rollback: `abort`, then `undo --to-revision=N` when the action
 * names a revision, else `set image` to the previous version. Each ends by reading the revision.
 * set-weight is refused: the weights are the Rollout's steps.
 */
export function argoPlan(t: ArgoRolloutsTarget, action: TargetAction, ctx: TargetContext): Plan {
  const s = scope(t.namespace, t.context, '--context');
  const ref = `rollout/${t.rollout}`;
  const argo = (...args: string[]): Call => ({ argv: ['kubectl', 'argo', 'rollouts', ...args, ...s] });
  const revision: Call = { argv: ['kubectl', 'get', 'rollout', t.rollout, '-o', 'jsonpath={.metadata.annotations.rollout\\.argoproj\\.io/revision}', ...s], revision: 'text' };
  const setImage = (version: string): Call | { error: string } => {
    if (t.container === undefined) return { error: 'argo-rollouts: target.container is needed to set the image' };
    const img = image(t.image, version, action, ctx, 'argo-rollouts');
    if (!img.ok) return { error: img.error };
    return argo('set', 'image', t.rollout, `${t.container}=${img.value}`);
  };
  switch (action.action) {
    case 'deploy': {
      const c = setImage(action.version);
      return 'error' in c ? c : { calls: [c, revision], targetRef: ref };
    }
    case 'promote':
      return { calls: [argo('promote', t.rollout), revision], targetRef: ref };
    case 'abort':
      return { calls: [argo('abort', t.rollout), revision], targetRef: ref };
    case 'rollback': {
      if (action.rollbackToRevision !== undefined) return { calls: [argo('abort', t.rollout), argo('undo', t.rollout, `--to-revision=${action.rollbackToRevision}`), revision], targetRef: ref };
      if (action.previousVersion === undefined) return { error: 'argo-rollouts: rollback needs a revision or the previous version (neither is known)' };
      const c = setImage(action.previousVersion);
      return 'error' in c ? c : { calls: [argo('abort', t.rollout), c, revision], targetRef: ref };
    }
    case 'set-weight':
      return { error: 'argo-rollouts: the Rollout’s own steps set the weights; use strategy direct and let the Rollout run its canary' };
  }
}

function direction(type: string, action: TargetAction, forward: () => Plan, back: () => Plan): Plan {
  switch (action.action) {
    case 'deploy':
    case 'promote':
      return forward();
    case 'rollback':
    case 'abort':
      return back();
    case 'set-weight':
      if (action.weight >= 100) return forward();
      if (action.weight <= 0) return back();
      return { error: `${type}: cannot split traffic (${action.weight}%); use strategy direct or blue-green, or argo-rollouts for a canary` };
  }
}

function parseRevision(kind: Call['revision'], stdout: string): string | undefined {
  if (kind === 'text') {
    const t = stdout.trim().replace(/^'|'$/g, '');
    return /^\d+$/.test(t) ? t : undefined;
  }
  try {
    const v = (JSON.parse(stdout) as { version?: unknown }).version;
    return typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? String(v) : undefined;
  } catch {
    return undefined;
  }
}

async function execute(type: 'kubectl' | 'helm' | 'argo-rollouts', plan: Plan, action: TargetAction, ctx: TargetContext): Promise<TargetResult> {
  if ('error' in plan) return failure(plan.error);
  const shown = plan.calls.map((c) => quoteArgv(c.argv));
  if (action.dryRun) return { ok: true, output: shown.map((l) => `would run: ${l}`).join('\n'), plan: shown, targetRef: plan.targetRef };
  const env = processEnv(ctx.environ);
  const outputs: string[] = [];
  let engineRevision: string | undefined;
  for (const [i, call] of plan.calls.entries()) {
    ctx.log(`$ ${shown[i]}`);
    outputs.push(`$ ${shown[i]}`);
    const run = await runProcess(call.argv, { cwd: ctx.cwd, env, timeoutMs: kubeCallTimeoutMs, ...(action.signal ? { signal: action.signal } : {}) });
    if (run.output) {
      ctx.log(run.output.replace(/\n$/, ''));
      outputs.push(run.output.replace(/\n$/, ''));
    }
    const error = runFailure(run, call.argv, kubeCallTimeoutMs);
    if (error) return failure(`${type}: ${error}`, { output: outputs.join('\n'), targetRef: plan.targetRef });
    if (call.revision) {
      engineRevision = parseRevision(call.revision, run.output);
      if (engineRevision === undefined) ctx.log(`${type}: could not read the revision from: ${run.output.trim().slice(0, 200)}`);
    }
  }
  return { ok: true, output: outputs.join('\n'), targetRef: plan.targetRef, ...(engineRevision !== undefined ? { engineRevision } : {}) };
}

export function createKubectlTarget(target: KubectlTarget, ctx: TargetContext): TargetDriver {
  return { type: 'kubectl', run: (action) => execute('kubectl', kubectlPlan(target, action, ctx), action, ctx) };
}
export function createHelmTarget(target: HelmTarget, ctx: TargetContext): TargetDriver {
  return { type: 'helm', run: (action) => execute('helm', helmPlan(target, action), action, ctx) };
}
export function createArgoRolloutsTarget(target: ArgoRolloutsTarget, ctx: TargetContext): TargetDriver {
  return { type: 'argo-rollouts', run: (action) => execute('argo-rollouts', argoPlan(target, action, ctx), action, ctx) };
}
