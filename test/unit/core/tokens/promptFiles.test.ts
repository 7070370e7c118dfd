import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { detectPromptFile, globToRegExp, isPromptFile } from '../../../../src/core/tokens/detect';
import type { DetectedPrompt } from '../../../../src/core/tokens/types';
import { pos, rangeOf } from './fixtureRanges';

const root = path.join(__dirname, '../../../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

function detect(name: string, src: string): DetectedPrompt[] {
  const found = detectPromptFile(name, src);
  assert.ok(found, `${name} is a prompt file`);
  return found;
}

describe('core/tokens/detect: prompt files', () => {
  it('.prompty: one prompt per role section, model and max tokens from the front matter, Jinja placeholders', () => {
    const src = read('test/fixtures/prompts/research.prompty');
    const found = detect('research.prompty', src);
    assert.deepEqual(
      found.map((p) => [p.role, p.text, p.model, p.maxOutputTokens, p.group]),
      [
        ['system', 'You are a researcher. Be thorough.\n', 'gpt-4o-research', 1200, '0:0'],
        ['user', 'Research .', 'gpt-4o-research', 1200, '0:0'],
        ['assistant', 'Here is what I found about :', 'gpt-4o-research', 1200, '0:0'],
      ],
    );
    const system = found[0] as DetectedPrompt;
    const start = src.indexOf('You are a researcher.');
    const end = src.indexOf('#}') + 2;
    assert.deepEqual(system.range, { start: pos(src, start), end: pos(src, end) });
    assert.deepEqual(system.placeholders, [
      { name: 'if detailed', syntax: '{%x%}', range: rangeOf(src, '{% if detailed %}') },
      { name: 'endif', syntax: '{%x%}', range: rangeOf(src, '{% endif %}') },
      { name: '# internal: keep under 200 words', syntax: '{%x%}', range: rangeOf(src, '{# internal: keep under 200 words #}') },
    ]);
    assert.deepEqual(found[2]?.placeholders, [{ name: 'topic', syntax: '{{x}}', range: rangeOf(src, '{{ topic }}') }]);
  });

  it('the sample workspace prompt files, with their models and max tokens', () => {
    const prompty = read('samples/workspace/prompts/triage.prompty');
    assert.deepEqual(
      detect('prompts/triage.prompty', prompty).map((p) => [p.role, p.model, p.maxOutputTokens, p.placeholders.map((h) => h.name)]),
      [
        ['system', 'gpt-4o-mini', 5, []],
        ['user', 'gpt-4o-mini', 5, ['ticket']],
      ],
    );
    const yml = read('samples/workspace/prompts/refund.prompt.yml');
    const found = detect('prompts/refund.prompt.yml', yml);
    assert.deepEqual(
      found.map((p) => [p.role, p.model, p.maxOutputTokens]),
      [
        ['system', 'openai/gpt-4o', 300],
        ['user', 'openai/gpt-4o', 300],
      ],
    );
    assert.ok(found[0]?.text.startsWith("You check refund requests against Acme Cloud's policy"));
    assert.deepEqual(found[1]?.range, rangeOf(yml, '"{{request}}"'));
    assert.equal(found[1]?.text, '');
    assert.equal(found[0]?.group, found[1]?.group);
  });

  it('*.prompt.yml: exact scalar ranges (block scalars from their indicator), parsed text, placeholders', () => {
    const src = read('test/fixtures/prompts/review.prompt.yml');
    const found = detect('review.prompt.yml', src);
    assert.deepEqual(
      found.map((p) => [p.role, p.text, p.model, p.maxOutputTokens]),
      [
        ['system', 'You review  code. Be specific.\n', 'openai/gpt-4o-mini', 250],
        ['user', 'Review this: ', 'openai/gpt-4o-mini', 250],
        ['assistant', 'Noted\n', 'openai/gpt-4o-mini', 250],
      ],
    );
    const block = src.indexOf('>\n');
    assert.deepEqual(found[0]?.range, { start: pos(src, block), end: pos(src, src.indexOf('Be specific.') + 'Be specific.'.length) });
    assert.deepEqual(found[0]?.placeholders, [{ name: 'language', syntax: '{{x}}', range: rangeOf(src, '{{language}}') }]);
    assert.deepEqual(found[1]?.range, rangeOf(src, "'Review this: {{code}}'"));
    assert.deepEqual(found[1]?.placeholders[0]?.range, rangeOf(src, '{{code}}'));
    assert.deepEqual(found[2]?.range, rangeOf(src, '"Noted\\n{{summary}}"'));
    assert.deepEqual(found[2]?.placeholders[0]?.range, rangeOf(src, '{{summary}}'));
  });

  it('a YAML syntax error never throws', () => {
    const found = detect('broken.prompt.yml', read('test/fixtures/prompts/broken.prompt.yml'));
    assert.ok(Array.isArray(found));
    for (const src of ['messages: [', ': : :\n\t- x', '- a\nb: c', 'messages:\n  - content: 3\n  - 7', '']) {
      assert.doesNotThrow(() => detect('x.prompt.yaml', src));
    }
    assert.doesNotThrow(() => detect('x.prompty', '---\nmodel: [\n---\nsystem:\nhi'));
    assert.equal(detect('x.prompty', '---\nmodel: [\n---\nsystem:\nhi')[0]?.text, 'hi');
  });

  it('Jinja templates: the whole file, with {{ }}, {% %} and {# #} placeholders', () => {
    const src = read('test/fixtures/prompts/agent.j2');
    const [p, ...rest] = detect('templates/agent.j2', src);
    assert.equal(rest.length, 0);
    assert.ok(p);
    assert.equal(p.text, '\nYou are .\n- \n\n');
    assert.deepEqual(p.range, { start: { line: 0, character: 0 }, end: pos(src, src.length) });
    assert.deepEqual(
      p.placeholders.map((h) => [h.name, h.syntax]),
      [
        ['# OpenHands-style system prompt', '{%x%}'],
        ['agent_name', '{{x}}'],
        ['for tool in tools', '{%x%}'],
        ['tool.name', '{{x}}'],
        ['endfor', '{%x%}'],
      ],
    );
    assert.deepEqual(p.placeholders[1]?.range, rangeOf(src, '{{ agent_name }}'));
  });

  it('Markdown and text under a prompts folder: the whole file with {x} and {{x}}', () => {
    const src = read('test/fixtures/prompts/prompts/support.md');
    const [p] = detect('src/prompts/support.md', src);
    assert.ok(p);
    assert.equal(p.kind, 'file');
    assert.equal(p.text, '# Support persona\n\nYou help  with  questions.\nNever share internal notes.\n');
    assert.deepEqual(p.placeholders, [
      { name: 'customer_name', syntax: '{x}', range: rangeOf(src, '{customer_name}') },
      { name: 'product', syntax: '{{x}}', range: rangeOf(src, '{{product}}') },
    ]);
    assert.equal(detectPromptFile('docs/support.md', src), undefined);
    assert.equal(detectPromptFile('prompts.md', src), undefined);
    assert.equal(detectPromptFile('agent.py', 'x = 1'), undefined);
    assert.equal(detectPromptFile('notes/a.md', 'hi {x}', { force: true })?.[0]?.placeholders.length, 1);
  });

  it('isPromptFile: by name, and by the user globs', () => {
    for (const yes of ['a.prompty', 'x/review.prompt.yml', 'x/review.prompt.yaml', 't.j2', 't.jinja', 't.jinja2', 'prompts/a.md', 'src/prompts/x.txt', 'src\\prompts\\x.txt']) {
      assert.ok(isPromptFile(yes), yes);
    }
    for (const no of ['a.yml', 'prompt.yml', 'README.md', 'prompts.txt', 'prompts/a.py', 'my-prompts/a.md']) {
      assert.ok(!isPromptFile(no), no);
    }
    assert.ok(isPromptFile('agents/triage.md', ['agents/**/*.md']));
    assert.ok(isPromptFile('./config/system.prompt.md', ['**/*.prompt.md']));
    assert.ok(!isPromptFile('agents/triage.py', ['agents/**/*.md']));
  });

  it('globToRegExp: **, *, ?, {a,b}, [ab], literal dots', () => {
    const cases: [string, string, boolean][] = [
      ['**/*.md', 'a.md', true],
      ['**/*.md', 'a/b/c.md', true],
      ['**/*.md', 'a/b/c.mdx', false],
      ['*.md', 'a/b.md', false],
      ['src/**', 'src/a/b.txt', true],
      ['src/**/x.txt', 'src/x.txt', true],
      ['src/**/x.txt', 'src/a/b/x.txt', true],
      ['src/**/x.txt', 'srcx.txt', false],
      ['a?c.txt', 'abc.txt', true],
      ['a?c.txt', 'a/c.txt', false],
      ['**/*.{md,txt}', 'p/q.txt', true],
      ['**/*.{md,txt}', 'p/q.json', false],
      ['{agents,crews}/**/*.yaml', 'crews/x/tasks.yaml', true],
      ['{a,{b,c}}.md', 'c.md', true],
      ['[ab].md', 'b.md', true],
      ['[!ab].md', 'b.md', false],
      ['a.md', 'aXmd', false],
      ['a+b(1).md', 'a+b(1).md', true],
      ['{unclosed', '{unclosed', true],
    ];
    for (const [glob, file, expected] of cases) assert.equal(globToRegExp(glob).test(file), expected, `${glob} ~ ${file}`);
  });
});
