import { substitute, type MlflowAliasTarget } from '../config';
import { failure } from './common';
import { basicAuth, errorText, requestJson, trimSlash } from './http';
import { pointerVersion } from './labels';
import type { TargetAction, TargetContext, TargetDriver, TargetResult } from './types';

/**
 * The `mlflow-alias` target: reads the alias (`GET /api/2.0/mlflow/registered-models/alias`), moves it
 * (`POST` the same path with `{name, alias, version}`), and reads it back: `engineRevision` is the
 * version the alias points at afterwards. Auth, when set: MLFLOW_TRACKING_TOKEN (bearer) or
 * MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (basic), through `ctx.secret` as env refs.
 */
export function createMlflowAliasTarget(target: MlflowAliasTarget, ctx: TargetContext): TargetDriver {
  return {
    type: 'mlflow-alias',
    async run(action: TargetAction): Promise<TargetResult> {
      const pick = pointerVersion('mlflow-alias', action);
      if ('error' in pick) return failure(pick.error);
      const base = substitute(target.trackingUri, { env: action.environment, environ: ctx.environ }, 'target.trackingUri');
      if (!base.ok) return failure(base.error);
      const endpoint = `${trimSlash(base.value)}/api/2.0/mlflow/registered-models/alias`;
      const targetRef = `${target.model}@${target.alias}`;
      const body = { name: target.model, alias: target.alias, version: pick.version };
      const plan = [`POST ${endpoint} ${JSON.stringify(body)}`];
      if (action.dryRun) return { ok: true, output: `would send: ${plan[0]}`, plan, targetRef };

      const token = await ctx.secret({ kind: 'env', name: 'MLFLOW_TRACKING_TOKEN' });
      const user = await ctx.secret({ kind: 'env', name: 'MLFLOW_TRACKING_USERNAME' });
      const password = await ctx.secret({ kind: 'env', name: 'MLFLOW_TRACKING_PASSWORD' });
      const secrets = [token, password];
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : user && password ? { authorization: basicAuth(user, password) } : {};
      const common = { headers, secrets, ...(action.signal ? { signal: action.signal } : {}) };
      const read = async (): Promise<string | undefined> => {
        const q = new URLSearchParams({ name: target.model, alias: target.alias });
        const r = await requestJson(ctx, 'GET', `${endpoint}?${q}`, common);
        if (r.status === 404) return undefined;
        if (r.status < 200 || r.status >= 300) throw new Error(`GET alias answered HTTP ${r.status} ${r.text}`);
        const v = (r.json as { model_version?: { version?: unknown } } | undefined)?.model_version?.version;
        return v === undefined || v === null ? undefined : String(v);
      };
      const lines: string[] = [];
      try {
        const before = await read();
        lines.push(`${targetRef} was ${before ?? '(unset)'}`);
        const r = await requestJson(ctx, 'POST', endpoint, { ...common, body });
        lines.push(`POST ${endpoint} → HTTP ${r.status}${r.text ? ` ${r.text}` : ''}`);
        ctx.log(`mlflow-alias ${lines.join('; ')}`);
        if (r.status < 200 || r.status >= 300) return failure(`mlflow-alias: setting ${targetRef} to ${pick.version} answered HTTP ${r.status}`, { output: lines.join('\n'), targetRef });
        const after = await read();
        lines.push(`${targetRef} is ${after ?? '(unset)'}`);
        if (after !== pick.version) return failure(`mlflow-alias: ${targetRef} reads ${after ?? '(unset)'} after being set to ${pick.version}`, { output: lines.join('\n'), targetRef });
        return { ok: true, output: lines.join('\n'), targetRef, engineRevision: after };
      } catch (err) {
        return failure(`mlflow-alias: ${errorText(err, secrets)}`, { output: lines.join('\n'), targetRef });
      }
    },
  };
}
