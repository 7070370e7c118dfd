import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineIndex, placeholdersIn, scanPlaceholders, stripPlaceholders, type ScanOptions } from '../../../../src/core/tokens/detect';

const all: ScanOptions = { mustache: true, single: true, dollar: true, jinja: true };
const scan = (text: string, options: ScanOptions = all) => scanPlaceholders(text, options).map((m) => [text.slice(m.start, m.end), m.name, m.syntax]);

describe('core/tokens/detect: placeholders', () => {
  it('finds {{x}}, {{{x}}}, {x}, ${x}, {% %} and {# #} with their names', () => {
    assert.deepEqual(scan('Hi {{ user.name }} and {{{raw}}}, {ticket} ${who} {% if x %}y{% endif %}{# note #}'), [
      ['{{ user.name }}', 'user.name', '{{x}}'],
      ['{{{raw}}}', 'raw', '{{x}}'],
      ['{ticket}', 'ticket', '{x}'],
      ['${who}', 'who', '${x}'],
      ['{% if x %}', 'if x', '{%x%}'],
      ['{% endif %}', 'endif', '{%x%}'],
      ['{# note #}', '# note', '{%x%}'],
    ]);
  });

  it('{x} needs an identifier-like field; format specs and conversions belong to it', () => {
    assert.deepEqual(scan('{a.b} {items[0]} {x!r} {n:>10} {0} {} { x } {"a": 1} {a-b}'), [
      ['{a.b}', 'a.b', '{x}'],
      ['{items[0]}', 'items[0]', '{x}'],
      ['{x!r}', 'x', '{x}'],
      ['{n:>10}', 'n', '{x}'],
    ]);
  });

  it('escaped JSON braces are text but a field inside them is found', () => {
    assert.deepEqual(scan('Reply {{"answer": {value}}} or {{\n"a": 1}}'), [['{value}', 'value', '{x}']]);
  });

  it('Jinja whitespace control and Mustache sections', () => {
    assert.deepEqual(scan('{%- for a in b -%}{{- a -}}{{#each xs}}{{/each}}'), [
      ['{%- for a in b -%}', 'for a in b', '{%x%}'],
      ['{{- a -}}', 'a', '{{x}}'],
      ['{{#each xs}}', '#each xs', '{{x}}'],
      ['{{/each}}', '/each', '{{x}}'],
    ]);
  });

  it('honours the options: ${x} is text (and so is its {x}) when not scanned for', () => {
    assert.deepEqual(scan('${a} {b} {{c}} {% d %}', { mustache: true, single: true }), [
      ['{b}', 'b', '{x}'],
      ['{{c}}', 'c', '{{x}}'],
    ]);
    assert.deepEqual(scan('{b} {{c}}', { mustache: true }), [['{{c}}', 'c', '{{x}}']]);
    assert.deepEqual(scan('{b} {{c}}', {}), []);
  });

  it('placeholdersIn maps matches to document ranges and strips them', () => {
    const doc = 'title\nHello {{name}}, {x}!\n';
    const offset = doc.indexOf('Hello');
    const body = doc.slice(offset);
    const result = placeholdersIn(body, offset, new LineIndex(doc), { mustache: true, single: true });
    assert.equal(result.text, 'Hello , !\n');
    assert.deepEqual(
      result.placeholders.map((p) => [p.name, p.range]),
      [
        ['name', { start: { line: 1, character: 6 }, end: { line: 1, character: 14 } }],
        ['x', { start: { line: 1, character: 16 }, end: { line: 1, character: 19 } }],
      ],
    );
  });

  it('LineIndex: CRLF, LF and lone CR end lines; characters are UTF-16 units', () => {
    const lines = new LineIndex('a\r\nb\rc\n😀d');
    assert.deepEqual(lines.position(3), { line: 1, character: 0 });
    assert.deepEqual(lines.position(5), { line: 2, character: 0 });
    assert.deepEqual(lines.position(9), { line: 3, character: 2 });
  });

  it('properties: matches are ordered, disjoint, and stripping removes exactly them', () => {
    const alphabet = fc.constantFrom('{', '}', '{{', '}}', '$', '%', '#', 'a', 'b', '_', ' ', '\n', ':', '!', '"', '.');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const matches = scanPlaceholders(text, all);
        let at = 0;
        let removed = 0;
        for (const m of matches) {
          assert.ok(m.start >= at && m.end > m.start && m.end <= text.length);
          removed += m.end - m.start;
          at = m.end;
        }
        assert.equal(stripPlaceholders(text, matches).length, text.length - removed);
      }),
    );
  });
});
