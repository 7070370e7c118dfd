import * as path from 'node:path';
import { substitute, substituteArgv, type CommandTarget } from '../config';
import { failure, noPreviousVersion, servingVersion, templateValues } from './common';
import { processEnv, quoteArgv, runFailure, runProcess } from './process';
import type { TargetAction, TargetContext, TargetDriver, TargetResult } from './types';

/** A command's time limit when the target sets none: 15 minutes. */
export const defaultCommandTimeoutMs = 15 * 60_000;

/**
 * The `command` target: runs `run` (an argv, never a shell) with `${version}` (the version to serve
 * after the action: `previousVersion` for a rollback), `${weight}`, `${env}` and `${env:VAR}`
 * substituted, from `cwd` (relative to the workspace), with AGENTOPS_ENV, AGENTOPS_VERSION (as
 * `${version}`), AGENTOPS_CANDIDATE_VERSION (the deploy's version, whatever the action),
 * AGENTOPS_PREVIOUS_VERSION, AGENTOPS_WEIGHT, AGENTOPS_DEPLOY_ID, AGENTOPS_ACTION and
 * AGENTOPS_IDEMPOTENCY_KEY in its environment. A non-zero exit, a timeout or a cancel fails it.
 */
export function createCommandTarget(target: CommandTarget, ctx: TargetContext): TargetDriver {
  return {
    type: 'command',
    async run(action: TargetAction): Promise<TargetResult> {
      const version = servingVersion(action);
      if (version === undefined) return noPreviousVersion('command');
      const values = templateValues(action, ctx, version);
      const argv = substituteArgv(target.run, values, 'target.run');
      if (!argv.ok) return failure(argv.error);
      let cwd = ctx.cwd;
      if (target.cwd !== undefined) {
        const c = substitute(target.cwd, values, 'target.cwd');
        if (!c.ok) return failure(c.error);
        cwd = path.resolve(ctx.cwd, c.value);
      }
      const shown = quoteArgv(argv.value);
      const targetRef = argv.value[0];
      if (action.dryRun) {
        return { ok: true, output: `would run: ${shown} (in ${cwd})`, plan: [shown], ...(targetRef ? { targetRef } : {}) };
      }
      const timeoutMs = target.timeout ?? defaultCommandTimeoutMs;
      const env = processEnv(ctx.environ, {
        AGENTOPS_ENV: action.environment,
        AGENTOPS_VERSION: version,
        AGENTOPS_CANDIDATE_VERSION: action.version,
        AGENTOPS_PREVIOUS_VERSION: action.previousVersion ?? '',
        AGENTOPS_WEIGHT: String(action.weight),
        AGENTOPS_DEPLOY_ID: action.deployId,
        AGENTOPS_ACTION: action.action,
        AGENTOPS_IDEMPOTENCY_KEY: action.idempotencyKey,
      });
      ctx.log(`$ ${shown}`);
      const run = await runProcess(argv.value, { cwd, env, timeoutMs, ...(action.signal ? { signal: action.signal } : {}) });
      if (run.output) ctx.log(run.output.replace(/\n$/, ''));
      const error = runFailure(run, argv.value, timeoutMs);
      return { ok: error === undefined, output: run.output, ...(targetRef ? { targetRef } : {}), ...(error ? { error } : {}) };
    },
  };
}
