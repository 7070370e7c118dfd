import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTarget } from '../../../../src/core/deploy/targets/index';
import type { TargetAction, TargetContext } from '../../../../src/core/deploy/targets/types';
import { createWebhookTarget, retryAfterMs } from '../../../../src/core/deploy/targets/webhook';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function serve(handler: (req: Seen, res: ServerResponse, n: number) => void): Promise<{ base: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      handler(s, res, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const SECRET = 's3cr3t-hmac-key';
function ctx(over: Partial<TargetContext> = {}): TargetContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    cwd: '/',
    environ: {},
    secret: async (ref) => (ref.kind === 'env' ? ({ HOOK_SECRET: SECRET, LANGFUSE_PUBLIC_KEY: 'pk-lf', LANGFUSE_SECRET_KEY: 'sk-lf-secret' } as Record<string, string>)[ref.name] : undefined),
    log: (l) => lines.push(l),
    lines,
    ...over,
  };
}
function act(over: Partial<TargetAction> = {}): TargetAction {
  return { action: 'set-weight', environment: 'production', version: '13', previousVersion: '12', weight: 25, deployId: 'd7', idempotencyKey: 'd7:set-weight:25', dryRun: false, ...over };
}
const fast = { baseDelayMs: 1, maxDelayMs: 5000 };

