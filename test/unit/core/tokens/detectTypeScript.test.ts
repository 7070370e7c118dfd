import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createPromptDetector, defaultWasmDir, type PromptDetector } from '../../../../src/core/tokens/detect';
import type { DetectedPrompt } from '../../../../src/core/tokens/types';
import { pos, rangeOf } from './fixtureRanges';

const root = path.join(__dirname, '../../../..');
// Not a .tsx file, so that tsc and ESLint leave the fixture alone.
const fixture = readFileSync(path.join(root, 'test/fixtures/prompts/agent.tsx.fixture'), 'utf8');

function only(prompts: DetectedPrompt[], kind: DetectedPrompt['kind'], start: string): DetectedPrompt {
  const found = prompts.filter((p) => p.kind === kind && p.text.startsWith(start));
  assert.equal(found.length, 1, `one ${kind} prompt starting with ${JSON.stringify(start)}, got ${found.length}`);
  return found[0] as DetectedPrompt;
}

describe('core/tokens/detect: TypeScript and JavaScript', () => {
  let detector: PromptDetector;
  let prompts: DetectedPrompt[];

  before(async () => {
    detector = await createPromptDetector({ wasmDir: defaultWasmDir() });
    prompts = detector.detect(fixture, 'typescriptreact');
  });
  after(() => detector.dispose());

  it('finds exactly the prompts, and nothing in comments, JSX text or unnamed strings', () => {
    assert.deepEqual(
      prompts.map((p) => p.kind),
      ['variable', 'variable', 'variable', 'variable', 'variable', 'system', 'prompt', 'message', 'message', 'message', 'template', 'template', 'template'],
    );
    assert.ok(!prompts.some((p) => /commented|Write a prompt|Just a string/.test(p.text)));
  });

  it('template literals: escaped backticks and \\${ are text, ${} are placeholders, model from the first use', () => {
    const p = only(prompts, 'variable', 'You are a code reviewer.');
    assert.equal(p.text, 'You are a code reviewer.\nQuote code with `backticks` and cite  like L${n}.');
    const start = fixture.indexOf('`You are a code reviewer.');
    const end = fixture.indexOf('`;', start) + 1;
    assert.deepEqual(p.range, { start: pos(fixture, start), end: pos(fixture, end) });
    assert.deepEqual(p.placeholders, [{ name: "'lines'", syntax: '${x}', range: rangeOf(fixture, "${'lines'}") }]);
    assert.deepEqual([p.model, p.maxOutputTokens, p.role], ['gpt-4o-mini', 800, 'system']);
  });

  it('as const, + chains with {{x}} and {x}, nested backticks, String.raw', () => {
    const tone = only(prompts, 'variable', 'Be kind');
    assert.equal(tone.text, 'Be kind, it\'s a "review".');
    assert.deepEqual(tone.range, rangeOf(fixture, `'Be kind, it\\'s a "review".'`));
    const router = only(prompts, 'variable', 'Route');
    assert.equal(router.text, 'Route  to a team: ');
    assert.deepEqual(router.range, rangeOf(fixture, "'Route {{ticket}} to ' + 'a team: {team}'"));
    assert.deepEqual(router.placeholders, [
      { name: 'ticket', syntax: '{{x}}', range: rangeOf(fixture, '{{ticket}}') },
      { name: 'team', syntax: '{x}', range: rangeOf(fixture, '{team}') },
    ]);
    const nested = only(prompts, 'variable', 'Outer');
    assert.equal(nested.text, 'Outer  end');
    assert.deepEqual(nested.placeholders, [{ name: '`inner ${deep}`', syntax: '${x}', range: rangeOf(fixture, '${`inner ${deep}`}') }]);
    const raw = only(prompts, 'variable', 'C:');
    assert.equal(raw.text, 'C:\\path\\n');
    assert.deepEqual(raw.range, rangeOf(fixture, 'String.raw`C:\\path\\n{file}`'));
  });

  it('Vercel AI SDK generateText: system by name, prompt template, model from openai(...), maxOutputTokens', () => {
    const call = rangeOf(fixture, 'generateText({');
    const group = `${call.start.line}:${call.start.character}`;
    const system = only(prompts, 'system', 'You are a code reviewer.');
    assert.deepEqual(system.range, rangeOf(fixture, 'systemPrompt', 'generateText({'));
    const prompt = only(prompts, 'prompt', 'Review this diff');
    for (const p of [system, prompt]) assert.deepEqual([p.model, p.maxOutputTokens, p.group], ['gpt-4o-mini', 800, group]);
    assert.equal(prompt.text, 'Review this diff for :\n');
    assert.deepEqual(prompt.placeholders, [
      { name: 'user.name', syntax: '${x}', range: rangeOf(fixture, '${user.name}') },
      { name: 'diff', syntax: '${x}', range: rangeOf(fixture, '${diff}', 'Review this diff') },
    ]);
  });

  it('Anthropic messages with content parts and cache_control; \\u escapes decoded', () => {
    const user = only(prompts, 'message', 'Summarize the review.');
    const assistant = only(prompts, 'message', 'Sure');
    assert.equal(assistant.text, "Sure \u2014 here's the summary:");
    assert.deepEqual(assistant.range, rangeOf(fixture, `"Sure \\u2014 here's the summary:"`));
    for (const p of [user, assistant]) {
      assert.deepEqual([p.model, p.maxOutputTokens, p.cacheControl], ['claude-haiku-4-5', 256, true]);
    }
    assert.deepEqual([user.role, assistant.role], ['user', 'assistant']);
    assert.equal(user.group, assistant.group);
  });

  it('streamText messages and LangChain.js fromMessages / fromTemplate', () => {
    const brief = only(prompts, 'message', 'Answer briefly.');
    assert.deepEqual([brief.role, brief.model, brief.maxOutputTokens], ['system', 'gpt-4o', undefined]);
    assert.deepEqual(brief.range, rangeOf(fixture, "'Answer ' + 'briefly.'"));
    const translate = only(prompts, 'template', 'You translate');
    assert.equal(translate.role, 'system');
    const human = prompts.find((p) => p.kind === 'template' && p.role === 'user');
    assert.equal(human?.group, translate.group);
    assert.deepEqual(human?.placeholders.map((h) => h.name), ['text']);
    assert.deepEqual(only(prompts, 'template', 'Shorten').range, rangeOf(fixture, "'Shorten: {input}'"));
  });

  it('detects the sample workspace summarizer with its model and max tokens', () => {
    const src = readFileSync(path.join(root, 'samples/workspace/web/summarize.ts'), 'utf8');
    const found = detector.detect(src, 'typescript');
    assert.deepEqual(
      found.map((p) => [p.kind, p.role, p.model, p.maxOutputTokens]),
      [
        ['variable', 'system', 'gpt-4o-mini', 200],
        ['system', 'system', 'gpt-4o-mini', 200],
        ['prompt', 'user', 'gpt-4o-mini', 200],
      ],
    );
    assert.equal(found[1]?.group, found[2]?.group);
    assert.equal(found[2]?.text, 'Conversation:\n');
    assert.deepEqual(found[2]?.placeholders, [{ name: 'transcript', syntax: '${x}', range: rangeOf(src, '${transcript}') }]);
  });

  it('JavaScript and JSX: OpenAI messages, dedent tags, array joins, JSX prompt attributes', () => {
    const src = [
      "const res = await openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'Hi\\x21' }] });",
      'const agentInstructions = dedent`',
      '    Line one.',
      '      Line two ${name}.',
      '  `;',
      "const listPrompt = ['a {x}', b, 'c'].join('\\n');",
      'const ui = <Chat system="Be nice\\n" prompt={`Hello ${who}`} title="not a prompt" />;',
    ].join('\n');
    const found = detector.detect(src, 'javascriptreact');
    assert.deepEqual(
      found.map((p) => [p.kind, p.text, p.placeholders.map((h) => h.name)]),
      [
        ['message', 'Hi!', []],
        ['variable', 'Line one.\n  Line two .', ['name']],
        ['variable', 'a \n\nc', ['x', 'b']],
        ['system', 'Be nice\\n', []],
        ['prompt', 'Hello ', ['who']],
      ],
    );
    assert.deepEqual([found[0]?.model, found[0]?.maxOutputTokens], ['gpt-4o', 50]);
  });

  it('plain TypeScript: class fields, this.x assignments, satisfies; never throws on broken code', () => {
    const src = [
      'class Bot {',
      "  static readonly SYSTEM_PROMPT = 'sys' satisfies string;",
      '  run() { this.userPrompt = `u`; }',
      '}',
      'const broken = {',
    ].join('\n');
    assert.deepEqual(
      detector.detect(src, 'typescript').map((p) => p.text),
      ['sys', 'u'],
    );
    assert.deepEqual(detector.detect('', 'typescript'), []);
  });
});
