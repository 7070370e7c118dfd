import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readTrajectoryFile } from '../../../../src/core/trajectory/read';
import { canonicalJson } from '../../../../src/core/trajectory/json';
import type { Step, ToolCall, Trajectory, TrajectoryReadResult } from '../../../../src/core/trajectory/model';
import { corpusFile } from '../../corpus';

export const fixture = (...parts: string[]): string => corpusFile('trajectories', ...parts);

const cache = new Map<string, Promise<TrajectoryReadResult>>();

/** Reads a fixture once per test run (the tau files are megabytes). */
export function readFixture(...parts: string[]): Promise<TrajectoryReadResult> {
  const file = fixture(...parts);
  let p = cache.get(file);
  if (!p) cache.set(file, (p = readTrajectoryFile(file)));
  return p;
}

export async function onlyRun(...parts: string[]): Promise<Trajectory> {
  const r = await readFixture(...parts);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.trajectories.length, 1);
  return r.trajectories[0] as Trajectory;
}

export const calls = (t: Trajectory): ToolCall[] => t.steps.flatMap((s) => s.calls);
export const toolNames = (t: Trajectory): string[] => calls(t).map((c) => c.toolName);
export const kinds = (t: Trajectory): string[] => t.steps.map((s) => s.kind);
export const canon = (c: ToolCall): string => canonicalJson(c.arguments);

/** Every step's line points into the file, at the line where a JSON object opens. */
export function assertStepLinesOpenRecords(t: Trajectory, file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (const s of t.steps) {
    assert.ok(s.line !== undefined, `step ${s.index} has a line`);
    const text = lines[(s.line as number) - 1] ?? '';
    assert.match(text, /\{\s*$/, `step ${s.index}: line ${s.line} opens a record: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

export const step = (t: Trajectory, i: number): Step => {
  const s = t.steps[i];
  assert.ok(s, `step ${i} exists`);
  return s;
};
