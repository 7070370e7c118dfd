import * as assert from 'node:assert/strict';
import { InputError, formatLocation, isInputError } from '../../../src/core/errors';

describe('core/errors', () => {
  it('formats locations the way terminals and editors link them', () => {
    assert.equal(formatLocation({ file: 'a.json' }), 'a.json');
    assert.equal(formatLocation({ file: 'a.json', line: 3 }), 'a.json:3');
    assert.equal(formatLocation({ file: 'a.json', line: 3, column: 7 }), 'a.json:3:7');
    assert.equal(formatLocation({ file: 'agentops.yaml', line: 9, field: 'environments.prod.guard' }), 'agentops.yaml:9 (environments.prod.guard)');
  });

  it('InputError carries its location and detail separately', () => {
    const err = new InputError({ file: 't.jsonl', line: 12 }, 'unexpected end of JSON', { cause: new SyntaxError('x') });
    assert.equal(err.message, 't.jsonl:12: unexpected end of JSON');
    assert.equal(err.detail, 'unexpected end of JSON');
    assert.deepEqual(err.location, { file: 't.jsonl', line: 12 });
    assert.ok(isInputError(err));
    assert.ok(!isInputError(new Error('x')));
    assert.ok(err.cause instanceof SyntaxError);
  });
});
