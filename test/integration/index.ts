import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { forwardMochaEvents } from '../mochaEvents';
import { report } from './report';

/**
 * Entry point VS Code calls inside the extension host (extensionTestsPath).
 * Resolves when every suite passed; rejects otherwise, which the workbench
 * turns into exit code 1 for the harness.
 */
export async function run(): Promise<void> {
  const toFile = Boolean(process.env.AGENTOPS_TEST_REPORT);
  const mocha = new Mocha({ ui: 'bdd', color: !toFile, timeout: 60_000, reporter: toFile ? Mocha.reporters.Base : 'spec' });
  const grep = process.env.AGENTOPS_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    if (toFile) forwardMochaEvents(runner, report);
  });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
