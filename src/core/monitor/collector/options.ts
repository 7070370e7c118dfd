import { join } from 'node:path';
import { defaultMonitorAttributes } from '../types';

/** How the collector listens, stores, rotates and bounds itself. Every field has a default but `outDir`. */
export interface CollectorOptions {
  /** TCP port on 127.0.0.1 (the collector never listens elsewhere). Default 4318, OTLP/HTTP's; 0 picks a free port. */
  port?: number;
  /** Where the JSONL files go: `defaultCollectorDir(workspace)` is `<workspace>/.agentops/traces`. */
  outDir: string;
  /** Largest request body, both as sent and decompressed. Default 16 MiB. */
  maxBodyBytes?: number;
  /** A file is rotated before it would pass this size. Default 64 MiB. */
  rotateBytes?: number;
  /** …or once it is this old. Default 1 h; 0 never rotates by time. */
  rotateMs?: number;
  /** Rotated files last written longer ago than this are removed. Default 7 days; 0 keeps them. */
  retentionMs?: number;
  /** Optionally, the oldest rotated files are removed while the folder's collector files are larger. Default none. */
  maxTotalBytes?: number;
  /** Bytes waiting to be written before requests are answered 503 with Retry-After. Default 64 MiB. */
  maxQueueBytes?: number;
  /** Requests being received or written at once before new ones are answered 503. Default 1,024. */
  maxConcurrentRequests?: number;
  /** Distinct label sets per /metrics family before new ones fold into "other". Default 10,000. */
  maxSeries?: number;
  /** The span (else resource) attribute giving the `version` label. Default `service.version`. */
  versionAttribute?: string;
  /** The clock (epoch ms) for file names, rotation by time and retention: tests inject one. Not available across a worker. */
  now?: () => number;
}

export type ResolvedOptions = Required<Omit<CollectorOptions, 'maxTotalBytes'>> & { maxTotalBytes: number };

export const collectorHost = '127.0.0.1';
export const defaultPort = 4318;
const MiB = 1024 * 1024;

export function defaultCollectorDir(workspace: string): string {
  return join(workspace, '.agentops', 'traces');
}

function positive(name: string, v: number | undefined, fallback: number, allowZero = false): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new RangeError(`collector option ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
  return v;
}

export function resolveOptions(o: CollectorOptions): ResolvedOptions {
  const port = o.port ?? defaultPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`collector port must be an integer from 0 to 65535, got ${port}`);
  if (typeof o.outDir !== 'string' || o.outDir === '') throw new RangeError('collector option outDir is required');
  return {
    port,
    outDir: o.outDir,
    maxBodyBytes: positive('maxBodyBytes', o.maxBodyBytes, 16 * MiB),
    rotateBytes: positive('rotateBytes', o.rotateBytes, 64 * MiB),
    rotateMs: positive('rotateMs', o.rotateMs, 60 * 60 * 1000, true),
    retentionMs: positive('retentionMs', o.retentionMs, 7 * 24 * 60 * 60 * 1000, true),
    maxTotalBytes: positive('maxTotalBytes', o.maxTotalBytes, 0, true),
    maxQueueBytes: positive('maxQueueBytes', o.maxQueueBytes, 64 * MiB),
    maxConcurrentRequests: positive('maxConcurrentRequests', o.maxConcurrentRequests, 1024),
    maxSeries: positive('maxSeries', o.maxSeries, 10_000),
    versionAttribute: o.versionAttribute ?? defaultMonitorAttributes.version,
    now: o.now ?? Date.now,
  };
}
