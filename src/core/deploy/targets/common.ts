import { type TemplateValues } from '../config';
import type { TargetAction, TargetContext, TargetResult } from './types';

/**
 * The version a target should serve after an action: for `rollback` the one being returned to
 * (`previousVersion`), otherwise the action's version. Undefined when a rollback has nothing to return to.
 */
export function servingVersion(action: TargetAction): string | undefined {
  return action.action === 'rollback' ? action.previousVersion : action.version;
}

/** The template values of an action: `${version}` is the {@link servingVersion}. */
export function templateValues(action: TargetAction, ctx: TargetContext, version = servingVersion(action)): TemplateValues {
  return { version, weight: action.weight, env: action.environment, environ: ctx.environ };
}

export function failure(error: string, extra: Partial<TargetResult> = {}): TargetResult {
  return { ok: false, output: '', ...extra, error };
}

export function noPreviousVersion(type: string): TargetResult {
  return failure(`${type}: a rollback needs the previous version (none is known for this deploy)`);
}

/** Replaces every occurrence of each secret with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length > 0) out = out.split(s).join('***');
  return out;
}

/** A URL for display: no user info, no query, no fragment. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.replace(/[?#].*$/, '');
  }
}

/** Cancellable sleep; resolves false when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** At most `max` characters of a text, the end cut with a note. */
export function clip(text: string, max = 4096): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
