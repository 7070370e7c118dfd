import { join } from 'node:path';
import type { CliIo } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/run';

export const repo = join(__dirname, '..', '..', '..');

/** Runs one `agentops` invocation in-process from the repository root and captures its output. */
export async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliIn(repo, argv);
}

/** The same, run from another folder (where ./agentops.yaml is looked for). */
export async function cliIn(cwd: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
