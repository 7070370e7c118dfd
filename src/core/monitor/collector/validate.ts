import { decodeId } from '../../otlp/ids';
import { metricKinds } from '../../otlp/normalize';
import { field, isObject, type Json, type JsonObject } from '../../otlp/values';
import type { OtlpSignal } from '../types';

/**
 * Checks an export request in the OTLP/JSON shape (parsed JSON, or decoded protobuf) before it is stored.
 * Two kinds of problems, as the OTLP/HTTP spec separates them:
 *  - the request is malformed (a list that is not a list, an element that is not an object): a
 *    BadRequestError naming the path, answered 400, nothing stored;
 *  - single items are invalid (a span whose trace id is not 16 bytes or is all zero): those items are
 *    dropped and counted, the rest is stored, and the answer is 200 with partial_success.
 * Base64 ids (what generic protobuf-JSON printers write) are rewritten as the hex OTLP/JSON asks for.
 */

export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

export interface CheckedRequest {
  /** The request with refused items removed (the same object, edited in place). */
  doc: JsonObject;
  accepted: number;
  rejected: number;
  /** Why items were refused: the first few, with their paths. */
  problems: string[];
  /** True when the request was edited (items dropped, ids rewritten): the original bytes can no longer be stored as they are. */
  changed: boolean;
}

const maxProblems = 5;

interface Walk {
  accepted: number;
  rejected: number;
  problems: string[];
  changed: boolean;
}

function reject(w: Walk, path: string, why: string): void {
  w.rejected++;
  w.changed = true;
  if (w.problems.length < maxProblems) w.problems.push(`${path}: ${why}`);
}

/** A list field: absent is empty; anything else but an array is malformed. */
function list(owner: JsonObject, camel: string, snake: string, path: string): Json[] {
  const v = field(owner, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadRequestError(`${path}.${camel}: expected an array, got ${kindOf(v)}`);
  return v;
}

function kindOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function object(v: Json, path: string): JsonObject {
  if (!isObject(v)) throw new BadRequestError(`${path}: expected an object, got ${kindOf(v)}`);
  return v;
}

const zeroTrace = '0'.repeat(32);
const zeroSpan = '0'.repeat(16);

/**
 * An id field of an item: undefined when valid (and rewritten to hex when it was base64), else why not.
 * `required` ids (a span's) must be present; optional ones (a log's) may be empty.
 */
function checkId(item: JsonObject, camel: string, snake: string, kind: 'trace' | 'span', required: boolean, w: Walk): string | undefined {
  const key = item[camel] !== undefined ? camel : snake;
  const raw = item[key];
  if (raw === undefined || raw === null || raw === '') return required ? `${camel} is missing or empty` : undefined;
  if (typeof raw !== 'string') return `${camel} is ${kindOf(raw)}, not a hex string`;
  const d = decodeId(raw, kind);
  if (!d.ok) return `${camel} ${JSON.stringify(raw.slice(0, 40))} is not ${kind === 'trace' ? 32 : 16} hex digits (${kind === 'trace' ? 16 : 8} bytes)`;
  if (d.id === (kind === 'trace' ? zeroTrace : zeroSpan)) return `${camel} is all zero (an invalid id)`;
  if (d.id !== raw) {
    item[key] = d.id;
    w.changed = true;
  }
  return undefined;
}

/** Keeps the items `keep` accepts, in place; returns whether any was dropped. */
function filterInPlace(items: Json[], keep: (item: Json, index: number) => boolean): void {
  let j = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as Json;
    if (keep(it, i)) items[j++] = it;
  }
  items.length = j;
}

