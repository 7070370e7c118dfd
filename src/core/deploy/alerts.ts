import { substitute } from './config';

/**
 * Alertmanager notification of an automatic rollback: one alert POSTed to Alertmanager's v2 API
 * (`{url}/api/v2/alerts`) when the engine rolls a canary back on its guard. Notifying is best
 * effort: the engine logs a failure as an event and never lets it change the rollback.
 */

/** What the engine tells a notifier about an automatic rollback. */
export interface RollbackNotice {
  deployId: string;
  agent: string;
  environment: string;
  /** The version rolled back. */
  version: string;
  /** The version serving again, when there is one. */
  previousVersion?: string;
  /** The candidate's weight when the guard tripped. */
  weight: number;
  /** The last check's error rate (0–1), when the guard measured one. */
  errorRate?: number;
  /** guard.maxErrorRate (0–1). */
  threshold: number;
  /** The engine's one-line reason. */
  reason: string;
  /** False when the rollback action itself failed (the deploy ended failed, traffic may still reach the version). */
  rolledBack: boolean;
  at: Date;
}

export type RollbackNotifier = (notice: RollbackNotice) => Promise<void>;

export const rollbackAlertName = 'AgentOpsRollback';

/** One Alertmanager v2 `postableAlert`. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** A past time resolves the alert (the monitor posts its resolved alerts with it). */
  endsAt?: string;
  /** Where the alert comes from, a link Alertmanager shows. */
  generatorURL?: string;
}

const pct = (x: number): string => `${(Math.round(x * 10_000) / 100).toString()}%`;

/** The alert for a notice: labels alertname, environment, version, agent, severity; a summary with the error rate and threshold. */
export function rollbackAlert(n: RollbackNotice): PostableAlert {
  const rate = n.errorRate !== undefined ? `error rate ${pct(n.errorRate)}` : 'no error rate measured';
  const what = n.rolledBack ? `rolled back${n.previousVersion !== undefined ? ` to ${n.previousVersion}` : ''}` : 'rollback FAILED';
  return {
    labels: {
      alertname: rollbackAlertName,
      environment: n.environment,
      version: n.version,
      agent: n.agent,
      severity: n.rolledBack ? 'warning' : 'critical',
    },
    annotations: {
      summary: `${n.agent} ${n.version} in ${n.environment}: ${what} — ${rate} above maxErrorRate ${pct(n.threshold)} at ${n.weight}%`,
      description: n.reason,
      deployId: n.deployId,
    },
    startsAt: n.at.toISOString(),
  };
}

export interface AlertmanagerOptions {
  fetch?: typeof fetch;
  /** For `${env:VAR}` in the URL. */
  environ?: Readonly<Record<string, string | undefined>>;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** A notifier POSTing to `{url}/api/v2/alerts`; rejects with the reason when Alertmanager does not take the alert. */
export function alertmanagerNotifier(url: string, options: AlertmanagerOptions = {}): RollbackNotifier {
  return (notice) => postAlertmanager(url, [rollbackAlert(notice)], options, 'guard.alertmanager.url');
}

/**
 * POSTs alerts to Alertmanager's v2 API (`{url}/api/v2/alerts`), `${env:VAR}` in the URL substituted
 * (`field` names the setting in that error). Shared by the deploy rollback notice and the monitor's
 * alerts. Rejects with the reason when the request fails or Alertmanager does not take the alerts.
 */
export async function postAlertmanager(url: string, alerts: readonly PostableAlert[], options: AlertmanagerOptions = {}, field = 'alertmanager.url'): Promise<void> {
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const u = substitute(url, { environ: options.environ ?? {} }, field);
  if (!u.ok) throw new Error(u.error);
  const endpoint = `${u.value.replace(/\/+$/, '')}/api/v2/alerts`;
  let res: Response;
  try {
    res = await fetchFn(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Error(`POST ${endpoint} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).trim().slice(0, 300);
    throw new Error(`POST ${endpoint}: HTTP ${res.status}${text ? ` ${text}` : ''}`);
  }
  await res.arrayBuffer().catch(() => undefined);
}
