import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Json } from '../../otlp/values';
import type { CollectorEvent, CollectorStats, OtlpSignal } from '../types';
import { BodyError, contentEncoding, decompress, readRaw } from './body';
import { PortInUseError } from './errors';
import { findJsonError } from './jsonError';
import { CollectorMetrics } from './metrics/collectorMetrics';
import { exposition } from './metrics/registry';
import { collectorHost, resolveOptions, type CollectorOptions, type ResolvedOptions } from './options';
import { findPortOwner, freePort } from './portOwner';
import { decodeExportRequest, ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest, type MessageDef } from './protobuf/otlpProto';
import { contentTypes, exportResponse, RpcCode, statusBody, type BodyFormat } from './protobuf/responses';
import { WireError } from './protobuf/wire';
import { Store } from './store';
import { BadRequestError, checkRequest } from './validate';

/**
 * The local OTLP/HTTP receiver (127.0.0.1 only): POST /v1/traces, /v1/logs, /v1/metrics in OTLP/JSON or
 * protobuf, optionally gzip/deflate-compressed; GET /metrics for Prometheus. Each accepted request is
 * one OTLP/JSON line in its signal's JSONL file and is answered 200 only once that line is durable
 * (see store.ts for the durability policy). Nothing a client sends can crash it: every failure is an
 * HTTP answer with a google.rpc.Status body saying what was wrong and where.
 */

export interface CollectorHandle {
  /** `http://127.0.0.1:<port>`: what OTEL_EXPORTER_OTLP_ENDPOINT should be set to. */
  readonly url: string;
  readonly port: number;
  readonly outDir: string;
  /** Counts so far (a snapshot; in a worker, as of the worker's last report, at most ~200 ms old). */
  stats(): CollectorStats;
  /** Stops accepting, answers the requests in flight, writes and fdatasyncs what is queued, closes the files; resolves with the final counts. Idempotent. */
  close(): Promise<CollectorStats>;
}

export type CollectorEventListener = (event: CollectorEvent) => void;

const signalOfPath: Record<string, OtlpSignal> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };
const requestDef: Record<OtlpSignal, MessageDef> = { traces: ExportTraceServiceRequest, logs: ExportLogsServiceRequest, metrics: ExportMetricsServiceRequest };
const requestName: Record<OtlpSignal, string> = { traces: 'ExportTraceServiceRequest', logs: 'ExportLogsServiceRequest', metrics: 'ExportMetricsServiceRequest' };

/** The request's body format from its Content-Type, or undefined for anything else (415). */
function formatOf(contentType: string | undefined): BodyFormat | undefined {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (media === 'application/json') return 'json';
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  return undefined;
}

/** An error answer. `format` is the request's, when it had a valid one. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What is wrong with a body JSON.parse refused, with its position (line, column and byte offset). */
function jsonProblem(err: unknown, text: string): string {
  const at = findJsonError(text);
  if (at) return `${at.problem} at line ${at.line} column ${at.column} (character ${at.offset})`;
  return err instanceof Error ? err.message : String(err);
}

function hasNewline(b: Buffer): boolean {
  return b.indexOf(10) !== -1 || b.indexOf(13) !== -1;
}

class Collector implements CollectorHandle {
  readonly server: Server;
  readonly store: Store;
  readonly metrics: CollectorMetrics;
  url = '';
  port = 0;
  private readonly startedAt = new Date().toISOString();
  private readonly counts = {
    accepted: { traces: 0, logs: 0, metrics: 0 } as Record<OtlpSignal, number>,
    rejected: { traces: 0, logs: 0, metrics: 0 } as Record<OtlpSignal, number>,
    requests: 0,
    failedRequests: 0,
  };
  private inflight = 0;
  private idle: (() => void) | undefined;
  private closing: Promise<CollectorStats> | undefined;

  constructor(
    readonly o: ResolvedOptions,
    private readonly emit: CollectorEventListener,
  ) {
    this.store = new Store({
      dir: o.outDir,
      rotateBytes: o.rotateBytes,
      rotateMs: o.rotateMs,
      retention: { maxAgeMs: o.retentionMs, maxTotalBytes: o.maxTotalBytes },
      now: o.now,
      onRotated: (signal, from, to) => emit({ type: 'rotated', signal, from, to }),
      onRemoved: (r) => emit({ type: 'removed', file: r.file, reason: r.reason }),
      onError: (message) => emit({ type: 'error', message }),
    });
    this.metrics = new CollectorMetrics(o.versionAttribute, o.maxSeries);
    this.server = createServer({ keepAliveTimeout: 5000 }, (req, res) => void this.handle(req, res));
    // A malformed request line or headers: answer 400 rather than drop the socket silently.
    this.server.on('clientError', (err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy(err);
    });
  }

