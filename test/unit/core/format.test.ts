import * as assert from 'node:assert/strict';
import { formatPercent, formatTokens, formatUsd } from '../../../src/core/format';

describe('core/format', () => {
  it('prints dollars with two significant digits below a cent, never in exponent form', () => {
    assert.equal(formatUsd(0), '$0');
    assert.equal(formatUsd(12.345), '$12.35');
    assert.equal(formatUsd(0.0312), '$0.031');
    assert.equal(formatUsd(0.0031), '$0.0031');
    assert.equal(formatUsd(0.0000047), '$0.0000047');
    assert.equal(formatUsd(3e-7), '$0.00000030');
  });

  it('groups token counts and rounds shares', () => {
    assert.equal(formatTokens(1234567), '1,234,567');
    assert.equal(formatPercent(0.5), '50%');
    assert.equal(formatPercent(0.0123), '1.2%');
    assert.equal(formatPercent(0.00001), '<0.1%');
  });
});
