import * as assert from 'node:assert/strict';
import { literalContent } from '../../../../src/core/tokens/literalContent';

describe('core/tokens/literalContent', () => {
  const inner = (s: string) => {
    const r = literalContent(s);
    return r && s.slice(r.start, r.end);
  };

  it('finds the content of one literal of any quoting', () => {
    assert.equal(inner('"""\n  a "quoted" word\n"""'), '\n  a "quoted" word\n');
    assert.equal(inner("'''x'''"), 'x');
    assert.equal(inner('f"hi {name}"'), 'hi {name}');
    assert.equal(inner("rb'raw\\d'"), 'raw\\d');
    assert.equal(inner('`hello ${user}`'), 'hello ${user}');
    assert.equal(inner("'it\\'s'"), "it\\'s");
  });

  it('refuses concatenations and anything that is not one literal', () => {
    assert.equal(literalContent('"a" "b"'), undefined);
    assert.equal(literalContent('"a" + name + "b"'), undefined);
    assert.equal(literalContent('`a ${x ? `b` : `c`} d`'), undefined);
    assert.equal(literalContent('("a"\n "b")'), undefined);
    assert.equal(literalContent('"'), undefined);
    assert.equal(literalContent('name'), undefined);
  });
});
