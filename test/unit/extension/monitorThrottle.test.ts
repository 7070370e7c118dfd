import * as assert from 'node:assert/strict';
import { Throttle } from '../../../src/extension/monitor/throttle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The dashboard's live updates: spans may arrive thousands of times a second, the webview gets at most one update a second.
describe('monitor update throttle', () => {
  it('folds a burst of requests into one run, and the next into one run an interval later', async () => {
    const runs: number[] = [];
    const t = new Throttle(async () => void runs.push(Date.now()), 100);
    for (let i = 0; i < 50; i++) t.request();
    await sleep(30);
    assert.equal(runs.length, 1);
    for (let i = 0; i < 50; i++) t.request();
    await sleep(40);
    assert.equal(runs.length, 1, 'within the interval: waits');
    await sleep(120);
    assert.equal(runs.length, 2);
    assert.ok((runs[1] as number) - (runs[0] as number) >= 95, `${(runs[1] as number) - (runs[0] as number)} ms apart`);
    t.dispose();
  });

  it('never runs two at once; a request during a run gives exactly one more', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const t = new Throttle(async () => {
      active++;
      most = Math.max(most, active);
      runs++;
      await sleep(50);
      active--;
    }, 10);
    t.request(true);
    await sleep(10);
    t.request(true);
    t.request();
    t.request(true);
    await sleep(150);
    assert.equal(most, 1);
    assert.equal(runs, 2);
    t.dispose();
  });

  it('an urgent request skips the wait; dispose cancels what is pending', async () => {
    let runs = 0;
    const t = new Throttle(async () => void runs++, 10_000);
    t.request(true);
    await sleep(10);
    t.request();
    t.request(true);
    await sleep(10);
    assert.equal(runs, 2, 'the urgent one did not wait 10 s');
    t.request();
    t.dispose();
    await sleep(20);
    assert.equal(runs, 2);
  });

  it('keeps going after a failed run', async () => {
    let runs = 0;
    const t = new Throttle(async () => {
      runs++;
      throw new Error('boom');
    }, 1);
    t.request(true);
    await sleep(10);
    t.request(true);
    await sleep(10);
    assert.equal(runs, 2);
    t.dispose();
  });
});
