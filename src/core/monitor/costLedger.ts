/**
 * The cost ledger: `.agentops/costs.sqlite`, per-call costs of the model calls aggregated by day
 * (UTC), user, project, model and agent. Collected trace files are rotated and removed by
 * retention; the ledger keeps what they cost, so budgets and `agentops report` see a whole month.
 *
 * Idempotent by construction: every ingested call is keyed by (traceId, spanId) in `calls`, and a
 * call adds to the daily aggregate only when its key was new, in the same transaction. Reading
 * the same file twice, or two windows ingesting the same directory, never double counts.
 *
 * Uses the deploy ledger's driver seam (better-sqlite3 under plain Node, node:sqlite in the
 * extension host): one schema, either binding.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openDriver, type DriverChoice, type SqlDriver, type SqlValue } from '../deploy/ledger/driver';
import { isModelCall } from './calls';
import { periodEnd, periodStart } from './alerts';
import type { AlertRule, BudgetPeriod } from './config';
import type { CallRecord } from './types';

/** `.agentops/costs.sqlite` under the workspace root. */
export function defaultCostLedgerPath(workspaceRoot: string): string {
  return join(workspaceRoot, '.agentops', 'costs.sqlite');
}

const schemaVersion = 1;

const schema = `
  CREATE TABLE calls (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    end_ms REAL NOT NULL,
    PRIMARY KEY (trace_id, span_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE daily_costs (
    day TEXT NOT NULL,
    user TEXT NOT NULL,
    project TEXT NOT NULL,
    model TEXT NOT NULL,
    agent TEXT NOT NULL,
    requests INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    unpriced INTEGER NOT NULL,
    PRIMARY KEY (day, user, project, model, agent)
  ) STRICT;
  CREATE INDEX daily_costs_by_project ON daily_costs (project, day);
`;

export type LedgerDimension = 'day' | 'user' | 'project' | 'model' | 'agent';
export const ledgerDimensions: readonly LedgerDimension[] = ['day', 'user', 'project', 'model', 'agent'];

/** One row of a cost report. Calls without a value for the dimension are under ''. */
export interface CostRow {
  key: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Requests that could not be priced (no reported cost, unknown model). */
  unpriced: number;
}

export interface CostReportQuery {
  /** Days (UTC) from the one containing `since` to the one containing `until`, both included; epoch ms. */
  since?: number;
  until?: number;
  /** The grouping; absent: one row, key 'total'. */
  by?: LedgerDimension;
  project?: string;
}

export interface IngestResult {
  /** Calls added (new keys). */
  added: number;
  /** Calls already in the ledger (or not model calls), skipped. */
  skipped: number;
}

export interface BudgetStatus {
  rule: string;
  project: string;
  period: BudgetPeriod;
  /** ISO start (inclusive) and end (exclusive) of the period containing `now`. */
  start: string;
  end: string;
  spentUsd: number;
  limitUsd: number;
  /** spent / limit × 100. */
  percent: number;
  /** The budget is reached (spent ≥ limit). */
  crossed: boolean;
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export class CostLedger {
  private constructor(
    private readonly db: SqlDriver,
    readonly file: string,
  ) {}

  /** Opens (creating the folder, the file and its tables) a cost ledger. */
  static async open(file: string, options: { driver?: DriverChoice; busyTimeoutMs?: number } = {}): Promise<CostLedger> {
    mkdirSync(dirname(file), { recursive: true });
    const db = await openDriver(file, options.driver ?? 'auto', options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {});
    try {
      migrate(db, file);
    } catch (err) {
      db.close();
      throw err;
    }
    return new CostLedger(db, file);
  }

  get driverName(): string {
    return this.db.name;
  }

  /** Adds the model calls not seen before (by traceId and spanId) to the daily aggregates, in one transaction. */
  ingest(calls: readonly CallRecord[]): IngestResult {
    const insertKey = this.db.prepare('INSERT OR IGNORE INTO calls (trace_id, span_id, end_ms) VALUES (?, ?, ?)');
    const upsert = this.db.prepare(`
      INSERT INTO daily_costs (day, user, project, model, agent, requests, errors, input_tokens, output_tokens, cost_usd, unpriced)
      VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
      ON CONFLICT (day, user, project, model, agent) DO UPDATE SET
        requests = requests + 1,
        errors = errors + excluded.errors,
        input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        cost_usd = cost_usd + excluded.cost_usd,
        unpriced = unpriced + excluded.unpriced`);
    return this.db.immediate(() => {
      let added = 0;
      let skipped = 0;
      for (const c of calls) {
        if (!isModelCall(c) || insertKey.run(c.traceId, c.spanId, c.endMs).changes === 0) {
          skipped++;
          continue;
        }
        added++;
        const values: SqlValue[] = [dayOf(c.endMs), c.user ?? '', c.project ?? '', c.model ?? '', c.agent ?? '', c.error ? 1 : 0, c.inputTokens, c.outputTokens, c.costUsd ?? 0, c.costUsd === undefined ? 1 : 0];
        upsert.run(...values);
      }
      return { added, skipped };
    });
  }

  /** Costs by a dimension over whole UTC days, costliest first (by day: in day order). */
  report(query: CostReportQuery = {}): CostRow[] {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.since !== undefined) {
      where.push('day >= ?');
      params.push(dayOf(query.since));
    }
    if (query.until !== undefined) {
      where.push('day <= ?');
      params.push(dayOf(query.until));
    }
    if (query.project !== undefined) {
      where.push('project = ?');
      params.push(query.project);
    }
    const dim = query.by;
    if (dim !== undefined && !ledgerDimensions.includes(dim)) throw new RangeError(`unknown cost dimension ${String(dim)}`);
    const key = dim ?? "'total'";
    const sql = `SELECT ${key} AS key, SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cost_usd) AS cost, SUM(unpriced) AS unpriced
      FROM daily_costs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${dim ? `GROUP BY ${dim}` : ''}
      ORDER BY ${dim === 'day' ? 'key' : 'cost DESC, requests DESC, key'}`;
    return this.db
      .prepare(sql)
      .all(...params)
      .filter((r) => r.requests !== null)
      .map((r) => ({ key: String(r.key), requests: Number(r.requests), errors: Number(r.errors), inputTokens: Number(r.input), outputTokens: Number(r.output), costUsd: Number(r.cost), unpriced: Number(r.unpriced) }));
  }

