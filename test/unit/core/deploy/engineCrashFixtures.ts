/** Shared by the engine crash test and its child process (ledgerChild.ts `engine`). */
import { appendFileSync } from 'node:fs';
import type { TargetDriver } from '../../../../src/core/deploy/targets/types';

/** The canary every `engine` child runs: five steps, a guard that always passes, no wait between steps. */
export const engineYaml = `agent: crash-test
environments:
  prod:
    target: { type: command, run: ["true"] }
    strategy: { type: canary, steps: [10, 25, 50, 75, 100], interval: 1s }
    guard:
      source: { type: otlp, dir: traces }
      minSamples: 1
`;

/** A target that appends every action it is told to `log` (synchronously) before answering: what "the target" saw. */
export function loggingTarget(log: string): TargetDriver {
  return {
    type: 'command',
    async run(a) {
      appendFileSync(log, `${JSON.stringify({ deployId: a.deployId, action: a.action, version: a.version, weight: a.weight })}\n`);
      await new Promise((r) => setTimeout(r, Math.random() * 4));
      return { ok: true, output: `${a.action} ${a.version} ${a.weight}` };
    },
  };
}

