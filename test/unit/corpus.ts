import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The shared corpus of real OTLP files and trajectories, read in place (never
 * copied into the project). Defaults to ../shared/fixtures beside the clone;
 * AGENTOPS_CORPUS overrides it.
 */
export function corpusDir(): string {
  const override = process.env.AGENTOPS_CORPUS;
  const dir = override ? (isAbsolute(override) ? override : resolve(override)) : resolve(__dirname, '..', '..', '..', 'shared', 'fixtures');
  if (!existsSync(dir)) throw new Error(`fixture corpus not found at ${dir}; set AGENTOPS_CORPUS to the shared/fixtures folder`);
  return dir;
}

export function corpusFile(...parts: string[]): string {
  const file = join(corpusDir(), ...parts);
  if (!existsSync(file)) throw new Error(`corpus file missing: ${file}`);
  return file;
}
