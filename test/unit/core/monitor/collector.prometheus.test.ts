import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCollector, type CollectorHandle } from '../../../../src/core/monitor/collector/index';
import { freePort } from '../../../../src/core/monitor/collector/portOwner';
import { getJson, waitFor } from '../../realServers';
import { ids, post, tempDir, tracesRequest } from './collectorHelpers';

/**
 * A real Prometheus (Debian's `prometheus`) scrapes the collector's /metrics every second; PromQL through
 * its HTTP API must give the counts of the spans sent. Same pattern as the deploy guard's
 * realPrometheus.test.ts: 127.0.0.1 free ports, a temp config and data folder, its own process group
 * killed in after(), skipped with the reason when the binary is not installed.
 */

const prometheusBin = process.env.AGENTOPS_PROMETHEUS_BIN ?? '/usr/bin/prometheus';

type Vector = { metric: Record<string, string>; value: [number, string] }[];

describe('collector /metrics scraped by a real Prometheus', function () {
  this.timeout(60_000);
  let dir: string;
  let proc: ChildProcess | undefined;
  let log = '';
  let collector: CollectorHandle | undefined;
  let promUrl: string;

  before(async function () {
    if (!existsSync(prometheusBin)) {
      console.log(`      (skipped: ${prometheusBin} not installed — apt-get install --no-install-recommends prometheus, as .ci/run does)`);
      this.skip();
    }
    dir = tempDir('collector-prom');
    collector = await startCollector({ port: 0, outDir: join(dir, 'traces') });
    const promPort = (await freePort()) as number;
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: agentops\n    static_configs:\n      - targets: ['127.0.0.1:${collector.port}']\n`);
    // Its own process group, so that after() kills it and anything it started.
    proc = spawn(prometheusBin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom-data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer): void => void (log = (log + b.toString()).slice(-4000));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    promUrl = `http://127.0.0.1:${promPort}`;
    await waitFor('Prometheus to scrape the collector', 25_000, async () => {
      if (proc?.exitCode !== null || proc.signalCode !== null) throw new Error(`prometheus exited: ${log}`);
      const r = await query('up{job="agentops"}');
      return r[0]?.value[1] === '1' ? true : undefined;
    });
  });

  after(async () => {
    if (proc?.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc?.once('exit', r));
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    }
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function query(q: string): Promise<Vector> {
    const body = (await getJson(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)) as { status: string; data?: { result?: Vector } };
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data?.result ?? [];
  }

  it('30 requests of model X version v2, 3 of them errors: PromQL sums by model and version give 30 and 3', async () => {
    const c = collector as CollectorHandle;
    for (let i = 0; i < 30; i++) {
      const error = i % 10 === 3;
      const span = { ...ids(), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'X', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 4, ...(error ? { 'error.type': 'rate_limit' } : {}) }, error, durationMs: 250 };
      const r = await post(`${c.url}/v1/traces`, JSON.stringify(tracesRequest([span], { 'service.name': 'bot', 'service.version': 'v2' })));
      assert.equal(r.status, 200);
    }
    // Other traffic that must not be counted with it.
    await post(`${c.url}/v1/traces`, JSON.stringify(tracesRequest([{ ...ids(), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'Y' } }], { 'service.version': 'v1' })));

    const requests = await waitFor('a scrape with all 30 requests', 20_000, async () => {
      const r = await query('sum by (model, version) (agentops_gen_ai_requests_total{model="X"})');
      return r[0]?.value[1] === '30' ? r : undefined;
    });
    assert.deepEqual(requests.map((s) => s.metric), [{ model: 'X', version: 'v2' }]);
    const errors = await query('sum by (model, version) (agentops_gen_ai_errors_total)');
    assert.deepEqual(errors.map((s) => [s.metric, s.value[1]]), [[{ model: 'X', version: 'v2' }, '3']]);
    const byStatus = await query('sum by (status) (agentops_gen_ai_requests_total{model="X",version="v2"})');
    assert.deepEqual(Object.fromEntries(byStatus.map((s) => [s.metric.status, s.value[1]])), { ok: '27', error: '3' });
    const tokens = await query('sum by (type) (agentops_gen_ai_tokens_total{model="X"})');
    assert.deepEqual(Object.fromEntries(tokens.map((s) => [s.metric.type, s.value[1]])), { input: '300', output: '120' });
    const p50 = await query('histogram_quantile(0.5, sum by (le) (agentops_gen_ai_operation_duration_seconds_bucket{model="X"}))');
    const v = Number(p50[0]?.value[1]);
    assert.ok(v > 0.16 && v <= 0.32, `p50 ${v}`);
    const accepted = await query('agentops_collector_accepted_total{signal="traces"}');
    assert.equal(accepted[0]?.value[1], '31');
  });
});
