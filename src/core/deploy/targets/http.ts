import { clip, redact } from './common';
import type { TargetContext } from './types';

export interface HttpAnswer {
  status: number;
  text: string;
  json: unknown;
}

/** One JSON request with a time limit; throws on network errors. Secrets are redacted from the text. */
export async function requestJson(
  ctx: TargetContext,
  method: string,
  url: string,
  opts: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number; secrets?: (string | undefined)[] },
): Promise<HttpAnswer> {
  const doFetch = ctx.fetch ?? fetch;
  const signals = [AbortSignal.timeout(opts.timeoutMs ?? 30_000), ...(opts.signal ? [opts.signal] : [])];
  const res = await doFetch(url, {
    method,
    headers: { accept: 'application/json', ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    signal: AbortSignal.any(signals),
  });
  const text = redact(clip(await res.text().catch(() => '')), opts.secrets ?? []);
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

export function errorText(err: unknown, secrets: (string | undefined)[] = []): string {
  const msg = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
  return redact(msg, secrets);
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
