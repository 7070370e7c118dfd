import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createPromptDetector, defaultWasmDir, type PromptDetector } from '../../../../src/core/tokens/detect';
import type { DetectedPrompt } from '../../../../src/core/tokens/types';
import { rangeOf } from './fixtureRanges';

const root = path.join(__dirname, '../../../..');
const fixture = readFileSync(path.join(root, 'test/fixtures/prompts/agent.py'), 'utf8');

function byText(prompts: DetectedPrompt[], start: string): DetectedPrompt {
  const found = prompts.filter((p) => p.text.startsWith(start));
  assert.equal(found.length, 1, `one prompt starting with ${JSON.stringify(start)}, got ${found.length}`);
  return found[0] as DetectedPrompt;
}

describe('core/tokens/detect: Python', () => {
  let detector: PromptDetector;
  let prompts: DetectedPrompt[];

  before(async () => {
    detector = await createPromptDetector({ wasmDir: defaultWasmDir() });
    prompts = detector.detect(fixture, 'python');
  });
  after(() => detector.dispose());

  it('finds exactly the prompts, in document order, and nothing in docstrings, comments or unnamed strings', () => {
    assert.deepEqual(
      prompts.map((p) => [p.kind, p.text]),
      [
        ['variable', 'You are "Scout", a research assistant.\nUse the tools; cite sources like [1]. Don\'t guess.'],
        ['variable', 'Reply as JSON: {{"answer": "..."}} for '],
        ['variable', 'Match \\d+ digits, literally \\n'],
        ['variable', 'Hello , it\'s "nice"\tto meet you.\nBrace: \'{\''],
        ['variable', 'First line.\n  Indented line.\nLast line.'],
        ['variable', 'Plan for {goal} in  steps'],
        ['message', 'You are "Scout", a research assistant.\nUse the tools; cite sources like [1]. Don\'t guess.'],
        ['message', 'Today is .'],
        ['message', 'Topic:  and '],
        ['system', 'You answer briefly.'],
        ['instructions', 'Answer in one sentence.'],
        ['prompt', 'Q: '],
        ['template', 'You are a QA bot for .'],
        ['template', ''],
        ['template', 'Summarize: '],
        ['template', 'Doc:\n\nTL;DR:'],
        ['message', 'Be terse.'],
        ['message', 'Hi é!'],
      ],
    );
  });

  it('a triple-quoted constant: exact range, quotes kept, model and role from its first use', () => {
    const p = prompts.find((x) => x.kind === 'variable' && x.text.startsWith('You are "Scout"'));
    assert.ok(p);
    assert.deepEqual(p.range, rangeOf(fixture, '"""You are "Scout", a research assistant.\nUse the tools; cite sources like [1]. Don\'t guess."""'));
    assert.equal(p.model, 'gpt-4o');
    assert.equal(p.maxOutputTokens, 1000); // max_completion_tokens=1_000
    assert.equal(p.role, 'system');
    assert.deepEqual(p.placeholders, []);
  });

  it('plain strings: {name} is a placeholder, {{"json"}} and a lone brace are text', () => {
    const json = byText(prompts, 'Reply as JSON');
    assert.deepEqual(json.placeholders, [{ name: 'question', syntax: '{x}', range: rangeOf(fixture, '{question}', 'JSON_TEMPLATE') }]);
    const greeting = byText(prompts, 'Hello');
    assert.deepEqual(greeting.placeholders, [{ name: 'user_name', syntax: '{x}', range: rangeOf(fixture, '{user_name}') }]);
  });

  it('implicit concatenation across lines inside parentheses: the range spans the parts, not the parentheses', () => {
    const p = byText(prompts, 'Hello');
    const first = rangeOf(fixture, '"Hello {user_name}, "');
    const last = rangeOf(fixture, `"Brace: '{'"`);
    assert.deepEqual(p.range, { start: first.start, end: last.end });
  });

  it('raw strings keep their backslashes; textwrap.dedent is applied', () => {
    assert.deepEqual(byText(prompts, 'Match').range, rangeOf(fixture, 'r"Match \\d+ digits, literally \\n"'));
    const dedented = byText(prompts, 'First line.');
    assert.equal(dedented.range.start.line, rangeOf(fixture, 'textwrap.dedent(').start.line);
  });

  it('f-strings: {{ }} are literal braces, interpolations with conversions, specs and nested f-strings are placeholders', () => {
    const plan = byText(prompts, 'Plan for');
    assert.deepEqual(plan.placeholders, [{ name: '3', syntax: '{x}', range: rangeOf(fixture, '{3}') }]);
    const topic = byText(prompts, 'Topic:');
    assert.deepEqual(topic.placeholders, [
      { name: 'topic', syntax: '{x}', range: rangeOf(fixture, '{topic!r:>{width}}') },
      { name: "f'{topic}'.upper()", syntax: '{x}', range: rangeOf(fixture, "{f'{topic}'.upper()}") },
    ]);
  });

  it('a prompt constant used by name in a call also counts there, as a message of that call', () => {
    const use = prompts.find((x) => x.kind === 'message' && x.text.startsWith('You are "Scout"'));
    assert.ok(use);
    assert.deepEqual(use.range, rangeOf(fixture, 'SYSTEM_PROMPT}'.slice(0, -1), '"role": "system", "content": SYSTEM_PROMPT'));
    assert.equal(use.role, 'system');
    assert.equal(use.group, byText(prompts, 'Today is').group);
  });

  it('messages of one call share model, max tokens, group and get their role', () => {
    const developer = byText(prompts, 'Today is');
    const user = byText(prompts, 'Topic:');
    const call = rangeOf(fixture, 'client.chat.completions.create(', 'class Planner');
    for (const p of [developer, user]) {
      assert.equal(p.model, 'gpt-4o');
      assert.equal(p.maxOutputTokens, 1000);
      assert.equal(p.group, `${call.start.line}:${call.start.character}`);
      assert.equal(p.cacheControl, undefined);
    }
    assert.equal(developer.role, 'developer');
    assert.equal(user.role, 'user');
    // A `+` chain with a variable: the variable is a placeholder, the range the whole chain.
    assert.deepEqual(developer.range, rangeOf(fixture, '"Today is " + topic + "."'));
    assert.deepEqual(developer.placeholders, [{ name: 'topic', syntax: '{x}', range: rangeOf(fixture, 'topic', '"Today is "') }]);
  });

  it('Anthropic system blocks with cache_control', () => {
    const p = byText(prompts, 'You answer briefly.');
    assert.equal(p.kind, 'system');
    assert.equal(p.role, 'system');
    assert.equal(p.model, 'claude-sonnet-4-5');
    assert.equal(p.maxOutputTokens, 512);
    assert.equal(p.cacheControl, true);
    assert.deepEqual(p.range, rangeOf(fixture, '"You answer briefly."'));
  });

  it('Responses API instructions and input', () => {
    const instructions = byText(prompts, 'Answer in one sentence.');
    const input = byText(prompts, 'Q: ');
    assert.equal(instructions.model, 'gpt-4.1-mini');
    assert.equal(input.kind, 'prompt');
    assert.equal(input.group, instructions.group);
    assert.deepEqual(input.placeholders, [{ name: 'question', syntax: '{x}', range: rangeOf(fixture, '{question}', 'input=') }]);
  });

  it('LangChain: from_messages tuples (not placeholders), from_template, PromptTemplate(template=), message classes', () => {
    const system = byText(prompts, 'You are a QA bot');
    assert.deepEqual([system.kind, system.role], ['template', 'system']);
    const human = prompts.find((p) => p.kind === 'template' && p.role === 'user');
    assert.ok(human);
    assert.equal(human.group, system.group);
    assert.deepEqual(human.placeholders, [{ name: 'question', syntax: '{x}', range: rangeOf(fixture, '{question}', '("human"') }]);
    assert.ok(!prompts.some((p) => p.placeholders.some((h) => h.name === 'history')));
    assert.deepEqual(byText(prompts, 'Summarize: ').range, rangeOf(fixture, '"Summarize: {text}"'));
    assert.deepEqual(byText(prompts, 'Doc:').placeholders.map((h) => h.name), ['doc']);
    const terse = byText(prompts, 'Be terse.');
    const hi = byText(prompts, 'Hi ');
    assert.deepEqual([terse.role, hi.role], ['system', 'user']);
    assert.equal(terse.group, hi.group); // the same list, no call around it
    assert.deepEqual(hi.range, rangeOf(fixture, '"Hi \\u00e9\\x21"'));
  });

  it('detects every prompt of the sample workspace agent with its model and max tokens', () => {
    const src = readFileSync(path.join(root, 'samples/workspace/agent/support_agent.py'), 'utf8');
    const found = detector.detect(src, 'python');
    assert.deepEqual(
      found.map((p) => [p.kind, p.role, p.model, p.maxOutputTokens, p.placeholders.map((h) => h.name)]),
      [
        ['variable', 'system', 'gpt-4o-mini', 5, []],
        ['variable', 'user', 'gpt-4o-mini', 5, ['ticket']],
        // Uses by name count in their calls: SYSTEM_PROMPT and TRIAGE_TEMPLATE.format(...).
        ['message', 'system', 'gpt-4o-mini', 5, []],
        ['message', 'user', 'gpt-4o-mini', 5, ['ticket']],
        ['message', 'system', 'gpt-4o', 400, []],
        ['message', 'user', 'gpt-4o', 400, ['customer', 'category', 'ticket']],
      ],
    );
    assert.deepEqual(found[3]?.range, rangeOf(src, 'TRIAGE_TEMPLATE.format(ticket=ticket)'));
    assert.equal(found[4]?.group, found[5]?.group);
    const reply = found[5] as DetectedPrompt;
    assert.equal(reply.text, 'Draft a reply to  about this  ticket. Keep it under 120 words.\n\n');
    const start = rangeOf(src, 'f"Draft a reply');
    const end = rangeOf(src, 'f"Keep it under 120 words.\\n\\n{ticket}"');
    assert.deepEqual(reply.range, { start: start.start, end: end.end });
  });

  it('counts characters in UTF-16 code units and CRLF as one line break', () => {
    const src = '# 😀 é\r\nX_PROMPT = "😀 {a}\\\r\nb"\r\n';
    const [p] = detector.detect(src, 'python');
    assert.ok(p);
    assert.equal(p.text, '😀 b'); // the escaped line break is a continuation
    assert.deepEqual(p.range, { start: { line: 1, character: 11 }, end: { line: 2, character: 2 } });
    assert.deepEqual(p.placeholders[0]?.range, { start: { line: 1, character: 15 }, end: { line: 1, character: 18 } });
  });

  it('never throws on broken code and still finds what parses', () => {
    const found = detector.detect('def f(:\n    pass\nSYSTEM_PROMPT = "ok"\nx = (\n', 'python');
    assert.deepEqual(
      found.map((p) => p.text),
      ['ok'],
    );
    assert.deepEqual(detector.detect('', 'python'), []);
  });

  it('detects a 1,000-line module quickly once warm', function () {
    const big = Array.from({ length: 40 }, () => fixture).join('\n');
    assert.ok(big.split('\n').length > 3000);
    const start = performance.now();
    const found = detector.detect(big, 'python');
    const ms = performance.now() - start;
    assert.equal(found.length, 40 * prompts.length);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('with references off, a use by name is not a prompt', async () => {
    const strict = await createPromptDetector({ wasmDir: defaultWasmDir(), languages: ['python'], references: false });
    try {
      assert.ok(!strict.detect(fixture, 'python').some((p) => p.kind === 'message' && p.text.startsWith('You are "Scout"')));
      assert.throws(() => strict.detect('x = 1', 'typescript'), /typescript/);
    } finally {
      strict.dispose();
    }
  });
});
