import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Shared by the collector's tests (not a test file itself). */

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `agentops-${prefix}-`));
}

/** The collector's files of `signal` in `dir`, oldest first. */
export function collectorFiles(dir: string, signal = 'traces'): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith(`${signal}-`) && n.endsWith('.otlp.jsonl'))
    .sort()
    .map((n) => join(dir, n));
}

export interface TestSpan {
  traceId: string;
  spanId: string;
  name?: string;
  attributes?: Record<string, string | number | boolean>;
  error?: boolean;
  durationMs?: number;
}

let counter = 0;

/** A fresh valid id pair (unique within the process). */
export function ids(): { traceId: string; spanId: string } {
  counter++;
  const n = counter.toString(16).padStart(16, '0');
  return { traceId: `${(process.pid % 0xffff).toString(16).padStart(4, '0')}abcd${'0'.repeat(8)}${n}`.slice(0, 32).padStart(32, '1'), spanId: n.replace(/^0/, 'f') };
}

function attr(key: string, v: string | number | boolean): { key: string; value: Record<string, unknown> } {
  if (typeof v === 'string') return { key, value: { stringValue: v } };
  if (typeof v === 'boolean') return { key, value: { boolValue: v } };
  return { key, value: Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } };
}

/** An OTLP/JSON ExportTraceServiceRequest holding `spans` under one resource. */
export function tracesRequest(spans: TestSpan[], resource: Record<string, string> = { 'service.name': 'test' }): { resourceSpans: unknown[] } {
  const start = 1_700_000_000_000_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([k, v]) => attr(k, v)) },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              name: s.name ?? 'chat',
              kind: 3,
              startTimeUnixNano: String(start),
              endTimeUnixNano: String(start + BigInt(Math.round((s.durationMs ?? 100) * 1e6))),
              attributes: Object.entries(s.attributes ?? {}).map(([k, v]) => attr(k, v)),
              status: s.error ? { code: 2, message: 'boom' } : { code: 1 },
            })),
          },
        ],
      },
    ],
  };
}

export async function post(url: string, body: Buffer | string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

let gcFn: (() => void) | undefined;

/** A full GC (exposed at run time, without --expose-gc on the command line), so heap figures mean live data. */
export function gc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}
