import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMonitorAttributes } from '../../../src/core/monitor/types';
import { collectorAllowed } from '../../../src/extension/monitor/trust';

const root = join(__dirname, '..', '..', '..');

interface Pkg {
  contributes: {
    commands: { command: string; category?: string; enablement?: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
  };
}

// The integration host runs trusted (--disable-workspace-trust), so the refusal in untrusted workspaces is tested here.
describe('monitoring contributions', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Pkg;

  it('refuses to start the collector (it opens a port) in an untrusted workspace; the palette disables it there', () => {
    assert.equal(collectorAllowed(false), false);
    assert.equal(collectorAllowed(true), true);
    assert.equal(pkg.contributes.commands.find((c) => c.command === 'agentOps.collector.start')?.enablement, 'isWorkspaceTrusted');
  });

  it('contributes the collector and dashboard commands in the Agent Ops category', () => {
    for (const id of ['agentOps.collector.start', 'agentOps.collector.stop', 'agentOps.dashboard.open']) {
      assert.equal(pkg.contributes.commands.find((c) => c.command === id)?.category, 'Agent Ops', id);
    }
  });

  it('defaults the attribute settings to the core defaults and the port to OTLP/HTTP’s', () => {
    const props = pkg.contributes.configuration.properties;
    for (const key of ['user', 'session', 'conversation', 'project'] as const) {
      assert.equal(props[`agentOps.monitor.attributes.${key}`]?.default, defaultMonitorAttributes[key], key);
    }
    assert.equal(props['agentOps.collector.port']?.default, 4318);
  });
});
