/**
 * Deploy targets: `createTarget(target, ctx)` gives the driver for one environment's target. Every
 * driver honours `dryRun` (the plan, nothing done), never throws (failures are `{ok: false, error}`),
 * and never puts a secret in its output or log.
 */
import type { Target } from '../config';
import { createCommandTarget } from './command';
import { createArgoRolloutsTarget, createHelmTarget, createKubectlTarget } from './kube';
import { createLangfuseLabelTarget } from './langfuse';
import { createMlflowAliasTarget } from './mlflow';
import type { TargetContext, TargetDriver } from './types';
import { createWebhookTarget } from './webhook';

export type { TargetAction, TargetActionKind, TargetContext, TargetDriver, TargetResult } from './types';
export { createCommandTarget, defaultCommandTimeoutMs } from './command';
export { createWebhookTarget, signWebhookBody, retryAfterMs, defaultWebhookRetries, defaultWebhookTimeoutMs, type WebhookOptions } from './webhook';
export { createMlflowAliasTarget } from './mlflow';
export { createLangfuseLabelTarget } from './langfuse';
export { createKubectlTarget, createHelmTarget, createArgoRolloutsTarget, kubectlPlan, helmPlan, argoPlan } from './kube';
export { quoteArgv, maxOutputBytes } from './process';
export { servingVersion } from './common';

export function createTarget(target: Target, ctx: TargetContext): TargetDriver {
  const guarded = (d: TargetDriver): TargetDriver => ({
    type: d.type,
    async run(action) {
      try {
        return await d.run(action);
      } catch (err) {
        return { ok: false, output: '', error: `${d.type}: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  });
  switch (target.type) {
    case 'command':
      return guarded(createCommandTarget(target, ctx));
    case 'webhook':
      return guarded(createWebhookTarget(target, ctx));
    case 'kubectl':
      return guarded(createKubectlTarget(target, ctx));
    case 'helm':
      return guarded(createHelmTarget(target, ctx));
    case 'argo-rollouts':
      return guarded(createArgoRolloutsTarget(target, ctx));
    case 'mlflow-alias':
      return guarded(createMlflowAliasTarget(target, ctx));
    case 'langfuse-label':
      return guarded(createLangfuseLabelTarget(target, ctx));
  }
}