describe('core/deploy/targets: webhook', () => {
  it('POSTs the signed JSON with the idempotency key; the signature verifies over the raw body', async () => {
    const srv = await serve((_r, res) => res.end('{"accepted":true}'));
    try {
      const c = ctx();
      const r = await createTarget({ type: 'webhook', url: `${srv.base}/hook?token=q`, secret: { kind: 'env', name: 'HOOK_SECRET' } }, c).run(act());
      assert.equal(r.ok, true, r.error);
      assert.equal(srv.seen.length, 1);
      const s = srv.seen[0];
      assert.ok(s);
      assert.equal(s.method, 'POST');
      assert.equal(s.url, '/hook?token=q');
      assert.equal(s.headers['content-type'], 'application/json');
      assert.equal(s.headers['idempotency-key'], 'd7:set-weight:25');
      const expected = `sha256=${createHmac('sha256', SECRET).update(s.body).digest('hex')}`;
      assert.equal(s.headers['x-agentops-signature'], expected);
      const body = JSON.parse(s.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['deployId', 'environment', 'version', 'previousVersion', 'weight', 'action', 'idempotencyKey', 'at']);
      assert.deepEqual({ ...body, at: undefined }, { deployId: 'd7', environment: 'production', version: '13', previousVersion: '12', weight: 25, action: 'set-weight', idempotencyKey: 'd7:set-weight:25', at: undefined });
      assert.equal(s.headers['x-agentops-timestamp'], String(Math.floor(Date.parse(String(body.at)) / 1000)));
      assert.equal(r.targetRef, `${srv.base}/hook`);
      assert.ok(!r.output.includes(SECRET) && !c.lines.join('\n').includes(SECRET));
    } finally {
      await srv.close();
    }
  });

  it('retries 5xx and 429 with the same key and body, then succeeds', async () => {
    const srv = await serve((_r, res, n) => {
      res.statusCode = n === 1 ? 503 : n === 2 ? 429 : 200;
      res.end(n === 3 ? 'ok' : 'busy');
    });
    try {
      const r = await createWebhookTarget({ type: 'webhook', url: `${srv.base}/h`, secret: { kind: 'env', name: 'HOOK_SECRET' } }, ctx(), fast).run(act());
      assert.equal(r.ok, true, r.error);
      assert.equal(srv.seen.length, 3);
      assert.equal(new Set(srv.seen.map((s) => s.headers['idempotency-key'])).size, 1);
      assert.equal(new Set(srv.seen.map((s) => s.body)).size, 1);
      assert.equal(new Set(srv.seen.map((s) => s.headers['x-agentops-signature'])).size, 1);
      assert.match(r.output, /attempt 1\/4: HTTP 503 busy\nattempt 2\/4: HTTP 429 busy\nattempt 3\/4: HTTP 200 ok/);
    } finally {
      await srv.close();
    }
  });

  it('gives up after retries + 1 attempts', async () => {
    const srv = await serve((_r, res) => {
      res.statusCode = 500;
      res.end();
    });
    try {
      const r = await createWebhookTarget({ type: 'webhook', url: `${srv.base}/h`, secret: { kind: 'env', name: 'HOOK_SECRET' }, retries: 2 }, ctx(), fast).run(act());
      assert.equal(r.ok, false);
      assert.equal(srv.seen.length, 3);
      assert.match(r.error ?? '', /HTTP 500 after 3 attempts/);
    } finally {
      await srv.close();
    }
  });

  it('never retries a 4xx', async () => {
    const srv = await serve((_r, res) => {
      res.statusCode = 400;
      res.end('bad');
    });
    try {
      const r = await createWebhookTarget({ type: 'webhook', url: `${srv.base}/h`, secret: { kind: 'env', name: 'HOOK_SECRET' }, retries: 5 }, ctx(), fast).run(act());
      assert.equal(r.ok, false);
      assert.equal(srv.seen.length, 1);
      assert.match(r.error ?? '', /HTTP 400/);
    } finally {
      await srv.close();
    }
  });

  it('honours Retry-After', async function () {
    this.timeout(10_000);
    const srv = await serve((_r, res, n) => {
      res.statusCode = n === 1 ? 503 : 200;
      if (n === 1) res.setHeader('retry-after', '1');
      res.end();
    });
    try {
      const started = Date.now();
      const r = await createWebhookTarget({ type: 'webhook', url: `${srv.base}/h`, secret: { kind: 'env', name: 'HOOK_SECRET' } }, ctx(), fast).run(act());
      assert.equal(r.ok, true, r.error);
      assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
      assert.equal(retryAfterMs('2'), 2000);
      assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
      assert.equal(retryAfterMs(null), undefined);
    } finally {
      await srv.close();
    }
  });

  it('retries network errors (connection refused) and counts the attempts', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const srv = await serve((_r, res) => res.end());
    const base = srv.base;
    await srv.close();
    const r = await createWebhookTarget({ type: 'webhook', url: `${base}/h`, secret: { kind: 'env', name: 'HOOK_SECRET' }, retries: 2 }, ctx({ fetch: counting }), fast).run(act());
    assert.equal(r.ok, false);
    assert.equal(calls, 3);
    assert.match(r.error ?? '', /after 3 attempts/);
  });

  it('a missing secret fails before any request; the secret never shows', async () => {
    let calls = 0;
    const r = await createTarget({ type: 'webhook', url: 'http://127.0.0.1:9/h', secret: { kind: 'secretStorage', key: 'agentops.webhook.prod' } }, ctx({ fetch: () => { calls++; return Promise.reject(new Error('no')); } })).run(act());
    assert.equal(r.ok, false);
    assert.equal(calls, 0);
    assert.match(r.error ?? '', /signing secret \(secret 'agentops.webhook.prod'\) is not set; nothing was sent/);
  });

  it('dry run shows the request without sending or signing it', async () => {
    let calls = 0;
    const r = await createTarget({ type: 'webhook', url: 'http://127.0.0.1:9/h?x=1', secret: { kind: 'env', name: 'HOOK_SECRET' } }, ctx({ fetch: () => { calls++; return Promise.reject(new Error('no')); } })).run(act({ dryRun: true }));
    assert.equal(r.ok, true);
    assert.equal(calls, 0);
    assert.equal(r.plan?.length, 1);
    assert.match(r.plan?.[0] ?? '', /^POST http:\/\/127\.0\.0\.1:9\/h Idempotency-Key: d7:set-weight:25 \{"deployId":"d7"/);
    assert.ok(!r.plan?.[0]?.includes(SECRET));
  });
});

