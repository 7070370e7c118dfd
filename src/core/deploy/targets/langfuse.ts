import { substitute, type LangfuseLabelTarget } from '../config';
import { failure } from './common';
import { basicAuth, errorText, requestJson, trimSlash } from './http';
import { pointerVersion } from './labels';
import type { TargetAction, TargetContext, TargetDriver, TargetResult } from './types';

/**
 * The `langfuse-label` target: moves `label` to a prompt version with
 * `PATCH /api/public/v2/prompts/{name}/versions/{version}` `{newLabels: [label]}` (Langfuse removes the
 * label from every other version in the same transaction). Basic auth with LANGFUSE_PUBLIC_KEY :
 * LANGFUSE_SECRET_KEY, through `ctx.secret` as env refs. Versions are integers. Before the move it
 * reads which version holds the label (`GET /api/public/v2/prompts/{name}?label=`), for the output.
 */
export function createLangfuseLabelTarget(target: LangfuseLabelTarget, ctx: TargetContext): TargetDriver {
  return {
    type: 'langfuse-label',
    async run(action: TargetAction): Promise<TargetResult> {
      const pick = pointerVersion('langfuse-label', action);
      if ('error' in pick) return failure(pick.error);
      if (!/^[1-9]\d*$/.test(pick.version)) return failure(`langfuse-label: prompt versions are positive integers, not '${pick.version}'`);
      const host = substitute(target.host, { env: action.environment, environ: ctx.environ }, 'target.host');
      if (!host.ok) return failure(host.error);
      const prompts = `${trimSlash(host.value)}/api/public/v2/prompts/${encodeURIComponent(target.prompt)}`;
      const endpoint = `${prompts}/versions/${pick.version}`;
      const targetRef = `${target.prompt}@${target.label}`;
      const body = { newLabels: [target.label] };
      const plan = [`PATCH ${endpoint} ${JSON.stringify(body)}`];
      if (action.dryRun) return { ok: true, output: `would send: ${plan[0]}`, plan, targetRef };

      const pk = await ctx.secret({ kind: 'env', name: 'LANGFUSE_PUBLIC_KEY' });
      const sk = await ctx.secret({ kind: 'env', name: 'LANGFUSE_SECRET_KEY' });
      if (!pk || !sk) return failure('langfuse-label: LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY must be set; nothing was sent', { targetRef });
      const secrets = [sk];
      const common = { headers: { authorization: basicAuth(pk, sk) }, secrets, ...(action.signal ? { signal: action.signal } : {}) };
      const lines: string[] = [];
      try {
        const cur = await requestJson(ctx, 'GET', `${prompts}?${new URLSearchParams({ label: target.label })}`, common);
        const was = cur.status === 200 ? (cur.json as { version?: unknown } | undefined)?.version : undefined;
        lines.push(`${targetRef} was ${was === undefined ? '(unset)' : String(was)}`);
        const r = await requestJson(ctx, 'PATCH', endpoint, { ...common, body });
        lines.push(`PATCH ${endpoint} → HTTP ${r.status}${r.text ? ` ${r.text}` : ''}`);
        ctx.log(`langfuse-label ${lines.join('; ')}`);
        if (r.status < 200 || r.status >= 300) return failure(`langfuse-label: moving ${targetRef} to version ${pick.version} answered HTTP ${r.status}`, { output: lines.join('\n'), targetRef });
        const v = (r.json as { version?: unknown } | undefined)?.version;
        return { ok: true, output: lines.join('\n'), targetRef, engineRevision: v === undefined ? pick.version : String(v) };
      } catch (err) {
        return failure(`langfuse-label: ${errorText(err, secrets)}`, { output: lines.join('\n'), targetRef });
      }
    },
  };
}
