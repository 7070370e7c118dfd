import type { Worker } from 'node:worker_threads';
import type { CostDimension, DashboardData, DashboardView, TimeChart } from '../../shared/dashboardProtocol';
import type { ReadProgress } from '../otlp/model';
import { plainPriceInputs, type PriceInputs } from '../tokens/pricing/inputs';
import { startWorker, WorkerClient, type SerializedError } from '../worker';
import type { CallRef } from './aggregate';
import type { Alert, AlertTransition } from './alerts';
import type { AlertRule } from './config';
import type { MonitorAttributes } from './types';

export type { CallRef } from './aggregate';

/**
 * The dashboard's figures computed in a worker thread of their own (dist/lazy/dashboardWorker.js): the
 * worker reads the trace files, follows the ones being appended to, and answers each update with the
 * dashboard's data; the extension host never parses a trace file nor holds a span.
 */

/** An update's answer: what the webview shows, and the refs behind its points and bars (kept by the host). */
export interface DashboardModel {
  data: DashboardData;
  /** Per time chart, per bucket index: the calls behind the point (capped per bucket, errors and the slowest first). */
  pointRefs: Record<TimeChart, CallRef[][]>;
  barRefs: Record<CostDimension, Record<string, CallRef[]>>;
}

export interface DashboardInit {
  /** Files and folders (folders: every *.otlp.json(l)[.gz] inside, recursively). A folder that does not exist yet is empty. */
  sources: string[];
  attributes: Partial<MonitorAttributes>;
  prices: PriceInputs;
}

export interface UpdateRequest {
  view: DashboardView;
  /** The window ends now while collecting, else at the last call (see windowFor). */
  live: boolean;
  nowMs: number;
  revision: number;
  /** Shown as the data's source. */
  source: string;
  collecting: boolean;
  collectorRunning: boolean;
}

/** One evaluation of the alert rules over the calls read so far (the worker carries the alerts' state between them). */
export interface AlertsRequest {
  rules: AlertRule[];
  nowMs: number;
  /** Where transitions are appended (.agentops/alerts.jsonl). */
  logFile?: string;
  /** alerts.alertmanager of agentops.yaml: transitions are posted there. */
  alertmanager?: { url: string };
}

export interface AlertsResult {
  firing: Alert[];
  /** Alerts that started firing or resolved at this evaluation. */
  events: AlertTransition[];
  /** Per trace id of the alerts: a call of it to open (errors first). */
  refs: Record<string, CallRef>;
  /** A log write or an Alertmanager post that failed (the evaluation itself stands). */
  problems: string[];
}

export type DashboardRequest = { id: number; method: 'update'; request: UpdateRequest } | { id: number; method: 'alerts'; request: AlertsRequest };

export type DashboardResponse =
  | { type: 'progress'; id: number; progress: ReadProgress }
  | { type: 'result'; id: number; value: DashboardModel }
  | { type: 'alerts'; id: number; value: AlertsResult }
  | { type: 'error'; id: number; error: SerializedError };

export interface DashboardSessionOptions {
  /** dist/lazy/dashboardWorker.js when bundled, src/core/monitor/dashboardWorker.ts from source. */
  workerPath: string;
  init: DashboardInit;
  /** The worker's heap limit in MB (default 4096). */
  maxMemoryMb?: number;
  onProgress?(progress: ReadProgress): void;
  /** The worker stopped by itself (out of memory, a crash); not called on dispose(). */
  onClose?(reason: Error): void;
}

export interface DashboardSession {
  /** Reads what changed since the last update (new files, appended lines) and computes the view. */
  update(request: UpdateRequest): Promise<DashboardModel>;
  /** Reads what changed, then evaluates the alert rules over every call (hysteresis state kept in the worker). */
  alerts(request: AlertsRequest): Promise<AlertsResult>;
  readonly closed: Error | undefined;
  dispose(): void;
}

export function openDashboardSession(options: DashboardSessionOptions): DashboardSession {
  const maxMemoryMb = options.maxMemoryMb ?? 4096;
  const init: DashboardInit = { ...options.init, sources: [...options.init.sources], prices: plainPriceInputs(options.init.prices) };
  return new WorkerDashboardSession(startWorker(options.workerPath, init, { maxOldGenerationSizeMb: maxMemoryMb }), options, maxMemoryMb);
}

class WorkerDashboardSession implements DashboardSession {
  private readonly client: WorkerClient<ReadProgress>;

  constructor(worker: Worker, options: DashboardSessionOptions, maxMemoryMb: number) {
    this.client = new WorkerClient<ReadProgress>(worker, {
      what: 'the dashboard reader',
      outOfMemory: () => `the dashboard's trace files need more than ${maxMemoryMb} MB of memory; its reader was stopped (the editor was not affected)`,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onClose ? { onStopped: options.onClose } : {}),
    });
  }

  get closed(): Error | undefined {
    return this.client.closed;
  }

  update(request: UpdateRequest): Promise<DashboardModel> {
    return this.client.request((id) => ({ id, method: 'update', request }) satisfies DashboardRequest);
  }

  alerts(request: AlertsRequest): Promise<AlertsResult> {
    return this.client.request((id) => ({ id, method: 'alerts', request }) satisfies DashboardRequest);
  }

  dispose(): void {
    this.client.close(new DOMException('the dashboard was closed', 'AbortError'));
  }
}
