/**
 * The monitor's shared shapes: what the collector hands on, what every figure (dashboard, report,
 * alerts, drift) is computed from. Plain data, no I/O: the collector, the analytics and the
 * dashboard are written against these and nothing else of each other.
 */

/** Which attributes (span first, then resource) give each allocation dimension. Settings `agentOps.monitor.attributes.*`. */
export interface MonitorAttributes {
  user: string;
  session: string;
  conversation: string;
  project: string;
  /** The deployed version (compared before/after a deploy, version A vs B). */
  version: string;
}

export const defaultMonitorAttributes: Readonly<MonitorAttributes> = {
  user: 'user.id',
  session: 'session.id',
  conversation: 'gen_ai.conversation.id',
  project: 'agentops.project',
  version: 'service.version',
};

export type CallKind = 'llm' | 'embedding' | 'agent' | 'tool' | 'other';

/**
 * One GenAI operation read from a span: the unit every monitor figure is computed from. "Requests"
 * (req/s, error rate, latency percentiles, tokens, cost) count model calls: kind `llm` or
 * `embedding`. Agent and tool spans feed the per-operation latency and the tool-usage mix.
 */
export interface CallRecord {
  traceId: string;
  spanId: string;
  /** Where the span was read (absolute path) and its 1-based line: "open the traces behind this point". */
  file?: string;
  line?: number;
  /** Epoch milliseconds. */
  startMs: number;
  endMs: number;
  durationMs: number;
  kind: CallKind;
  /** gen_ai.operation.name, else the span name. */
  operation: string;
  model?: string;
  provider?: string;
  agent?: string;
  user?: string;
  project?: string;
  session?: string;
  conversation?: string;
  version?: string;
  /** Span status ERROR. */
  error: boolean;
  /** error.type, else the exception event's type, else the status message's first word. */
  errorType?: string;
  inputTokens: number;
  outputTokens: number;
  /** Reported by the instrumentation, else priced from the model's usage; absent when unknown. */
  costUsd?: number;
  finishReasons: string[];
  /** Tool spans: the tool's name. */
  tool?: string;
  /** sha256 (hex, first 16) of the canonical JSON of the input messages, when content was captured. */
  inputHash?: string;
  /** The output messages' text, when content was captured (consistency). Truncated to 4,000 characters. */
  outputText?: string;
}

export type Dimension = 'user' | 'project' | 'model' | 'agent' | 'operation' | 'version' | 'session';

export interface LatencyPercentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** The `agentops report --json` head, also a dashboard card row. Latency in ms; rates 0–1. */
export interface Summary {
  window: { start: string; end: string };
  requests: number;
  errors: number;
  errorRate: number;
  latencyMs: LatencyPercentiles;
  tokens: { input: number; output: number };
  costUsd: number;
}

// ── the collector ───────────────────────────────────────────────────────────

export type OtlpSignal = 'traces' | 'logs' | 'metrics';

export interface CollectorStats {
  startedAt: string;
  /** Accepted (and durable, per the durability policy) items per signal: spans, log records, metric data points. */
  accepted: Record<OtlpSignal, number>;
  /** Items refused inside accepted requests (partial success). */
  rejected: Record<OtlpSignal, number>;
  requests: number;
  /** Requests answered 4xx/5xx. */
  failedRequests: number;
  bytesWritten: number;
  /** The file each signal is being appended to now. */
  files: Partial<Record<OtlpSignal, string>>;
}

/** What the collector tells its host (the extension's output channel, the CLI's stderr, the dashboard's live feed). */
export type CollectorEvent =
  | { type: 'listening'; url: string; port: number }
  | { type: 'accepted'; signal: OtlpSignal; items: number; rejected: number; file: string }
  | { type: 'refused'; status: number; path: string; reason: string }
  | { type: 'rotated'; signal: OtlpSignal; from: string; to: string }
  | { type: 'removed'; file: string; reason: string }
  | { type: 'error'; message: string }
  /** The collector stopped without being asked (its worker thread died): nothing listens any more. */
  | { type: 'stopped'; reason: string };