  /** USD spent by a project ('' for calls without one; undefined: every project) over the days of [startMs, endMs). */
  spend(project: string | undefined, startMs: number, endMs: number): number {
    const params: SqlValue[] = [dayOf(startMs), dayOf(endMs - 1)];
    if (project !== undefined) params.push(project);
    const row = this.db.prepare(`SELECT SUM(cost_usd) AS cost FROM daily_costs WHERE day >= ? AND day <= ?${project !== undefined ? ' AND project = ?' : ''}`).get(...params);
    return Number(row?.cost ?? 0);
  }

  /** The projects with spend in the days of [startMs, endMs). */
  projects(startMs: number, endMs: number): string[] {
    return this.db
      .prepare('SELECT DISTINCT project FROM daily_costs WHERE day >= ? AND day <= ? ORDER BY project')
      .all(dayOf(startMs), dayOf(endMs - 1))
      .map((r) => String(r.project));
  }

  /**
   * Spent, limit and percent of every budget rule in the period containing `now` (epoch ms): the
   * rule's project, or every project with spend in the period when the rule names none.
   */
  budgetStatus(budgets: readonly AlertRule[], now: number): BudgetStatus[] {
    return budgetStatusOf(budgets, now, { spend: (p, s, e) => this.spend(p, s, e), projects: (s, e) => this.projects(s, e) });
  }

  close(): void {
    this.db.close();
  }
}

function migrate(db: SqlDriver, file: string): void {
  const version = (): number => Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
  if (version() === schemaVersion) return;
  db.immediate(() => {
    const v = version();
    if (v > schemaVersion) throw new Error(`${file}: the cost ledger has schema version ${v}, newer than this Agent Ops understands (${schemaVersion}); update Agent Ops`);
    if (v === 0) {
      db.exec(schema);
      db.exec(`PRAGMA user_version = ${schemaVersion}`);
    }
  });
}

/** Where budget spend comes from: the ledger, or the calls at hand. */
export interface SpendSource {
  spend(project: string | undefined, startMs: number, endMs: number): number;
  projects(startMs: number, endMs: number): string[];
}

/** Spend from CallRecords (model calls ended in [start, end)), for when there is no ledger. */
export function spendFromCalls(calls: readonly CallRecord[]): SpendSource {
  const inRange = (c: CallRecord, s: number, e: number) => isModelCall(c) && c.endMs >= s && c.endMs < e;
  return {
    spend: (project, s, e) => calls.reduce((sum, c) => (inRange(c, s, e) && (project === undefined || (c.project ?? '') === project) ? sum + (c.costUsd ?? 0) : sum), 0),
    projects: (s, e) => [...new Set(calls.filter((c) => inRange(c, s, e)).map((c) => c.project ?? ''))].sort(),
  };
}

/** Budget statuses of the budget rules at `now` from any spend source (see CostLedger.budgetStatus). */
export function budgetStatusOf(budgets: readonly AlertRule[], now: number, source: SpendSource): BudgetStatus[] {
  const out: BudgetStatus[] = [];
  for (const rule of budgets) {
    if (rule.type !== 'budget') continue;
    const period = rule.period ?? 'month';
    const start = periodStart(period, now);
    const end = periodEnd(period, now);
    const projects = rule.project !== undefined ? [rule.project] : source.projects(start, end);
    for (const project of projects) {
      const spent = source.spend(project, start, end);
      out.push({
        rule: rule.name,
        project,
        period,
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        spentUsd: spent,
        limitUsd: rule.threshold,
        percent: rule.threshold > 0 ? (spent / rule.threshold) * 100 : spent > 0 ? Infinity : 0,
        crossed: spent >= rule.threshold,
      });
    }
  }
  return out;
}
