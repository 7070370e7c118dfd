import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { CliIo } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/run';
import { readTraceFiles } from '../../../src/core/otlp/reader';
import { collectorFiles, ids, tempDir, tracesRequest } from '../core/monitor/collectorHelpers';

/** `agentops collect` in-process: it listens, takes spans, stops on the abort signal (Ctrl-C) and prints totals. */

interface Run {
  done: Promise<number>;
  stdout: () => string;
  stderr: () => string;
  abort: () => void;
}

function start(cwd: string, argv: string[]): Run {
  let stdout = '';
  let stderr = '';
  const ctl = new AbortController();
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {}, signal: ctl.signal };
  return { done: runCli(argv, io), stdout: () => stdout, stderr: () => stderr, abort: () => ctl.abort(new DOMException('interrupted by SIGINT', 'AbortError')) };
}

async function waitForUrl(run: Run, json: boolean): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(json ? run.stderr() : run.stdout());
    if (m?.[1]) return m[1];
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`agentops collect did not say where it listens: ${run.stdout()} ${run.stderr()}`);
}

describe('agentops collect', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = tempDir('cli-collect');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--port 0: prints where it listens and writes, stores spans in .agentops/traces, stops on the signal with totals', async () => {
    const run = start(dir, ['collect', '--port', '0']);
    const url = await waitForUrl(run, false);
    const out = join(dir, '.agentops', 'traces');
    assert.match(run.stdout(), new RegExp(`writing to ${out.replace(/[/.]/g, '\\$&')}`));
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tracesRequest([ids(), ids()])) });
    assert.equal(res.status, 200);
    const refused = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(refused.status, 415);
    run.abort();
    assert.equal(await run.done, 0);
    assert.match(run.stdout(), /collected 2 span\(s\), 0 log record\(s\), 0 metric data point\(s\) in 2 request\(s\); 1 request\(s\) answered with an error; \d+ bytes written/);
    assert.match(run.stderr(), /agentops collect: refused \/v1\/traces \(415\): Content-Type "text\/plain" is not supported/);
    const set = await readTraceFiles(collectorFiles(out));
    assert.equal(set.traces.reduce((n, t) => n + t.spans.length, 0), 2);
  });

  it('--json: progress on stderr, exactly one JSON document (the final stats) on stdout; --out and the limits apply', async () => {
    const run = start(dir, ['collect', '--port', '0', '--json', '--out', 'collected', '--max-body-mb', '0.01', '--rotate-mb', '1', '--rotate-minutes', '5', '--retention-days', '1']);
    const url = await waitForUrl(run, true);
    const big = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(20_000) });
    assert.equal(big.status, 413);
    const ok = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tracesRequest([ids()])) });
    assert.equal(ok.status, 200);
    run.abort();
    assert.equal(await run.done, 0);
    const doc = JSON.parse(run.stdout()) as { accepted: { traces: number }; failedRequests: number; files: { traces?: string } };
    assert.equal(doc.accepted.traces, 1);
    assert.equal(doc.failedRequests, 1);
    assert.ok(doc.files.traces?.startsWith(join(dir, 'collected')));
  });

  it('a taken port: exit 2, the owner (this process) and a free port in the message', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = start(dir, ['collect', '--port', String(port)]);
      assert.equal(await run.done, 2);
      assert.match(run.stderr(), new RegExp(`agentops: port ${port} on 127\\.0\\.0\\.1 is in use by pid ${process.pid} \\(.+\\); port \\d+ is free \\(try --port \\d+`));
      const jsonRun = start(dir, ['collect', '--json', '--port', String(port)]);
      assert.equal(await jsonRun.done, 2);
      const doc = JSON.parse(jsonRun.stdout()) as { error: { kind: string; port: number; owner?: { pid: number }; suggestedPort?: number } };
      assert.equal(doc.error.kind, 'port-in-use');
      assert.equal(doc.error.owner?.pid, process.pid);
      assert.equal(typeof doc.error.suggestedPort, 'number');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('bad numbers are usage errors (exit 2)', async () => {
    const run = start(dir, ['collect', '--port', 'abc']);
    assert.equal(await run.done, 2);
    assert.match(run.stderr(), /--port must be an integer ≥ 0, got "abc"/);
    const run2 = start(dir, ['collect', '--rotate-mb', '-1']);
    assert.equal(await run2.done, 2);
  });
});
