import { createHmac } from 'node:crypto';
import { substitute, type WebhookTarget } from '../config';
import { clip, displayUrl, failure, redact, sleep } from './common';
import type { TargetAction, TargetContext, TargetDriver, TargetResult } from './types';

/**
 * The `webhook` target. Each action is one POST of JSON
 * `{deployId, environment, version, previousVersion, weight, action, idempotencyKey, at}` with headers:
 *
 * - `Idempotency-Key`: the action's key, the same on every retry (the body is byte-identical too);
 * - `X-AgentOps-Timestamp`: `at` in Unix seconds;
 * - `X-AgentOps-Signature: sha256=<hex>`: HMAC-SHA256 of the raw request body, keyed with the secret.
 *   Receivers recompute it over the exact bytes received, compare in constant time, and reject
 *   deliveries whose `at` (inside the signed body) is too old.
 *
 * A 2xx succeeds. 5xx, 429 and network errors or timeouts are retried (`retries`, default 3) with
 * exponential backoff and full jitter, or after `Retry-After` when the server sends one (capped);
 * any other status fails at once. A configured secret that does not resolve fails before any request.
 */
export interface WebhookOptions {
  /** First backoff, milliseconds (default 500). */
  baseDelayMs?: number;
  /** Longest backoff and longest Retry-After honoured, milliseconds (default 30 000). */
  maxDelayMs?: number;
  /** The clock, for `at`. */
  now?: () => Date;
}

export const defaultWebhookRetries = 3;
export const defaultWebhookTimeoutMs = 30_000;

export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const d = Date.parse(t);
  return Number.isNaN(d) ? undefined : Math.max(0, d - now);
}

export function createWebhookTarget(target: WebhookTarget, ctx: TargetContext, opts: WebhookOptions = {}): TargetDriver {
  const baseDelay = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const now = opts.now ?? (() => new Date());
  return {
    type: 'webhook',
    async run(action: TargetAction): Promise<TargetResult> {
      const u = substitute(target.url, { version: action.version, weight: action.weight, env: action.environment, environ: ctx.environ }, 'target.url');
      if (!u.ok) return failure(u.error);
      const url = u.value;
      const targetRef = displayUrl(url);
      const secretName = target.secret.kind === 'env' ? `environment variable ${target.secret.name}` : `secret '${target.secret.key}'`;
      const secret = await ctx.secret(target.secret);
      if (secret === undefined || secret === '') return failure(`webhook: the signing secret (${secretName}) is not set; nothing was sent`, { targetRef });
      const at = now();
      const payload = {
        deployId: action.deployId,
        environment: action.environment,
        version: action.version,
        previousVersion: action.previousVersion ?? null,
        weight: action.weight,
        action: action.action,
        idempotencyKey: action.idempotencyKey,
        at: at.toISOString(),
      };
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-key': action.idempotencyKey,
        'x-agentops-timestamp': String(Math.floor(at.getTime() / 1000)),
        'x-agentops-signature': signWebhookBody(secret, body),
        'user-agent': 'agentops-deploy',
      };
      const shown = `POST ${targetRef} Idempotency-Key: ${action.idempotencyKey} ${body}`;
      if (action.dryRun) return { ok: true, output: `would send: ${shown}`, plan: [shown], targetRef };

      const doFetch = ctx.fetch ?? fetch;
      const attempts = (target.retries ?? defaultWebhookRetries) + 1;
      const timeoutMs = target.timeout ?? defaultWebhookTimeoutMs;
      const lines: string[] = [];
      let lastError = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (action.signal?.aborted) return failure('webhook: cancelled', { output: lines.join('\n'), targetRef });
        let wait: number | undefined;
        let retryable: boolean;
        try {
          const signals = [AbortSignal.timeout(timeoutMs), ...(action.signal ? [action.signal] : [])];
          const res = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.any(signals), redirect: 'manual' });
          const text = redact(clip(await res.text().catch(() => '')), [secret]);
          const line = `attempt ${attempt}/${attempts}: HTTP ${res.status}${text ? ` ${text}` : ''}`;
          lines.push(line);
          ctx.log(`webhook ${targetRef} ${line}`);
          if (res.status >= 200 && res.status < 300) return { ok: true, output: lines.join('\n'), targetRef };
          lastError = `webhook: ${targetRef} answered HTTP ${res.status}`;
          retryable = res.status >= 500 || res.status === 429;
          if (retryable) wait = retryAfterMs(res.headers.get('retry-after'));
        } catch (err) {
          if (action.signal?.aborted) return failure('webhook: cancelled', { output: lines.join('\n'), targetRef });
          const msg = redact(err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err), [secret]);
          const line = `attempt ${attempt}/${attempts}: ${msg}`;
          lines.push(line);
          ctx.log(`webhook ${targetRef} ${line}`);
          lastError = `webhook: ${targetRef}: ${msg}`;
          retryable = true;
        }
        if (!retryable) break;
        if (attempt < attempts) {
          const backoff = Math.random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
          const delay = Math.min(maxDelay, wait ?? backoff);
          if (!(await sleep(delay, action.signal))) return failure('webhook: cancelled', { output: lines.join('\n'), targetRef });
        } else lastError += ` after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
      }
      return failure(lastError, { output: lines.join('\n'), targetRef });
    },
  };
}