describe('core/deploy/targets: mlflow-alias', () => {
  it('reads the alias, POSTs {name, alias, version}, reads it back as the engine revision', async () => {
    let current = '6';
    const srv = await serve((s, res) => {
      res.setHeader('content-type', 'application/json');
      if (s.method === 'GET') res.end(JSON.stringify({ model_version: { name: 'support-agent', version: current, aliases: ['champion'] } }));
      else {
        current = (JSON.parse(s.body) as { version: string }).version;
        res.end('{}');
      }
    });
    try {
      const t = createTarget({ type: 'mlflow-alias', trackingUri: `${srv.base}/`, model: 'support-agent', alias: 'champion' }, ctx());
      const r = await t.run(act({ action: 'deploy', version: '7', previousVersion: '6', weight: 100 }));
      assert.equal(r.ok, true, r.error);
      assert.equal(r.engineRevision, '7');
      assert.deepEqual(
        srv.seen.map((s) => `${s.method} ${s.url} ${s.body}`),
        [
          'GET /api/2.0/mlflow/registered-models/alias?name=support-agent&alias=champion ',
          'POST /api/2.0/mlflow/registered-models/alias {"name":"support-agent","alias":"champion","version":"7"}',
          'GET /api/2.0/mlflow/registered-models/alias?name=support-agent&alias=champion ',
        ],
      );
      assert.match(r.output, /support-agent@champion was 6/);
      const back = await t.run(act({ action: 'rollback', version: '7', previousVersion: '6', weight: 0 }));
      assert.equal(back.ok, true, back.error);
      assert.equal(back.engineRevision, '6');
      const split = await t.run(act({ weight: 25 }));
      assert.equal(split.ok, false);
      assert.match(split.error ?? '', /cannot split traffic/);
    } finally {
      await srv.close();
    }
  });

  it('an error answer fails with its status; dry run sends nothing', async () => {
    const srv = await serve((s, res) => {
      res.statusCode = s.method === 'GET' ? 404 : 403;
      res.end('{"error_code":"PERMISSION_DENIED"}');
    });
    try {
      const t = createTarget({ type: 'mlflow-alias', trackingUri: srv.base, model: 'm', alias: 'a' }, ctx());
      const r = await t.run(act({ action: 'deploy' }));
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /HTTP 403/);
      const n = srv.seen.length;
      const dry = await t.run(act({ action: 'deploy', dryRun: true }));
      assert.deepEqual(dry.plan, [`POST ${srv.base}/api/2.0/mlflow/registered-models/alias {"name":"m","alias":"a","version":"13"}`]);
      assert.equal(srv.seen.length, n);
    } finally {
      await srv.close();
    }
  });
});

describe('core/deploy/targets: langfuse-label', () => {
  it('PATCHes /api/public/v2/prompts/{name}/versions/{version} with {newLabels} and basic auth', async () => {
    const srv = await serve((s, res) => {
      res.setHeader('content-type', 'application/json');
      if (s.method === 'GET') res.end(JSON.stringify({ name: 'support/system', version: 3, labels: ['production'] }));
      else res.end(JSON.stringify({ name: 'support/system', version: Number(s.url.split('/').pop()), labels: ['production', 'latest'] }));
    });
    try {
      const c = ctx();
      const t = createTarget({ type: 'langfuse-label', host: srv.base, prompt: 'support/system', label: 'production' }, c);
      const r = await t.run(act({ action: 'deploy', version: '4', previousVersion: '3', weight: 100 }));
      assert.equal(r.ok, true, r.error);
      assert.equal(r.engineRevision, '4');
      const patch = srv.seen[1];
      assert.ok(patch);
      assert.equal(`${patch.method} ${patch.url}`, 'PATCH /api/public/v2/prompts/support%2Fsystem/versions/4');
      assert.deepEqual(JSON.parse(patch.body), { newLabels: ['production'] });
      assert.equal(patch.headers.authorization, `Basic ${Buffer.from('pk-lf:sk-lf-secret').toString('base64')}`);
      assert.equal(srv.seen[0]?.url, '/api/public/v2/prompts/support%2Fsystem?label=production');
      assert.ok(!r.output.includes('sk-lf-secret') && !c.lines.join('\n').includes('sk-lf-secret'));
      const back = await t.run(act({ action: 'rollback', version: '4', previousVersion: '3', weight: 0 }));
      assert.equal(back.ok, true, back.error);
      assert.equal(srv.seen[3]?.url, '/api/public/v2/prompts/support%2Fsystem/versions/3');
    } finally {
      await srv.close();
    }
  });

  it('missing keys or a non-integer version fail before any request', async () => {
    let calls = 0;
    const f: typeof fetch = () => {
      calls++;
      return Promise.reject(new Error('no'));
    };
    const t1 = createTarget({ type: 'langfuse-label', host: 'http://127.0.0.1:9', prompt: 'p', label: 'production' }, ctx({ fetch: f, secret: async () => undefined }));
    const r1 = await t1.run(act({ action: 'deploy', version: '4' }));
    assert.match(r1.error ?? '', /LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY must be set/);
    const r2 = await createTarget({ type: 'langfuse-label', host: 'http://127.0.0.1:9', prompt: 'p', label: 'production' }, ctx({ fetch: f })).run(act({ action: 'deploy', version: 'v4' }));
    assert.match(r2.error ?? '', /positive integers/);
    assert.equal(calls, 0);
  });
});
