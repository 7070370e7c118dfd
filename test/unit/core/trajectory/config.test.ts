import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAgentopsYaml, sectionOf } from '../../../../src/core/config/agentopsYaml';
import { agentopsSchema, loadTrajectoryConfig, parseDuration, ruleSettings, trajectoryConfigSchema } from '../../../../src/core/trajectory/config';
import { ruleIds } from '../../../../src/core/trajectory/findings';
import { defaultTrajectoryConfig } from '../../../../src/core/trajectory/validate';

const repo = resolve(__dirname, '..', '..', '..', '..');
const load = (text: string) => loadTrajectoryConfig(text, 'agentops.yaml');
/** Problems as `line:column field: message` for compact assertions. */
const brief = (text: string): string[] => load(text).problems.map((p) => `${p.line}:${p.column} ${p.field}: ${p.message}`);

describe('core/trajectory/config: the trajectory section of agentops.yaml', () => {
  it('no section, or an empty one: the defaults, no problem', () => {
    for (const text of ['', 'agent: bot\n', 'trajectory:\n', 'trajectory: {}\n', 'trajectory:\n  rules:\n']) {
      const r = load(text);
      assert.deepEqual(r.problems, [], text);
      assert.deepEqual(r.config, defaultTrajectoryConfig(), text);
    }
  });

  it('the sample workspace file (deploy sections only) is read without a problem', () => {
    const text = readFileSync(resolve(repo, 'samples', 'workspace', 'agentops.yaml'), 'utf8');
    const r = loadTrajectoryConfig(text, 'samples/workspace/agentops.yaml');
    assert.deepEqual(r.problems, []);
    // Sections of other modules are kept by the parser, untouched.
    const y = parseAgentopsYaml(text, 'agentops.yaml');
    assert.ok(sectionOf(y, 'environments'));
  });

  it('reads every setting, shorthands included', () => {
    const text = `agent: support-bot
environments: { staging: { target: { type: command } } }
trajectory:
  rules:
    max-steps: { max: 40 }
    repeated-call: { warnAt: 4, errorAt: 8, severity: info }
    loop: { minCycle: 2, maxCycle: 6, minRepeats: 4 }
    no-progress: warning
    error-retry: { minRepeats: 2 }
    tool-error: off
    no-final-answer: error
    empty-trajectory: false
    budget-tokens: { max: 200000 }
    budget-cost: { maxUsd: 2.5 }
    budget-time: { maxMs: 10m }
    expected-trajectory:
      order: unordered
      arguments: subset
      calls:
        - get_user_details
        - tool: book_reservation
          args: { cabin: business, flights: [{ flight_number: HAT023 }] }
  volatileFields:
    book_reservation: [payment_methods.payment_id]
    "*": request_id
  pollingTools: [get_job_status]
  thinkTools: [think, plan]
`;
    const { config: c, problems } = load(text);
    assert.deepEqual(problems, []);
    assert.deepEqual(c.rules['max-steps'], { severity: 'warning', max: 40 });
    assert.deepEqual(c.rules['repeated-call'], { severity: 'info', warnAt: 4, errorAt: 8 });
    assert.deepEqual(c.rules.loop, { severity: 'error', minCycle: 2, maxCycle: 6, minRepeats: 4 });
    assert.equal(c.rules['no-progress'].severity, 'warning');
    assert.equal(c.rules['error-retry'].minRepeats, 2);
    assert.equal(c.rules['tool-error'].severity, 'off');
    assert.equal(c.rules['no-final-answer'].severity, 'error');
    assert.equal(c.rules['empty-trajectory'].severity, 'off');
    assert.equal(c.rules['budget-tokens'].max, 200000);
    assert.equal(c.rules['budget-cost'].maxUsd, 2.5);
    assert.equal(c.rules['budget-time'].maxMs, 600_000);
    assert.deepEqual(c.rules['expected-trajectory'], {
      severity: 'error',
      order: 'unordered',
      arguments: 'subset',
      calls: [{ tool: 'get_user_details' }, { tool: 'book_reservation', args: { cabin: 'business', flights: [{ flight_number: 'HAT023' }] } }],
    });
    assert.deepEqual(c.volatileFields, { book_reservation: ['payment_methods.payment_id'], '*': ['request_id'] });
    assert.deepEqual(c.pollingTools, ['get_job_status']);
    assert.deepEqual(c.thinkTools, ['think', 'plan']);
  });

  it('problems name the line, column and field; bad values fall back to their defaults, good siblings apply', () => {
    const text = `agent: bot
trajectory:
  rules:
    loop: { minRepeats: -2, maxCycle: 4 }
    looop: warning
    max-steps:
      max: fifty
    tool-error: { maxErrorRate: 1.5, minCalls: 2.5 }
    repeated-call: { warnat: 3 }
    no-progress: loud
    budget-time: { maxMs: soon }
    expected-trajectory: { order: sorted, calls: [{ args: {} }, 3] }
  pollingTool: [x]
  thinkTools: think
`;
    assert.deepEqual(brief(text), [
      '4:25 trajectory.rules.loop.minRepeats: minRepeats must be zero or more (not negative), found -2',
      "5:5 trajectory.rules.looop: unknown rule 'looop' (did you mean 'loop'?); the rules are max-steps, repeated-call, loop, no-progress, error-retry, tool-error, no-final-answer, empty-trajectory, budget-tokens, budget-cost, budget-time, expected-trajectory",
      '7:12 trajectory.rules.max-steps.max: max must be a whole number, found the text "fifty"',
      '8:33 trajectory.rules.tool-error.maxErrorRate: maxErrorRate must be between 0 and 1, found 1.5',
      '8:48 trajectory.rules.tool-error.minCalls: minCalls must be a whole number, found 2.5',
      "9:22 trajectory.rules.repeated-call.warnat: unknown setting 'warnat' for rule 'repeated-call' (did you mean 'warnAt'?); it takes severity, warnAt, errorAt",
      `10:18 trajectory.rules.no-progress: rule 'no-progress' takes a severity (error, warning, info, off), true/false, or a mapping of settings; found the text "loud"`,
      '11:27 trajectory.rules.budget-time.maxMs: maxMs must be milliseconds or a duration such as 500ms, 90s, 10m, 1h30m; found the text "soon"',
      '12:35 trajectory.rules.expected-trajectory.order: order must be one of strict, unordered, subset, superset, found the text "sorted"',
      '12:51 trajectory.rules.expected-trajectory.calls[0]: an expected call needs a tool',
      '12:65 trajectory.rules.expected-trajectory.calls[1]: an expected call is {tool, args} or a tool name, found the number 3',
      "13:3 trajectory.pollingTool: unknown field 'pollingTool' in trajectory (did you mean 'pollingTools'?); expected rules, volatileFields, pollingTools, thinkTools",
    ]);
    const { config: c } = load(text);
    const d = defaultTrajectoryConfig();
    assert.deepEqual(c.rules.loop, { ...d.rules.loop, maxCycle: 4 }, 'the bad minRepeats falls back, the good maxCycle applies');
    assert.deepEqual(c.rules['max-steps'], d.rules['max-steps']);
    assert.deepEqual(c.rules['tool-error'], d.rules['tool-error']);
    assert.deepEqual(c.rules['no-progress'], d.rules['no-progress']);
    assert.equal(c.rules['expected-trajectory'].calls, undefined, 'a reference with holes is not used');
    assert.deepEqual(c.thinkTools, ['think'], 'a single name is a list of one');
  });

  it('settings that contradict each other', () => {
    assert.deepEqual(brief('trajectory:\n  rules:\n    loop: { minCycle: 4, maxCycle: 3 }\n'), [
      '3:13 trajectory.rules.loop.minCycle: minCycle (4) must not be above maxCycle (3); using the defaults 2–5',
    ]);
    assert.deepEqual(load('trajectory:\n  rules:\n    loop: { minCycle: 4, maxCycle: 3 }\n').config.rules.loop, defaultTrajectoryConfig().rules.loop);
    assert.deepEqual(brief('trajectory:\n  rules:\n    repeated-call: { warnAt: 5, errorAt: 3 }\n'), [
      '3:33 trajectory.rules.repeated-call.errorAt: errorAt (3) must not be below warnAt (5); using 5',
    ]);
    assert.deepEqual(brief('trajectory:\n  rules:\n    loop: { maxCycle: 50 }\n'), ['3:23 trajectory.rules.loop.maxCycle: maxCycle must be between 1 and 20, found 50']);
  });

  it('wrong shapes: the section, rules, volatileFields, lists', () => {
    assert.deepEqual(brief('trajectory: [1, 2]\n'), ['1:13 trajectory: trajectory must be a mapping (rules:, volatileFields:, pollingTools:, thinkTools:), found a list']);
    assert.deepEqual(brief('trajectory:\n  rules: [loop]\n'), ['2:10 trajectory.rules: rules must be a mapping of rule ids to settings, found a list']);
    assert.deepEqual(brief('trajectory:\n  volatileFields: [id]\n'), ['2:19 trajectory.volatileFields: volatileFields must map tool names (or "*") to lists of argument fields, found a list']);
    assert.deepEqual(brief('trajectory:\n  pollingTools: [a, {b: 1}, c]\n'), ['2:21 trajectory.pollingTools[1]: expected a name, found a mapping']);
    assert.deepEqual(load('trajectory:\n  pollingTools: [a, {b: 1}, c]\n').config.pollingTools, ['a', 'c']);
  });

  it('YAML syntax errors anywhere in the file are problems at their line; the rest is still read', () => {
    const text = 'trajectory:\n  rules:\n    max-steps: { max: 10 }\nenvironments:\n  prod: [1, 2\n';
    const r = load(text);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]?.line, 6);
    assert.match(r.problems[0]?.message ?? '', /Flow sequence|flow collection|\]/);
    assert.equal(r.config.rules['max-steps'].max, 10);
    assert.deepEqual(brief('trajectory:\n  rules: {}\n  rules: {}\n'), ['3:3 : Map keys must be unique']);
    assert.deepEqual(brief('- a\n- b\n'), ['1:1 : agentops.yaml must be a mapping of sections (agent:, environments:, trajectory:, …)']);
  });

  it('durations', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('1h 30m'), 5_400_000);
    assert.equal(parseDuration('2500'), 2500);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration('10 parsecs'), undefined);
  });

  describe('the JSON Schema', () => {
    it('schemas/agentops.schema.json is the generated schema (regenerate it from agentopsSchema() after changing a setting)', () => {
      const file = JSON.parse(readFileSync(resolve(repo, 'schemas', 'agentops.schema.json'), 'utf8')) as unknown;
      assert.deepEqual(file, agentopsSchema());
      assert.equal((file as { additionalProperties: unknown }).additionalProperties, true, 'deploy sections are open');
    });

    it('covers every rule and setting, with the defaults of defaultTrajectoryConfig()', () => {
      const rules = (trajectoryConfigSchema.properties as { rules: { properties: Record<string, { anyOf: { properties?: Record<string, { default?: unknown }> }[] }> } }).rules.properties;
      assert.deepEqual(Object.keys(rules), [...ruleIds]);
      const d = defaultTrajectoryConfig();
      for (const id of ruleIds) {
        const props = rules[id]?.anyOf[0]?.properties ?? {};
        assert.deepEqual(Object.keys(props), ['severity', ...Object.keys(ruleSettings[id])], id);
        const defaults = d.rules[id] as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(props)) if (defaults[k] !== undefined) assert.deepEqual(v.default, defaults[k], `${id}.${k}`);
      }
    });
  });

  it('the example in docs/trajectory-rules.md is valid', () => {
    const doc = readFileSync(resolve(repo, 'docs', 'trajectory-rules.md'), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    assert.ok(blocks.length > 0);
    for (const b of blocks) assert.deepEqual(load(b).problems, [], b);
  });
});
