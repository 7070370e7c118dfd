import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupBy, summarize } from '../../../../src/core/monitor/aggregate';
import { evaluateAlerts } from '../../../../src/core/monitor/alerts';
import { readCalls } from '../../../../src/core/monitor/calls';
import { ruleWithDefaults } from '../../../../src/core/monitor/config';
import { budgetStatusOf, CostLedger, defaultCostLedgerPath, spendFromCalls } from '../../../../src/core/monitor/costLedger';
import { hasNodeSqlite } from '../../../../src/core/deploy/ledger/driver';
import type { CallRecord } from '../../../../src/core/monitor/types';
import { call, chatSpan, otlpLine } from './callsHelpers';

const day = 86_400_000;
const D0 = Date.parse('2026-11-02T00:00:00Z'); // a Monday

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≉ ${b}`);

/** Three days of calls across two projects, users and models, some unpriced, some failed, plus non-model calls. */
function sample(): CallRecord[] {
  const out: CallRecord[] = [];
  for (let d = 0; d < 3; d++) {
    for (let i = 0; i < 10; i++) {
      out.push(
        call({
          endMs: D0 + d * day + i * 3_600_000 + 1000,
          project: i % 2 === 0 ? 'billing' : 'search',
          user: `u${i % 3}`,
          model: i % 4 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
          agent: 'bot',
          error: i === 7,
          inputTokens: 100 * (i + 1),
          outputTokens: 10 * (i + 1),
          ...(i === 9 ? {} : { costUsd: 0.01 * (i + 1) }),
        }),
      );
    }
  }
  out.push(call({ kind: 'tool', operation: 'execute_tool', endMs: D0 + 5000, costUsd: 99 }));
  out.push(call({ endMs: D0 + 6000, costUsd: 0.5 })); // no project, no user
  return out;
}

describe('core/monitor/costLedger', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentops-costs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ingest is idempotent per (traceId, spanId): the same calls twice count once', async () => {
    const ledger = await CostLedger.open(defaultCostLedgerPath(dir));
    try {
      const calls = sample();
      assert.deepEqual(ledger.ingest(calls), { added: 31, skipped: 1 });
      assert.deepEqual(ledger.ingest(calls), { added: 0, skipped: 32 });
      assert.deepEqual(ledger.ingest([...calls.slice(0, 5), call({ endMs: D0, costUsd: 1, project: 'billing' })]), { added: 1, skipped: 5 });
      assert.equal(ledger.report()[0]?.requests, 32);
    } finally {
      ledger.close();
    }
  });

  it('the totals and groups cross-check with summarize() and groupBy()', async () => {
    const ledger = await CostLedger.open(join(dir, 'c.sqlite'));
    try {
      const calls = sample();
      ledger.ingest(calls);
      const s = summarize(calls);
      const [total] = ledger.report();
      assert.equal(total?.key, 'total');
      assert.equal(total?.requests, s.requests);
      assert.equal(total?.errors, s.errors);
      assert.equal(total?.inputTokens, s.tokens.input);
      assert.equal(total?.outputTokens, s.tokens.output);
      close(total?.costUsd ?? NaN, s.costUsd);
      assert.equal(total?.unpriced, 3);
      for (const dim of ['project', 'user', 'model', 'agent'] as const) {
        const groups = groupBy(calls, dim);
        const rows = ledger.report({ by: dim });
        assert.equal(rows.length, Object.keys(groups).length, dim);
        for (const r of rows) {
          const g = groups[r.key === '' ? '(none)' : r.key];
          assert.ok(g, `${dim} ${r.key}`);
          assert.equal(r.requests, g.requests);
          close(r.costUsd, g.costUsd);
          assert.equal(r.inputTokens, g.tokens.input);
        }
      }
      const days = ledger.report({ by: 'day' });
      assert.deepEqual(
        days.map((r) => [r.key, r.requests]),
        [
          ['2026-11-02', 11],
          ['2026-11-03', 10],
          ['2026-11-04', 10],
        ],
      );
      const mid = ledger.report({ since: D0 + day + 5, until: D0 + 2 * day - 1, by: 'project' });
      assert.deepEqual(
        mid.map((r) => [r.key, r.requests]),
        [
          ['billing', 5],
          ['search', 5],
        ],
      );
      close(mid.reduce((x, r) => x + r.costUsd, 0), summarize(calls, { startMs: D0 + day, endMs: D0 + 2 * day - 1 }).costUsd);
    } finally {
      ledger.close();
    }
  });

  it('re-reading the same trace file never double counts', async () => {
    const file = join(dir, 'a.otlp.jsonl');
    writeFileSync(file, `${otlpLine([chatSpan(0, D0, { project: 'p' }), chatSpan(1, D0 + 1000, { project: 'p' })])}\n`);
    const ledger = await CostLedger.open(join(dir, 'c.sqlite'));
    try {
      for (let i = 0; i < 3; i++) await readCalls([dir], { collect: false, onFile: (_f, calls) => ledger.ingest(calls) });
      const rows = ledger.report({ by: 'project' });
      assert.deepEqual(
        rows.map((r) => [r.key, r.requests, r.inputTokens]),
        [['p', 2, 2000]],
      );
      assert.ok((rows[0]?.costUsd ?? 0) > 0, 'gpt-4o-mini priced');
    } finally {
      ledger.close();
    }
  });

  it('budgetStatus: spent, limit and percent per project and period; a budget alert fires when crossed', async () => {
    const ledger = await CostLedger.open(join(dir, 'c.sqlite'));
    try {
      const calls = sample();
      ledger.ingest(calls);
      const now = D0 + 2 * day + 12 * 3_600_000;
      const budgets = [ruleWithDefaults({ type: 'budget', period: 'week', threshold: 0.7, project: 'billing' }), ruleWithDefaults({ name: 'all', type: 'budget', period: 'day', threshold: 1 })];
      const status = ledger.budgetStatus(budgets, now);
      // billing: calls i = 0, 2, 4, 6, 8 cost 0.01 (i + 1) → $0.25 a day, three days → $0.75 of $0.70.
      const billing = status.find((s) => s.rule === 'budget');
      assert.equal(billing?.start, '2026-11-02T00:00:00.000Z');
      assert.equal(billing?.end, '2026-11-09T00:00:00.000Z');
      close(billing?.spentUsd ?? NaN, 0.75);
      close(billing?.percent ?? NaN, (0.75 / 0.7) * 100);
      assert.equal(billing?.crossed, true);
      // The daily budget on every project: only today's (the 4th) spend.
      assert.deepEqual(
        status.filter((s) => s.rule === 'all').map((s) => [s.project, Math.round(s.spentUsd * 100) / 100, s.crossed]),
        [
          ['billing', 0.25, false],
          ['search', 0.2, false],
        ],
      );
      // The same from the calls alone, without a ledger.
      const fromCalls = budgetStatusOf(budgets, now, spendFromCalls(calls));
      assert.deepEqual(
        fromCalls.map((s) => [s.rule, s.project, Math.round(s.spentUsd * 100)]),
        status.map((s) => [s.rule, s.project, Math.round(s.spentUsd * 100)]),
      );
      // The alert, with the ledger as the source of the spend: it fires once the budget is crossed.
      const source = { budgetSpend: (_r: unknown, p: string, s: number, e: number) => ledger.spend(p, s, e) };
      const before = evaluateAlerts([budgets[0] as (typeof budgets)[0]], [], D0 + day + 12 * 3_600_000, {}, source);
      assert.deepEqual(before.firing, [], '$0.50 of $0.70');
      const after = evaluateAlerts([budgets[0] as (typeof budgets)[0]], [], now, before.state, source);
      assert.deepEqual(
        after.firing.map((a) => [a.rule, a.project, Math.round(a.value * 100)]),
        [['budget', 'billing', 75]],
      );
      assert.deepEqual(
        after.events.map((e) => e.state),
        ['firing'],
      );
    } finally {
      ledger.close();
    }
  });

  it('a file written by better-sqlite3 reopens (and by node:sqlite where this Node has it)', async function () {
    const file = join(dir, 'c.sqlite');
    const a = await CostLedger.open(file, { driver: 'better-sqlite3' });
    a.ingest(sample());
    a.close();
    const b = await CostLedger.open(file, { driver: hasNodeSqlite() ? 'node:sqlite' : 'better-sqlite3' });
    try {
      assert.equal(b.report()[0]?.requests, 31);
      assert.equal(b.ingest(sample().slice(0, 0)).added, 0);
    } finally {
      b.close();
    }
  });
});
