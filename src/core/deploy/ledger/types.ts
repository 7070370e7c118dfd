import type { deployStatuses } from './schema';

export type DeployStatus = (typeof deployStatuses)[number];
export type InFlightStatus = 'pending' | 'in-progress' | 'paused';
export type DeployKind = 'deploy' | 'rollback';
/** Traffic split in percent per version, e.g. `{ "v12": 90, "v13": 10 }`. */
export type Weights = Record<string, number>;

/** The process that drives an in-flight deploy, and when it last said so. */
export interface DeployOwner {
  pid: number;
  host: string;
  heartbeatAt: string;
}

export interface Deploy {
  /** ULID-like: sortable by creation time. */
  id: string;
  idempotencyKey?: string;
  environment: string;
  kind: DeployKind;
  version: string;
  previousVersion?: string;
  strategy: string;
  weights: Weights;
  status: DeployStatus;
  targetRef?: string;
  engineRevision?: string;
  actor: string;
  reason?: string;
  dryRun: boolean;
  /** ISO 8601 UTC with milliseconds. */
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
  owner?: DeployOwner;
}

export interface BeginDeploy {
  environment: string;
  version: string;
  strategy: string;
  actor: string;
  kind?: DeployKind;
  /** Same key → the same deploy is returned instead of a new one. */
  idempotencyKey?: string;
  /** Default: the environment's current version in the ledger. */
  previousVersion?: string;
  weights?: Weights;
  targetRef?: string;
  reason?: string;
  dryRun?: boolean;
}

export interface BeganDeploy extends Deploy {
  /** True when the idempotency key matched an existing deploy and nothing was written. */
  reused: boolean;
}

export interface LedgerEvent {
  deployId: string;
  /** 1, 2, 3, … per deploy, without gaps. */
  seq: number;
  at: string;
  kind: string;
  data?: unknown;
}

export type CheckVerdict = 'pass' | 'breach' | 'no-data';

export interface GuardCheckInput {
  step?: number;
  weight?: number;
  samples?: number;
  errors?: number;
  errorRate?: number;
  latencyMs?: number;
  verdict: CheckVerdict;
  detail?: string;
}

export interface GuardCheck extends GuardCheckInput {
  id: number;
  deployId: string;
  at: string;
}

/** Fields a status change may set alongside the status. */
export interface TransitionFields {
  weights?: Weights;
  engineRevision?: string;
  targetRef?: string;
  error?: string;
  /** Kept in the transition's event only (the deploy's own `reason` is why it was started). */
  note?: string;
}

export interface CurrentVersion {
  /** The last succeeded (non dry-run) deploy. */
  current?: Deploy;
  /** The newest succeeded deploy of another version that no later rollback moved away from. */
  previousGood?: Deploy;
}

export interface EnvironmentStatus {
  environment: string;
  current?: string;
  previousGood?: string;
  /** The in-flight (or interrupted) deploy's split, else all traffic on the current version. */
  weights: Weights;
  /** The in-flight deploy's status; `interrupted` when the newest deploy's process died mid-way (weights: its last recorded split); else `idle`. */
  state: InFlightStatus | 'interrupted' | 'idle';
  inFlight?: Deploy;
  last?: Deploy;
}

export interface ReconcileOptions {
  /** Whether a deploy's owner still runs. Default: same host → the pid exists; other host → heartbeat fresher than `staleAfterMs`. */
  isAlive?: (owner: DeployOwner, deploy: Deploy) => boolean;
  /** For owners on other hosts (a shared folder): how old a heartbeat means gone. Default 10 minutes. */
  staleAfterMs?: number;
  /**
   * Paused deploys wait for a person (promote / abort / roll back), not for their process, so by
   * default they are kept even when their owner is gone. `true` interrupts them too.
   */
  includePaused?: boolean;
}

export interface ReconcileResult {
  /** Marked interrupted now, each with an `interrupted` event holding its exact last state. */
  interrupted: Deploy[];
  /** In flight with a live owner (or paused): left alone. */
  running: Deploy[];
}
