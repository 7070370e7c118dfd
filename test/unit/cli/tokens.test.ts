import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { cli, repo } from './cliHarness';



interface TokensJson {
  prompts: {
    file: string;
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    kind: string;
    tokens: Record<string, number>;
    estimated: boolean;
    placeholders: number;
    costs: { model: string; inputUsd: number | null; cachedInputUsd: number | null }[];
  }[];
}

describe('agentops tokens', function () {
  this.timeout(60_000);

  it('finds and prices the prompts of the sample workspace, in the documented JSON shape', async () => {
    const r = await cli(['tokens', 'samples/workspace', '--model', 'gpt-4o', '--model', 'claude-sonnet-4-5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as TokensJson;
    const files = new Set(doc.prompts.map((p) => p.file));
    for (const f of ['samples/workspace/agent/support_agent.py', 'samples/workspace/web/summarize.ts', 'samples/workspace/prompts/triage.prompty', 'samples/workspace/prompts/refund.prompt.yml']) {
      assert.ok(files.has(f), `${f} in ${[...files].join(', ')}`);
    }
    const oracle = getEncoding('o200k_base');
    for (const p of doc.prompts) {
      assert.equal(typeof p.range.start.line, 'number');
      assert.equal(typeof p.tokens.o200k_base, 'number');
      assert.ok(p.costs.some((c) => c.model === 'claude-sonnet-4-5'));
      assert.equal(p.estimated, true, 'claude is an estimate');
    }
    const triage = doc.prompts.find((p) => p.file.endsWith('support_agent.py') && p.placeholders === 1);
    assert.ok(triage, 'the triage template has one placeholder');
    assert.equal(triage.tokens.o200k_base, oracle.encode('Classify this ticket as one of: billing, outage, how-to, other.\n\nTicket:\n').length);
  });

  it('exits 1 when a prompt is over --max-tokens, 0 when none is', async () => {
    const over = await cli(['tokens', 'samples/workspace/agent', '--max-tokens', '5']);
    assert.equal(over.code, 1);
    assert.match(over.stdout, /over 5 tokens/);
    assert.equal((await cli(['tokens', 'samples/workspace/agent', '--max-tokens', '100000'])).code, 0);
  });

  it('exits 2 for a missing path or a bad number', async () => {
    const missing = await cli(['tokens', 'no/such/dir']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\/dir: no such file/);
    assert.equal((await cli(['tokens', 'samples', '--max-tokens', 'ten'])).code, 2);
    assert.equal((await cli(['tokens'])).code, 2);
  });

  it('counts one prompt from stdin', async () => {
    const main = join(repo, 'src', 'cli', 'main.ts');
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, ['--import', 'tsx', main, 'tokens', '--stdin', '--json'], { cwd: repo }, (err, out) => (err ? reject(err) : resolve(out)));
      child.stdin?.end('You are a helpful assistant.');
    });
    const doc = JSON.parse(stdout) as TokensJson;
    assert.equal(doc.prompts.length, 1);
    assert.equal(doc.prompts[0]?.file, '-');
    assert.equal(doc.prompts[0]?.tokens.o200k_base, getEncoding('o200k_base').encode('You are a helpful assistant.').length);
  });
});
