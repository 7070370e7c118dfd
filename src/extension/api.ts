import type { DashboardData, TimeChart } from '../shared/dashboardProtocol';

/** What `activate` returns: used by the integration suite and by other extensions. */
export interface AgentOpsApi {
  readonly activation: {
    /** Loading the bundle plus the activate() call. */
    readonly totalMs: number;
    /** Evaluating dist/extension.js, from its first line to the end of its last module. */
    readonly loadMs: number;
    /** The activate() call alone. */
    readonly activateMs: number;
  };
  /** Names of the heavy modules loaded so far (see lazy.ts). Empty right after activation. */
  loadedLazyModules(): string[];
  /** Folder of the "Agent Ops" log file, as a URI string. */
  readonly logFolder: string;
  /** The "Agent Ops: Trajectories" view, as its TreeDataProvider gives it (used by the integration suite). */
  readonly trajectories: TrajectoryViewApi;
  /** The "Agent Ops: Deploy History" view and the deploy status bar item (used by the integration suite). */
  readonly deploys: DeployViewApi;
  /** The trace collector and the monitoring dashboard (used by the integration suite). */
  readonly monitor: MonitorApi;
}

export interface MonitorApi {
  /** Judges the alert rules over the collected files now; the alerts firing (empty while the collector is stopped). */
  alerts(): Promise<{ rule: string; severity: 'error' | 'warning'; value: number; threshold: number; since: string }[]>;
  /** The running collector's base URL (http://127.0.0.1:<port>), undefined while stopped. */
  collectorUrl(): string | undefined;
  /** The collector's status bar text, undefined while stopped. */
  statusBarText(): string | undefined;
  /** The data the open dashboard shows now; undefined when it is closed or has not loaded yet. */
  dashboardData(): DashboardData | undefined;
  /** Resolves with the open dashboard's data once `accept` takes it (polled; rejects after `timeoutMs`). */
  dashboardUpdate(accept: (data: DashboardData) => boolean, timeoutMs?: number): Promise<DashboardData>;
  /** What a click on point `index` of a time chart of the shown data does: opens the traces behind it. */
  openPoint(chart: TimeChart, index: number): Promise<void>;
}

export interface DeployViewApi {
  /** The view's rows, `depth` levels deep: environments → deploys → guard checks and events. Reads the ledger if not read yet. */
  rows(depth?: number): Promise<DeployViewRow[]>;
  /** Reads agentops.yaml and the ledger again (as the file watcher does). */
  refresh(): Promise<void>;
  /** The status bar item's text, undefined while hidden (no deploy read yet). */
  statusBarText(): string | undefined;
}

export interface DeployViewRow {
  label: string;
  description: string;
  /** `message`, `environment`, `deploy.<status>`, `check.<verdict>`, `event`. */
  contextValue: string;
  children?: DeployViewRow[];
}

export interface TrajectoryViewApi {
  /** The view's rows, `depth` levels deep (1: the top level only). Asking loads what the view would show. */
  rows(depth?: number): Promise<TrajectoryViewRow[]>;
  /** Resolves once no validation is scheduled or running (gives up after a minute). */
  idle(): Promise<void>;
}

export interface TrajectoryViewRow {
  label: string;
  description: string;
  /** `file`, `run`, `finding.<severity>`, `step`, `failure`, `message`. */
  contextValue: string;
  /** What selecting the row runs. */
  command?: { command: string; arguments: unknown[] };
  children?: TrajectoryViewRow[];
}
