import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleWorkspace } from './paths';
import { addTraceFixtures } from './traceFixtures';

/** Settings that keep a test window quiet: no startup editor, no chat, no tips. */
const testSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
};

/** A private copy of samples/workspace, so tests may write into it. */
export function prepareTestWorkspace(into: string): string {
  const target = join(into, 'workspace');
  cpSync(sampleWorkspace, target, { recursive: true });
  const settingsFile = join(target, '.vscode', 'settings.json');
  mkdirSync(join(target, '.vscode'), { recursive: true });
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    // no settings in the sample
  }
  writeFileSync(settingsFile, `${JSON.stringify({ ...settings, ...testSettings }, null, 2)}\n`);
  addTraceFixtures(target);
  return target;
}
