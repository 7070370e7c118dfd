import type Mocha from 'mocha';
import type { TestEvent } from './testEvents';

/**
 * Turns a mocha run into TestEvents. Used inside the extension host (events
 * go to a report file) and in the harness (events go straight to the terminal).
 */
export function forwardMochaEvents(runner: Mocha.Runner, emit: (event: TestEvent) => void): void {
  const depthOf = (r: Mocha.Runnable | Mocha.Suite): number => {
    let depth = 0;
    for (let p = r.parent; p && !p.root; p = p.parent) depth++;
    return depth;
  };
  let passes = 0;
  let failures = 0;
  let pending = 0;
  runner.on('suite', (suite: Mocha.Suite) => {
    if (!suite.root) emit({ type: 'suite', title: suite.title, depth: depthOf(suite) });
  });
  runner.on('pass', (test: Mocha.Test) => {
    passes++;
    emit({ type: 'pass', title: test.title, depth: depthOf(test), durationMs: test.duration ?? 0 });
  });
  runner.on('fail', (test: Mocha.Runnable, err: Error) => {
    failures++;
    emit({ type: 'fail', title: test.title, depth: depthOf(test), durationMs: test.duration ?? 0, error: err.stack ?? err.message });
  });
  runner.on('pending', (test: Mocha.Test) => {
    pending++;
    emit({ type: 'pending', title: test.title, depth: depthOf(test) });
  });
  runner.on('end', () => emit({ type: 'end', passes, failures, pending }));
}