  get outDir(): string {
    return this.o.outDir;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server.off('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen({ port: this.o.port, host: collectorHost, exclusive: true });
    }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
      const [owner, suggested] = await Promise.all([findPortOwner(this.o.port).catch(() => undefined), freePort(collectorHost)]);
      throw new PortInUseError(this.o.port, collectorHost, owner, suggested);
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${collectorHost}:${this.port}`;
    this.store.retain();
    this.emit({ type: 'listening', url: this.url, port: this.port });
  }

  stats(): CollectorStats {
    return {
      startedAt: this.startedAt,
      accepted: { ...this.counts.accepted },
      rejected: { ...this.counts.rejected },
      requests: this.counts.requests,
      failedRequests: this.counts.failedRequests,
      bytesWritten: this.store.bytesWritten,
      files: this.store.files(),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    this.counts.requests++;
    let format: BodyFormat = 'json';
    try {
      if (path === '/metrics') {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, RpcCode.unimplemented, `${req.method ?? '?'} is not allowed on /metrics (use GET)`, { allow: 'GET, HEAD' });
        const text = Buffer.from(this.metrics.render());
        this.metrics.request(path, 200);
        res.writeHead(200, { 'content-type': exposition, 'content-length': text.length });
        res.end(req.method === 'HEAD' ? undefined : text);
        return;
      }
      const signal = signalOfPath[path];
      if (!signal) throw new HttpError(404, RpcCode.notFound, `no such endpoint ${JSON.stringify(path.slice(0, 200))}: use POST /v1/traces, /v1/logs or /v1/metrics, or GET /metrics`);
      if (req.method !== 'POST') throw new HttpError(405, RpcCode.unimplemented, `${req.method ?? '?'} is not allowed on ${path} (use POST)`, { allow: 'POST' });
      const f = formatOf(req.headers['content-type']);
      if (!f) throw new HttpError(415, RpcCode.invalidArgument, `Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')} is not supported: use application/json or application/x-protobuf`);
      format = f;
      await this.export(signal, format, req, res);
    } catch (err) {
      try {
        this.fail(req, res, path, format, err);
      } catch {
        res.destroy(); // the connection is already broken: nothing more to say on it
      }
    }
  }

  private async export(signal: OtlpSignal, format: BodyFormat, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const limit = this.o.maxBodyBytes;
    const encoding = contentEncoding(req.headers['content-encoding']);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw new BodyError(413, `the request body (Content-Length ${declared}) is larger than the limit of ${limit} bytes`);
    if (this.closing) throw new HttpError(503, RpcCode.unavailable, 'the collector is stopping', { 'retry-after': '1' });
    if (this.inflight >= this.o.maxConcurrentRequests || this.store.pendingBytes >= this.o.maxQueueBytes) {
      throw new HttpError(503, RpcCode.unavailable, `the collector is behind (${this.inflight} requests in flight, ${this.store.pendingBytes} bytes waiting to be written); retry later`, { 'retry-after': '1' });
    }
    this.inflight++;
    try {
      const raw = await readRaw(req, limit);
      this.metrics.received(signal, raw.length);
      const body = await decompress(raw, encoding, limit);
      let value: Json;
      if (format === 'json') {
        const text = body.toString('utf8');
        try {
          value = JSON.parse(text) as Json;
        } catch (err) {
          throw new BadRequestError(`the body is not valid JSON: ${jsonProblem(err, text)}`);
        }
      } else {
        try {
          value = decodeExportRequest(body, requestDef[signal]);
        } catch (err) {
          if (err instanceof WireError) throw new BadRequestError(`the body is not a valid protobuf ${requestName[signal]}: ${err.message}`);
          throw err;
        }
      }
      const checked = checkRequest(signal, value);
      if (checked.accepted > 0) {
        // A compact JSON body that needed no edit is stored as it came; anything else is written out again on one line.
        const line = format === 'json' && !checked.changed && !hasNewline(body) ? body : Buffer.from(JSON.stringify(checked.doc));
        if (this.store.pendingBytes + line.length > this.o.maxQueueBytes && this.store.pendingBytes > 0) {
          throw new HttpError(503, RpcCode.unavailable, `the collector is behind (${this.store.pendingBytes} bytes waiting to be written); retry later`, { 'retry-after': '1' });
        }
        let file: string;
        try {
          file = await this.store.append(signal, line);
        } catch (err) {
          throw new HttpError(503, RpcCode.unavailable, `the data could not be stored: ${err instanceof Error ? err.message : String(err)}`, { 'retry-after': '5' });
        }
        this.counts.accepted[signal] += checked.accepted;
        this.emit({ type: 'accepted', signal, items: checked.accepted, rejected: checked.rejected, file });
        if (signal === 'traces') {
          try {
            this.metrics.spans(checked.doc);
          } catch (err) {
            this.emit({ type: 'error', message: `/metrics: a request's spans could not be counted: ${err instanceof Error ? err.message : String(err)}` });
          }
        }
      }
      this.counts.rejected[signal] += checked.rejected;
      this.metrics.stored(signal, checked.accepted, checked.rejected);
      const message = checked.rejected > 0 ? `${checked.rejected} of ${checked.accepted + checked.rejected} refused: ${checked.problems.join('; ')}${checked.rejected > checked.problems.length ? '; …' : ''}` : '';
      if (checked.rejected > 0) this.emit({ type: 'refused', status: 200, path: req.url ?? '', reason: message });
      const out = exportResponse(signal, format, checked.rejected, message);
      this.metrics.request(req.url ?? '', 200);
      res.writeHead(200, { 'content-type': contentTypes[format], 'content-length': out.length });
      res.end(out);
    } finally {
      this.inflight--;
      if (this.inflight === 0) this.idle?.();
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, path: string, format: BodyFormat, err: unknown): void {
    let status = 500;
    let code: number = RpcCode.internal;
    let headers: Record<string, string> = {};
    let message: string;
    if (err instanceof HttpError) {
      ({ status, headers } = err);
      code = err.rpcCode;
      message = err.message;
    } else if (err instanceof BodyError) {
      status = err.status;
      code = status === 413 ? RpcCode.resourceExhausted : RpcCode.invalidArgument;
      message = err.message;
    } else if (err instanceof BadRequestError) {
      status = 400;
      code = RpcCode.invalidArgument;
      message = err.message;
    } else {
      message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.counts.failedRequests++;
    this.metrics.request(path, status);
    this.emit({ type: 'refused', status, path: path.slice(0, 200), reason: message });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (!req.complete) {
      // The body was not read (too large, or refused before reading): discard what still comes, but not forever.
      let discarded = 0;
      req.on('data', (c: Buffer) => {
        discarded += c.length;
        if (discarded > 4 * this.o.maxBodyBytes) req.socket.destroy();
      });
      req.resume();
    }
    const body = statusBody(format, code, message);
    res.writeHead(status, { ...headers, 'content-type': contentTypes[format], 'content-length': body.length });
    res.end(body);
  }

  close(): Promise<CollectorStats> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((r) => this.server.close(() => r()));
      this.server.closeIdleConnections();
      if (this.inflight > 0) {
        // Requests in flight get their answers (their data is written first); 10 s at most.
        await Promise.race([new Promise<void>((r) => (this.idle = r)), new Promise<void>((r) => setTimeout(r, 10_000).unref())]);
      }
      this.server.closeAllConnections();
      await stopped;
      await this.store.close();
      return this.stats();
    })();
    return this.closing;
  }
}

/**
 * Starts the collector on 127.0.0.1:`options.port`. Resolves once it listens; rejects with a
 * PortInUseError (owner and a free port, when known) when the port is taken, or a RangeError for bad
 * options. `onEvent` hears of listening, accepted and refused requests, rotations, removals and errors.
 */
export async function startCollector(options: CollectorOptions, onEvent?: CollectorEventListener): Promise<CollectorHandle> {
  const collector = new Collector(resolveOptions(options), (e) => {
    try {
      onEvent?.(e);
    } catch {
      // A listener's bug must not break the collector.
    }
  });
  await collector.listen();
  return collector;
}
