import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { compressPrompt } from '../../../../src/core/tokens/compress';

/** Placeholders as the detector sees them, found independently of compress.ts. */
const placeholders = (text: string): string[] => text.match(/\$\{[^{}]*\}|\{\{[^{}]*\}\}|\{%[^{}]*%\}|\{[^{}]*\}/g) ?? [];

const rulesOf = (text: string, protect?: { start: number; end: number }[]) =>
  compressPrompt(text, protect ? { protect } : {}).applied.map((a) => a.rule);

describe('core/tokens/compress', () => {
  it('dedents an indented Python triple-quoted prompt and strips its trailing whitespace (research §5)', () => {
    // The literal of:    SYSTEM_PROMPT = """\n        You are …\n    """
    const source = '\n        You are a careful code reviewer.   \n\n        Rules:\n          - Be brief.\n          - Cite line numbers.\t\n\n        Review the diff below.\n    ';
    const r = compressPrompt(source);
    assert.equal(r.text, '\nYou are a careful code reviewer.\n\nRules:\n  - Be brief.\n  - Cite line numbers.\n\nReview the diff below.\n');
    assert.ok(r.changed);
    assert.deepEqual(r.applied, [
      { rule: 'dedent', count: 5 },
      { rule: 'trailing-whitespace', count: 3 },
    ]);
  });

  it('keeps a first line that follows the opening quote as written', () => {
    const r = compressPrompt('You are terse.\n    Answer in one line.\n    Never apologise.');
    assert.equal(r.text, 'You are terse.\nAnswer in one line.\nNever apologise.');
  });

  it('leaves fenced code blocks exactly as written, indentation included', () => {
    const fence = '    ```python\n    def f(x):   \n        return x\n\n\n\n    ```\n';
    const source = `\n    Here is an example:\n${fence}    ~~~\n      keep   me\n    ~~~\n    Explain it.\n`;
    const r = compressPrompt(source);
    assert.equal(r.text, `\nHere is an example:\n${fence}    ~~~\n      keep   me\n    ~~~\nExplain it.\n`);
    // An unclosed fence runs to the end.
    assert.equal(compressPrompt('\n  a\n  ```\n  b   \n\n\n\n  c').text, '\na\n  ```\n  b   \n\n\n\n  c');
    // Inline triple backticks are not a fence.
    assert.equal(compressPrompt('\n  use ```x``` here  \n  ```js```\n').text, '\nuse ```x``` here\n```js```\n');
  });

  it('never touches placeholders, even spanning lines or given as offsets', () => {
    const source = '\n    Ticket: {ticket}   \n    {{ user.name }}\n    ${\n        items.join(", ")\n    }\n    {%  if urgent  %}Hurry.{% endif %}\n';
    const r = compressPrompt(source);
    assert.equal(r.text, '\nTicket: {ticket}\n{{ user.name }}\n${\n        items.join(", ")\n    }\n{%  if urgent  %}Hurry.{% endif %}\n');
    assert.deepEqual(placeholders(r.text), placeholders(source));

    // A caller-protected range covering trailing spaces and a blank-line run keeps them.
    const text = 'Name: NAME   \n\n\n\nEnd';
    const start = text.indexOf('NAME');
    assert.equal(compressPrompt(text, { protect: [{ start, end: start + 9 }] }).text, 'Name: NAME   \n\n\n\nEnd');
    assert.equal(compressPrompt(text).text, 'Name: NAME\n\nEnd');
  });

  it('keeps line continuations meaning what they meant', () => {
    // `\␠␠` at the end is an escaped space: stripping would make it a continuation.
    assert.equal(compressPrompt('one \\  \ntwo   ').text, 'one \\  \ntwo');
    // A real continuation is kept, and the spaces before it are inside the line.
    assert.equal(compressPrompt('one   \\\ntwo').text, 'one   \\\ntwo');
    const repeated = 'a line that is long enough \\';
    assert.equal(compressPrompt(`${repeated}\n${repeated}\nend`).text, `${repeated}\n${repeated}\nend`);
  });

  it('collapses three or more blank lines to one and keeps pairs', () => {
    assert.equal(compressPrompt('a\n\n\nb').text, 'a\n\n\nb');
    assert.equal(compressPrompt('a\n\n\n\nb\n \t\n   \n\t\nc').text, 'a\n\nb\n\nc');
    assert.deepEqual(rulesOf('a\n\n\n\nb'), ['blank-lines']);
  });

  it('drops a long line that repeats the previous non-blank line, and keeps short repeats', () => {
    const long = 'Always answer in English, please.';
    assert.equal(compressPrompt(`${long}\n${long}\n\n${long}\nnext`).text, `${long}\n\nnext`);
    assert.equal(compressPrompt('---\n---\nshort line\nshort line').text, '---\n---\nshort line\nshort line');
    const afterDedent = compressPrompt(`${long}\n  ${long}`);
    assert.equal(afterDedent.text, long, 'compared after dedent');
    assert.deepEqual(afterDedent.applied, [
      { rule: 'dedent', count: 1 },
      { rule: 'repeated-lines', count: 1 },
    ]);
  });

  it('keeps CRLF line breaks and reports no change when there is nothing to do', () => {
    assert.equal(compressPrompt('\r\n    a  \r\n    b\r\n').text, '\r\na\r\nb\r\n');
    const r = compressPrompt('Already tidy.\nNothing to do.');
    assert.deepEqual(r, { text: 'Already tidy.\nNothing to do.', changed: false, applied: [] });
    assert.deepEqual(compressPrompt(''), { text: '', changed: false, applied: [] });
  });

  describe('properties', () => {
    const word = fc.constantFrom('Answer', 'the', 'question', 'about', 'tickets', 'carefully', 'x', 'EOF', '\\', '}', 'ok.');
    const placeholder = fc.constantFrom('{ticket}', '{{ user }}', '${a.b}', '{% if x %}', '{{x}}', '${\n  x\n}', '{% for t in ts %}\n  {{ t }}\n{% endfor %}');
    const indent = fc.constantFrom('', ' ', '  ', '    ', '        ', '\t', '    \t');
    const trailing = fc.constantFrom('', '', ' ', '   ', '\t', ' \\', ' \\  ');
    const prose = fc
      .tuple(indent, fc.array(fc.oneof({ weight: 4, arbitrary: word }, { weight: 1, arbitrary: placeholder }), { maxLength: 8 }), trailing)
      .map(([i, words, t]) => `${i}${words.join(' ')}${t}`);
    const repeatedLine = fc.constant('    This line is long enough to repeat.');
    const fenced = fc
      .tuple(indent, fc.constantFrom('```', '~~~', '````'), fc.array(fc.tuple(indent, fc.constantFrom('', 'code()', 'x = 1   ', '{y}', '\t')), { maxLength: 5 }))
      .map(([i, marker, body]) => [`${i}${marker}lang`, ...body.map(([bi, c]) => `${bi}${c}`), `${i}${marker}`].join('\n'));
    type Part = { text: string; fenced: boolean };
    const docParts = fc.tuple(
      fc.constantFrom('', '\n', 'First line. \n'),
      fc.array(
        fc.oneof(
          { weight: 5, arbitrary: prose.map((text): Part => ({ text, fenced: false })) },
          { weight: 2, arbitrary: fc.constant<Part>({ text: '', fenced: false }) },
          { weight: 1, arbitrary: repeatedLine.map((text): Part => ({ text, fenced: false })) },
          { weight: 1, arbitrary: fenced.map((text): Part => ({ text, fenced: true })) },
        ),
        { maxLength: 14 },
      ),
      fc.constantFrom('\n', '\r\n'),
    );
    /** The document, and the fenced blocks the generator put in it. */
    const docWithBlocks = docParts.map(([head, parts, nl]) => ({
      text: head + parts.map((p) => p.text).join('\n').replace(/\n/g, nl),
      blocks: parts.filter((p) => p.fenced).map((p) => p.text.replace(/\n/g, nl)),
    }));
    const doc = docWithBlocks.map((d) => d.text);

    it('is idempotent', () => {
      fc.assert(
        fc.property(doc, (text) => {
          const once = compressPrompt(text).text;
          const twice = compressPrompt(once);
          assert.equal(twice.text, once);
          assert.equal(twice.changed, false);
        }),
        { numRuns: 500 },
      );
    });

    it('never increases length, alters placeholders or touches fenced blocks', () => {
      fc.assert(
        fc.property(docWithBlocks, ({ text, blocks }) => {
          const out = compressPrompt(text).text;
          assert.ok(out.length <= text.length);
          assert.deepEqual(placeholders(out), placeholders(text));
          for (const block of blocks) assert.ok(out.includes(block), `fenced block changed: ${JSON.stringify(block)}`);
        }),
        { numRuns: 500 },
      );
    });

    it('keeps any protected range verbatim', () => {
      fc.assert(
        fc.property(
          doc.chain((text) => fc.tuple(fc.constant(text), fc.nat({ max: text.length }), fc.nat({ max: text.length }))),
          ([text, a, b]) => {
            const [start, end] = a <= b ? [a, b] : [b, a];
            const out = compressPrompt(text, { protect: [{ start, end }] }).text;
            assert.ok(out.includes(text.slice(start, end)));
          },
        ),
        { numRuns: 500 },
      );
    });

    it('changes nothing but leading and trailing whitespace and whole lines', () => {
      fc.assert(
        fc.property(doc, (text) => {
          const out = compressPrompt(text).text;
          const core = (s: string) => s.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
          // Every remaining line's content occurs, in order, among the input's.
          const input = core(text);
          let i = 0;
          for (const line of core(out)) {
            while (i < input.length && input[i] !== line) i++;
            assert.ok(i < input.length, `unexpected line ${JSON.stringify(line)}`);
            i++;
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