function checkTraces(doc: JsonObject, w: Walk): void {
  list(doc, 'resourceSpans', 'resource_spans', '').forEach((rsRaw, i) => {
    const rsPath = `resourceSpans[${i}]`;
    const rs = object(rsRaw, rsPath);
    const scopes = [...list(rs, 'scopeSpans', 'scope_spans', rsPath), ...list(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans', rsPath)];
    scopes.forEach((ssRaw, j) => {
      const ssPath = `${rsPath}.scopeSpans[${j}]`;
      const ss = object(ssRaw, ssPath);
      const spans = list(ss, 'spans', 'spans', ssPath);
      filterInPlace(spans, (spanRaw, k) => {
        const path = `${ssPath}.spans[${k}]`;
        const span = object(spanRaw, path);
        const why = checkId(span, 'traceId', 'trace_id', 'trace', true, w) ?? checkId(span, 'spanId', 'span_id', 'span', true, w);
        if (why !== undefined) {
          reject(w, path, why);
          return false;
        }
        // A parent id in base64 is rewritten too; an undecodable one is kept (the reader reports it).
        checkId(span, 'parentSpanId', 'parent_span_id', 'span', false, w);
        w.accepted++;
        return true;
      });
    });
  });
}

function checkLogs(doc: JsonObject, w: Walk): void {
  list(doc, 'resourceLogs', 'resource_logs', '').forEach((rlRaw, i) => {
    const rlPath = `resourceLogs[${i}]`;
    const rl = object(rlRaw, rlPath);
    const scopes = [...list(rl, 'scopeLogs', 'scope_logs', rlPath), ...list(rl, 'instrumentationLibraryLogs', 'instrumentation_library_logs', rlPath)];
    scopes.forEach((slRaw, j) => {
      const slPath = `${rlPath}.scopeLogs[${j}]`;
      const sl = object(slRaw, slPath);
      filterInPlace(list(sl, 'logRecords', 'log_records', slPath), (recRaw, k) => {
        const path = `${slPath}.logRecords[${k}]`;
        const rec = object(recRaw, path);
        // Log records need no ids; ids that are there must be valid.
        const why = checkId(rec, 'traceId', 'trace_id', 'trace', false, w) ?? checkId(rec, 'spanId', 'span_id', 'span', false, w);
        if (why !== undefined) {
          reject(w, path, why);
          return false;
        }
        w.accepted++;
        return true;
      });
    });
  });
}


function checkMetrics(doc: JsonObject, w: Walk): void {
  list(doc, 'resourceMetrics', 'resource_metrics', '').forEach((rmRaw, i) => {
    const rmPath = `resourceMetrics[${i}]`;
    const rm = object(rmRaw, rmPath);
    const scopes = [...list(rm, 'scopeMetrics', 'scope_metrics', rmPath), ...list(rm, 'instrumentationLibraryMetrics', 'instrumentation_library_metrics', rmPath)];
    scopes.forEach((smRaw, j) => {
      const smPath = `${rmPath}.scopeMetrics[${j}]`;
      const sm = object(smRaw, smPath);
      filterInPlace(list(sm, 'metrics', 'metrics', smPath), (mRaw, k) => {
        const path = `${smPath}.metrics[${k}]`;
        const m = object(mRaw, path);
        let points = 0;
        for (const [camel, snake] of metricKinds) {
          const data = field(m, camel, snake);
          if (data === undefined || data === null) continue;
          points += list(object(data, `${path}.${camel}`), 'dataPoints', 'data_points', `${path}.${camel}`).length;
        }
        // The data model requires a name: a nameless metric's points are refused.
        if (typeof m.name !== 'string' || m.name === '') {
          w.rejected += points;
          w.changed = true;
          if (w.problems.length < maxProblems) w.problems.push(`${path}: the metric has no name (${points} data point(s) refused)`);
          return false;
        }
        w.accepted += points;
        return true;
      });
    });
  });
}

const checkers: Record<OtlpSignal, (doc: JsonObject, w: Walk) => void> = { traces: checkTraces, logs: checkLogs, metrics: checkMetrics };

/** Validates (and, for refused items, edits) an export request of `signal`. Throws BadRequestError when it is malformed. */
export function checkRequest(signal: OtlpSignal, value: Json): CheckedRequest {
  const doc = object(value, 'the request body');
  const w: Walk = { accepted: 0, rejected: 0, problems: [], changed: false };
  checkers[signal](doc, w);
  return { doc, ...w };
}

/** The top-level key of each signal's requests (and stored lines). */
export const signalKey: Record<OtlpSignal, string> = { traces: 'resourceSpans', logs: 'resourceLogs', metrics: 'resourceMetrics' };
