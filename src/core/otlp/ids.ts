/**
 * Trace and span ids. The OTLP spec says case-insensitive hex, but generic
 * protobuf JSON (Java JsonFormat, Swift, Tempo, …) writes base64; both are
 * accepted and turned into lowercase hex.
 */

export type IdKind = 'trace' | 'span';

export interface DecodedId {
  /** Lowercase hex, '' when absent or empty, or the raw text when undecodable. */
  id: string;
  /** False when the text was neither hex nor base64 of the right length. */
  ok: boolean;
}

const hexTrace = /^[0-9a-fA-F]{32}$/;
const hexSpan = /^[0-9a-fA-F]{16}$/;
const base64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export function decodeId(raw: unknown, kind: IdKind): DecodedId {
  if (raw === undefined || raw === null || raw === '') return { id: '', ok: true };
  if (typeof raw !== 'string') return { id: String(raw), ok: false };
  const bytes = kind === 'trace' ? 16 : 8;
  if ((kind === 'trace' ? hexTrace : hexSpan).test(raw)) return { id: raw.toLowerCase(), ok: true };
  // base64 of n bytes is ceil(n/3)*4 characters padded, or fewer without padding.
  const padded = Math.ceil(bytes / 3) * 4;
  if (raw.length <= padded && raw.length >= padded - 2 && base64.test(raw)) {
    const buf = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === bytes) return { id: buf.toString('hex'), ok: true };
  }
  return { id: raw, ok: false };
}
