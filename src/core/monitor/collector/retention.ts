import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { byStart, collectorFile } from './fileNames';

/**
 * Retention: removes the collector's own rotated files (matched by name, never anything else in the
 * folder, never a file being appended to) that are older than `maxAgeMs` by their last write, then the
 * oldest ones until the folder's collector files fit in `maxTotalBytes`.
 */

export interface RetentionPolicy {
  /** 0 or undefined: no age limit. */
  maxAgeMs?: number;
  /** 0 or undefined: no size limit. */
  maxTotalBytes?: number;
}

export interface Removal {
  file: string;
  reason: string;
}

export async function applyRetention(dir: string, current: ReadonlySet<string>, policy: RetentionPolicy, now: number): Promise<Removal[]> {
  if (!policy.maxAgeMs && !policy.maxTotalBytes) return [];
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).filter((n) => collectorFile.test(n)).sort(byStart);
  } catch {
    return [];
  }
  const files: { path: string; size: number; mtimeMs: number }[] = [];
  for (const n of names) {
    const path = join(dir, n);
    try {
      const st = await fsp.stat(path);
      if (st.isFile()) files.push({ path, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // Removed meanwhile.
    }
  }
  const removed: Removal[] = [];
  const remove = async (path: string, reason: string): Promise<boolean> => {
    try {
      await fsp.unlink(path);
      removed.push({ file: path, reason });
      return true;
    } catch {
      return false;
    }
  };
  const kept: typeof files = [];
  for (const f of files) {
    const ageMs = now - f.mtimeMs;
    if (policy.maxAgeMs && !current.has(f.path) && ageMs > policy.maxAgeMs && (await remove(f.path, `older than the retention of ${formatDuration(policy.maxAgeMs)} (last written ${formatDuration(ageMs)} ago)`))) continue;
    kept.push(f);
  }
  if (policy.maxTotalBytes) {
    let total = kept.reduce((s, f) => s + f.size, 0);
    for (const f of kept) {
      if (total <= policy.maxTotalBytes) break;
      if (current.has(f.path)) continue;
      if (await remove(f.path, `the collector's files took ${total} bytes, more than the limit of ${policy.maxTotalBytes}`)) total -= f.size;
    }
  }
  return removed;
}

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}
