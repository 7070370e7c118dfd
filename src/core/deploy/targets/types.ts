import type { SecretRef, Target } from '../config';

/**
 * The seam between the deploy engine (strategies, guard, ledger) and the systems it drives. One call per
 * action; a target never decides strategy, it only does what it is told and says what happened.
 */

export type TargetActionKind = 'deploy' | 'set-weight' | 'promote' | 'rollback' | 'abort';

export interface TargetAction {
  action: TargetActionKind;
  environment: string;
  version: string;
  /** The version serving before this deploy (what a rollback returns to). */
  previousVersion?: string;
  /** Share of traffic, 0–100, the new version should get after this action. */
  weight: number;
  deployId: string;
  /** Stable per deploy and action (retries of the same call reuse it), e.g. `<deployId>:<action>:<weight>`. */
  idempotencyKey: string;
  /** Say what would be done (the exact argv / request), do nothing. */
  dryRun: boolean;
  /** An engine revision to return to (kubectl / helm / argo rollback to an explicit revision). */
  rollbackToRevision?: string;
  signal?: AbortSignal;
}

export interface TargetResult {
  ok: boolean;
  /** What the target printed or answered (command output, HTTP status and body), secrets redacted. */
  output: string;
  /** The engine's own revision after the action (Deployment revision, Helm revision, …), when it has one. */
  engineRevision?: string;
  /** What was acted on, e.g. `deployment/support-bot` or the webhook URL without its query. */
  targetRef?: string;
  /** For a dry run: the exact commands or requests that would run, one per line. */
  plan?: string[];
  /** Why it failed, in one line. */
  error?: string;
}

export interface TargetContext {
  /** The workspace folder: relative paths and `cwd` resolve from it. */
  cwd: string;
  /** The environment the process sees; `${env:VAR}` resolves here. */
  environ: Readonly<Record<string, string | undefined>>;
  /** SecretStorage in the extension, environment variables in the CLI; undefined when unknown. */
  secret(ref: SecretRef): Promise<string | undefined>;
  /** Every step, for the output channel / stderr; never called with a secret in the text. */
  log(line: string): void;
  /** A fetch for HTTP targets (injected so tests can count calls); default global fetch. */
  fetch?: typeof fetch;
}

export interface TargetDriver {
  readonly type: Target['type'];
  run(action: TargetAction): Promise<TargetResult>;
}
