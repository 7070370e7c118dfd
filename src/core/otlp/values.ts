import type { AttrValue, Attributes } from './model';

/**
 * OTLP AnyValue, KeyValue lists and 64-bit integers, decoded tolerantly:
 * camelCase or snake_case keys, int64 as string or number, doubles as numbers
 * or "NaN"/"Infinity" strings.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field under its lowerCamelCase name or, as the Collector also accepts, its snake_case name. */
export function field(o: JsonObject, camel: string, snake: string): Json | undefined {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}

export function asArray(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `obj[key] = value` that cannot touch the prototype, whatever the file's keys are. */
export function setKey(obj: { [key: string]: AttrValue }, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

const intText = /^[-+]?\d+$/;

/** intValue: a number within ±2^53, else the exact decimal string. */
export function int64Value(v: Json | undefined): AttrValue {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    return Number.isFinite(v) ? BigInt(Math.trunc(v)).toString() : null;
  }
  if (typeof v === 'string' && intText.test(v.trim())) {
    const text = v.trim();
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text).toString();
  }
  return typeof v === 'string' ? v : null;
}

export function doubleValue(v: Json | undefined): AttrValue {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v);
    if (!Number.isNaN(n) || v === 'NaN') return n;
    return v;
  }
  return null;
}

/** Nesting beyond this is dropped: decoding is recursive and the input untrusted. */
const maxDepth = 64;

export function anyValue(v: Json | undefined, depth = 0): AttrValue {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return Array.isArray(v) ? v.map((x) => plainValue(x, depth + 1)) : v;
  if (depth > maxDepth) return null;
  let x = field(v, 'stringValue', 'string_value');
  if (x !== undefined) return typeof x === 'string' ? x : plainValue(x, depth);
  x = field(v, 'boolValue', 'bool_value');
  if (x !== undefined) return typeof x === 'boolean' ? x : x === 'true';
  x = field(v, 'intValue', 'int_value');
  if (x !== undefined) return int64Value(x);
  x = field(v, 'doubleValue', 'double_value');
  if (x !== undefined) return doubleValue(x);
  x = field(v, 'arrayValue', 'array_value');
  if (x !== undefined) return isObject(x) ? asArray(x.values).map((e) => anyValue(e, depth + 1)) : [];
  x = field(v, 'kvlistValue', 'kvlist_value');
  if (x !== undefined) return isObject(x) ? attributes(x.values, depth + 1) : {};
  x = field(v, 'bytesValue', 'bytes_value');
  if (x !== undefined) return typeof x === 'string' ? x : null;
  // {} is the empty AnyValue; anything else is not an AnyValue at all.
  return Object.keys(v).length === 0 ? null : plainValue(v, depth);
}

/** Plain JSON as an AttrValue (for attribute maps written as objects rather than KeyValue lists). */
function plainValue(v: Json, depth: number): AttrValue {
  if (!isObject(v) && !Array.isArray(v)) return v;
  if (depth > maxDepth) return null;
  if (Array.isArray(v)) return v.map((x) => plainValue(x, depth + 1));
  const out: { [key: string]: AttrValue } = {};
  for (const [k, x] of Object.entries(v)) setKey(out, k, plainValue(x, depth + 1));
  return out;
}

/** A KeyValue list (or, tolerated, a plain object) as Attributes. Later duplicates win. */
export function attributes(v: Json | undefined, depth = 0): Attributes {
  const out: Attributes = {};
  if (Array.isArray(v)) {
    for (const kv of v) {
      if (!isObject(kv)) continue;
      const key = kv.key;
      if (typeof key !== 'string') continue;
      setKey(out, key, anyValue(kv.value, depth + 1));
    }
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) setKey(out, k, plainValue(x, depth + 1));
  }
  return out;
}

export type Nanos = { ns: bigint; ok: boolean; imprecise: boolean };

/** A fixed64 nanosecond time as bigint. A JSON number beyond 2^53 was already rounded by JSON.parse. */
export function nanos(v: Json | undefined): Nanos | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return { ns: 0n, ok: false, imprecise: false };
    return { ns: BigInt(Math.trunc(v)), ok: true, imprecise: !Number.isSafeInteger(v) };
  }
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^\d+$/.test(t)) return { ns: BigInt(t), ok: true, imprecise: false };
    // Some hand-written payloads use exponent notation.
    const n = Number(t);
    if (t !== '' && Number.isFinite(n) && n >= 0) return { ns: BigInt(Math.trunc(n)), ok: true, imprecise: !Number.isSafeInteger(n) };
  }
  return { ns: 0n, ok: false, imprecise: false };
}
