import { appendFileSync } from 'node:fs';
import type { TestEvent } from '../testEvents';

/**
 * Where the extension host sends its results. The harness sets
 * AGENTOPS_TEST_REPORT on the server process, whose extension host inherits
 * it; under @vscode/test-electron it is unset and events go to the console.
 */
export function report(event: TestEvent): void {
  const file = process.env.AGENTOPS_TEST_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(event)}\n`);
  else if (event.type === 'info') console.log(event.message);
}

export function reportInfo(message: string): void {
  report({ type: 'info', message });
}
