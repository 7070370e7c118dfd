import type { OtlpSignal } from '../../types';
import { WireWriter } from './wire';

/**
 * The answers of OTLP/HTTP, in the request's own encoding: ExportXServiceResponse (with partial_success
 * when items were refused) for a 200, google.rpc.Status for every error status.
 */

export type BodyFormat = 'json' | 'protobuf';

export const contentTypes: Record<BodyFormat, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

/** partial_success's count field, per signal (field 1 of ExportXPartialSuccess). */
const rejectedField: Record<OtlpSignal, string> = { traces: 'rejectedSpans', logs: 'rejectedLogRecords', metrics: 'rejectedDataPoints' };

/** A 200 answer: empty on full success; partial_success { rejected…, error_message } otherwise. */
export function exportResponse(signal: OtlpSignal, format: BodyFormat, rejected: number, errorMessage: string): Buffer {
  const partial = rejected > 0 || errorMessage !== '';
  if (format === 'json') {
    // int64 is a string in OTLP/JSON.
    return Buffer.from(JSON.stringify(partial ? { partialSuccess: { [rejectedField[signal]]: String(rejected), errorMessage } } : {}));
  }
  if (!partial) return Buffer.alloc(0);
  const inner = new WireWriter().int(1, rejected).string(2, errorMessage).finish();
  return new WireWriter().bytes(1, inner).finish();
}

/** google.rpc.Code values used in error answers. */
export const RpcCode = { invalidArgument: 3, notFound: 5, resourceExhausted: 8, unimplemented: 12, internal: 13, unavailable: 14 } as const;

/** google.rpc.Status { code = 1, message = 2 } (details, field 3, are not used). */
export function statusBody(format: BodyFormat, code: number, message: string): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return new WireWriter().int(1, code).string(2, message).finish();
}
