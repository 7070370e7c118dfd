import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deployConfigSchemaProperties, initialWeight, loadDeployConfig, targetShapes, type DeployConfig, type Strategy } from '../../../../src/core/deploy/config';
import { agentopsSchema } from '../../../../src/core/trajectory/config';

const repo = resolve(__dirname, '..', '..', '..', '..');
const load = (text: string) => loadDeployConfig(text, 'agentops.yaml');
/** Problems as `file:line:column field: message` for compact assertions. */
const brief = (text: string): string[] => load(text).problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.field}: ${p.message}`);
const env = (body: string, name = 'p'): string => `agent: bot\nenvironments:\n  ${name}:\n${body}`;

describe('core/deploy/config: the deploy sections of agentops.yaml', () => {
  it('the issue’s minimal form (samples/workspace/agentops.yaml) loads as written', () => {
    const text = readFileSync(resolve(repo, 'samples', 'workspace', 'agentops.yaml'), 'utf8');
    const r = loadDeployConfig(text, 'samples/workspace/agentops.yaml');
    assert.deepEqual(r.problems, []);
    const expected: DeployConfig = {
      agent: 'support-bot',
      environments: {
        staging: { name: 'staging', target: { type: 'command', run: ['./deploy.sh', '${version}', '${weight}'] }, strategy: { type: 'direct' }, protected: false },
        production: {
          name: 'production',
          target: { type: 'command', run: ['./deploy.sh', '${version}', '${weight}'] },
          strategy: { type: 'canary', steps: [10, 50, 100], interval: 30_000 },
          protected: true,
          guard: {
            source: { type: 'prometheus', url: 'http://127.0.0.1:9090', errorRate: 'sum(rate(agent_requests_total{version="${version}",status="error"}[5m])) / sum(rate(agent_requests_total{version="${version}"}[5m]))' },
            maxErrorRate: 0.05,
            minSamples: 20,
            consecutiveBreaches: 2,
            interval: 30_000,
            onNoData: 'pause',
          },
        },
      },
    };
    assert.deepEqual(r.config, expected);
    assert.deepEqual(Object.keys(r.config?.environments ?? {}), ['staging', 'production'], 'in the order of the file');
    assert.deepEqual(r.environmentsAt, { line: 3, column: 1 });
  });

  it('the issue text itself (a placeholder PromQL) loads too', () => {
    const text = `agent: support-bot
environments:
  staging:
    target: { type: command, run: ["./deploy.sh", "\${version}", "\${weight}"] }
    strategy: direct
  production:
    protected: true
    target: { type: command, run: ["./deploy.sh", "\${version}", "\${weight}"] }
    strategy: { type: canary, steps: [10, 50, 100], interval: 30s }
    guard:
      source: { type: prometheus, url: "http://127.0.0.1:9090", errorRate: "<PromQL with \${version}>" }
      maxErrorRate: 0.05
      minSamples: 20
      consecutiveBreaches: 2
      onNoData: pause        # or fail; no data is never a pass
`;
    const r = load(text);
    assert.deepEqual(r.problems, []);
    assert.equal(r.config?.environments.production?.guard?.onNoData, 'pause');
  });

  it('no deploy sections: no config and no problem (a trajectory-only file)', () => {
    for (const text of ['', 'trajectory:\n  rules: {}\n']) {
      const r = load(text);
      assert.deepEqual(r.problems, []);
      assert.equal(r.config, undefined);
    }
  });

  it('every target type, with its defaults and optional fields', () => {
    const text = `agent: bot
environments:
  a: { target: { type: command, run: [./deploy.sh, "\${version}", 3], cwd: deploy, timeout: 10m } }
  b: { target: { type: webhook, url: "https://hooks.example.com/deploy?env=\${env}", secret: "\${env:HOOK_SECRET}", retries: 5, timeout: 10s } }
  c: { target: { type: webhook, url: "\${env:HOOK_URL}", secret: agentops.webhook.production } }
  d: { target: { type: kubectl, deployment: bot, container: agent, namespace: agents, context: prod-eu, image: "ghcr.io/acme/bot:\${version}" } }
  e: { target: { type: helm, release: bot, chart: ./charts/bot, valuesKey: image.tag } }
  f: { target: { type: argo-rollouts, rollout: bot, container: agent } }
  g: { target: { type: mlflow-alias, trackingUri: "http://127.0.0.1:5000", model: support-bot, alias: champion } }
  h: { target: { type: langfuse-label, host: "https://cloud.langfuse.com", prompt: support/system, label: production } }
`;
    const r = load(text);
    assert.deepEqual(r.problems, []);
    const t = Object.fromEntries(Object.entries(r.config?.environments ?? {}).map(([k, v]) => [k, v.target]));
    assert.deepEqual(t, {
      a: { type: 'command', run: ['./deploy.sh', '${version}', '3'], cwd: 'deploy', timeout: 600_000 },
      b: { type: 'webhook', url: 'https://hooks.example.com/deploy?env=${env}', secret: { kind: 'env', name: 'HOOK_SECRET' }, retries: 5, timeout: 10_000 },
      c: { type: 'webhook', url: '${env:HOOK_URL}', secret: { kind: 'secretStorage', key: 'agentops.webhook.production' } },
      d: { type: 'kubectl', deployment: 'bot', container: 'agent', namespace: 'agents', context: 'prod-eu', image: 'ghcr.io/acme/bot:${version}' },
      e: { type: 'helm', release: 'bot', chart: './charts/bot', valuesKey: 'image.tag' },
      f: { type: 'argo-rollouts', rollout: 'bot', container: 'agent' },
      g: { type: 'mlflow-alias', trackingUri: 'http://127.0.0.1:5000', model: 'support-bot', alias: 'champion' },
      h: { type: 'langfuse-label', host: 'https://cloud.langfuse.com', prompt: 'support/system', label: 'production' },
    });
    assert.deepEqual([...new Set(Object.values(t).map((x) => x.type))].sort(), Object.keys(targetShapes).sort(), 'every target type');
  });

  it('every strategy, and the weight each starts at', () => {
    const text = `agent: bot
environments:
  a: { target: { type: command, run: [x] } }
  b: { target: { type: command, run: [x] }, strategy: blue-green }
  c: { target: { type: command, run: [x] }, strategy: { type: direct } }
  d: { target: { type: command, run: [x] }, strategy: { type: canary, steps: [1, 5.5, 25, 100] } }
  e: { target: { type: command, run: [x] }, strategy: { type: ab, split: 30 } }
  f: { target: { type: command, run: [x] }, strategy: { type: ab, weights: { candidate: 20, stable: 80 } } }
`;
    const r = load(text);
    assert.deepEqual(r.problems, []);
    const s: Record<string, Strategy> = Object.fromEntries(Object.entries(r.config?.environments ?? {}).map(([k, v]) => [k, v.strategy]));
    assert.deepEqual(Object.values(s).map(initialWeight), [100, 100, 100, 1, 30, 20]);
    assert.deepEqual(s, {
      a: { type: 'direct' },
      b: { type: 'blue-green' },
      c: { type: 'direct' },
      d: { type: 'canary', steps: [1, 5.5, 25, 100], interval: 60_000 },
      e: { type: 'ab', split: 30 },
      f: { type: 'ab', split: 20 },
    });
  });

  it('guards: defaults, the otlp source, latency; the guard interval follows the canary unless given', () => {
    const r = load(`agent: bot
environments:
  a:
    target: { type: command, run: [x] }
    strategy: { type: canary, steps: [50, 100], interval: 2m }
    guard: { source: { type: otlp } }
  b:
    target: { type: command, run: [x] }
    guard:
      source: { type: otlp, files: [".agentops/traces/*.jsonl"], versionAttribute: agent.version }
      interval: 15s
      maxLatency: 800ms
      onNoData: fail
  c:
    target: { type: command, run: [x] }
    guard:
      source: { type: prometheus, url: "\${env:PROM_URL}", errorRate: "e{v='\${version}'}", latency: "l{v='\${version}'}" }
      maxLatency: 1.5s
`);
    assert.deepEqual(r.problems, []);
    const g = r.config?.environments;
    assert.deepEqual(g?.a?.guard, { source: { type: 'otlp', dir: '.agentops/traces', versionAttribute: 'service.version' }, maxErrorRate: 0.05, minSamples: 20, consecutiveBreaches: 2, interval: 120_000, onNoData: 'pause' });
    assert.deepEqual(g?.b?.guard, { source: { type: 'otlp', files: ['.agentops/traces/*.jsonl'], versionAttribute: 'agent.version' }, maxErrorRate: 0.05, minSamples: 20, consecutiveBreaches: 2, interval: 15_000, maxLatency: 800, onNoData: 'fail' });
    assert.equal(g?.c?.guard?.interval, 60_000);
    assert.equal(g?.c?.guard?.maxLatency, 1500);
  });

  it('problems name file:line:column and the field path; any problem means no config', () => {
    const text = `agent: support-bot
environments:
  production:
    target: { type: command, run: ["./deploy.sh", "\${version}"] }
    strategy: { type: canary, steps: [10, 150, 100], interval: 30s }
`;
    const r = load(text);
    assert.equal(r.config, undefined);
    assert.deepEqual(brief(text), ['agentops.yaml:5:43 environments.production.strategy.steps[1]: steps[1] must be between 1 and 100, found 150']);
  });

  it('canary steps: ascending, ending at 100, hundredths at most; no steps at all', () => {
    const at = (strategy: string) => brief(env(`    target: { type: command, run: [x] }\n    strategy: ${strategy}\n`));
    assert.deepEqual(at('{ type: canary, steps: [50, 20, 100] }'), ['agentops.yaml:5:43 environments.p.strategy.steps[1]: steps must be ascending: 20 comes after 50']);
    assert.deepEqual(at('{ type: canary, steps: [10, 50] }'), ['agentops.yaml:5:43 environments.p.strategy.steps[1]: the last step must be 100 (the candidate takes all the traffic), found 50']);
    assert.deepEqual(at('{ type: canary, steps: [0, 100] }'), ['agentops.yaml:5:39 environments.p.strategy.steps[0]: steps[0] must be between 1 and 100, found 0']);
    assert.deepEqual(at('{ type: canary, steps: [10.555, 100] }'), ['agentops.yaml:5:39 environments.p.strategy.steps[0]: steps[0] has more than two decimals (a weight is counted in hundredths of a percent), found 10.555']);
    assert.deepEqual(at('{ type: canary, steps: [] }'), ['agentops.yaml:5:38 environments.p.strategy.steps: steps must be a list of weights in percent, ascending and ending at 100, such as [10, 50, 100]; found an empty list']);
    assert.deepEqual(at('{ type: canary, steps: [10, 100], interval: 30 }'), ['agentops.yaml:5:59 environments.p.strategy.interval: interval must be at least 1s, found 30 (milliseconds)']);
    assert.deepEqual(at('canary'), ['agentops.yaml:5:15 environments.p.strategy: a canary needs its steps: { type: canary, steps: [10, 50, 100], interval: 5m }']);
    assert.deepEqual(at('canry'), ["agentops.yaml:5:15 environments.p.strategy: unknown strategy 'canry' (did you mean 'canary'?); the strategies are direct, blue-green, canary, ab"]);
    assert.deepEqual(at('{ type: bluegreen }'), ["agentops.yaml:5:23 environments.p.strategy.type: unknown strategy type the text \"bluegreen\" (did you mean 'blue-green'?); the strategies are direct, blue-green, canary, ab"]);
  });

  it('ab: split or weights adding up to 100, not both', () => {
    const at = (strategy: string) => brief(env(`    target: { type: command, run: [x] }\n    strategy: ${strategy}\n`));
    assert.deepEqual(at('{ type: ab, weights: { candidate: 30, stable: 60 } }'), ['agentops.yaml:5:36 environments.p.strategy.weights: weights must add up to 100, found 30 + 60 = 90']);
    assert.deepEqual(at('{ type: ab, split: 25, weights: { candidate: 25, stable: 75 } }'), ['agentops.yaml:5:27 environments.p.strategy: give split or weights, not both']);
    assert.deepEqual(at('{ type: ab }'), ['agentops.yaml:5:15 environments.p.strategy: an ab strategy needs split (the candidate’s percent) or weights: { candidate: 30, stable: 70 }']);
    assert.deepEqual(at('{ type: ab, split: 101 }'), ['agentops.yaml:5:34 environments.p.strategy.split: split must be between 0 and 100, found 101']);
  });

  it('targets: an argv list, never a shell string; unknown types and fields with a suggestion; required fields', () => {
    assert.deepEqual(brief(env('    target: { type: command, run: "./deploy.sh ${version}" }\n')), ['agentops.yaml:4:35 environments.p.target.run: run must be a list of arguments such as ["./deploy.sh", "${version}"], never a shell string']);
    assert.deepEqual(brief(env('    target: { type: comand, run: [a] }\n')), ["agentops.yaml:4:21 environments.p.target.type: unknown target type the text \"comand\" (did you mean 'command'?); the types are command, webhook, kubectl, helm, argo-rollouts, mlflow-alias, langfuse-label"]);
    assert.deepEqual(brief(env('    target: { type: kubectl, deployment: bot }\n')), ['agentops.yaml:4:13 environments.p.target.container: a kubectl target needs container']);
    assert.deepEqual(brief(env('    target: { type: helm, release: bot, valueKey: image.tag }\n')), ["agentops.yaml:4:41 environments.p.target.valueKey: unknown field 'valueKey' in a helm target (did you mean 'valuesKey'?); it takes type, release, chart, valuesKey, namespace, context"]);
    assert.deepEqual(brief(env('    target: { run: [a] }\n')), ['agentops.yaml:4:13 environments.p.target.type: target needs a type: command, webhook, kubectl, helm, argo-rollouts, mlflow-alias, langfuse-label']);
    assert.deepEqual(brief(env('    strategy: direct\n')), ["agentops.yaml:4:5 environments.p.target: environment 'p' needs target"]);
    assert.deepEqual(brief(env('    target: { type: command, run: [a] }\n    stratgy: direct\n')), ["agentops.yaml:5:5 environments.p.stratgy: unknown field 'stratgy' in environment 'p' (did you mean 'strategy'?); it takes target, strategy, protected, guard"]);
    assert.deepEqual(brief(env('    target: { type: mlflow-alias, trackingUri: "ftp://x", model: m, alias: a }\n')), ['agentops.yaml:4:48 environments.p.target.trackingUri: trackingUri must be an http:// or https:// URL (or ${env:VAR}), found the text "ftp://x"']);
    assert.deepEqual(brief(env('    target: { type: command, run: [a] }\n    protected: yes\n')), ['agentops.yaml:5:16 environments.p.protected: protected must be true or false, found the text "yes"']);
  });

  it('webhook secrets: ${env:VAR} or a SecretStorage key name, never the secret itself', () => {
    const at = (secret: string) => brief(env(`    target: { type: webhook, url: "https://h.example.com", secret: ${secret} }\n`));
    assert.deepEqual(at('"${env:HOOK_SECRET}"'), []);
    assert.deepEqual(at('agentops.webhook.production'), []);
    const refused = 'environments.p.target.secret: secret must be ${env:VAR} or the name of a SecretStorage key (such as agentops.webhook.production), never the secret itself; found';
    assert.deepEqual(at('"sk-abcdef0123456789abcdef"'), [`agentops.yaml:4:68 ${refused} something that looks like a secret itself — remove it from the file and rotate it`]);
    assert.deepEqual(at('whsec_abc'), [`agentops.yaml:4:68 ${refused} something that looks like a secret itself — remove it from the file and rotate it`]);
    assert.deepEqual(at('"3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"'), [`agentops.yaml:4:68 ${refused} something that looks like a secret itself — remove it from the file and rotate it`]);
    assert.deepEqual(at('"two words"'), [`agentops.yaml:4:68 ${refused} the text "two words"`]);
  });

  it('templates: unknown variables and bad ${env:…} names are problems at the argument', () => {
    assert.deepEqual(brief(env('    target: { type: command, run: ["./d.sh", "${verison}", "${env:1X}"] }\n')), [
      'agentops.yaml:4:46 environments.p.target.run[1]: unknown variable ${verison} (did you mean ${version}?); the variables are ${version}, ${weight}, ${env} and ${env:VAR}',
      'agentops.yaml:4:60 environments.p.target.run[2]: ${env:1X} is not an environment variable name (letters, digits and _)',
    ]);
    assert.deepEqual(brief(env('    target: { type: kubectl, deployment: d, container: c, image: "img:${version" }\n')), ['agentops.yaml:4:66 environments.p.target.image: unclosed ${ at character 5']);
  });

  it('guards: no data is never a pass; bounds; a latency query needs maxLatency; unknown sources', () => {
    const at = (guard: string) => brief(env(`    target: { type: command, run: [x] }\n    guard:\n${guard}`));
    assert.deepEqual(at('      source: { type: otlp }\n      onNoData: pass\n'), ['agentops.yaml:7:17 environments.p.guard.onNoData: onNoData must be pause or fail (no data is never a pass), found the text "pass"']);
    assert.deepEqual(at('      source: { type: otlp }\n      maxErrorRate: 2\n      minSamples: 0\n      consecutiveBreaches: 1.5\n'), [
      'agentops.yaml:7:21 environments.p.guard.maxErrorRate: maxErrorRate must be between 0 and 1, found 2',
      'agentops.yaml:8:19 environments.p.guard.minSamples: minSamples must be at least 1, found 0',
      'agentops.yaml:9:28 environments.p.guard.consecutiveBreaches: consecutiveBreaches must be a whole number, found 1.5',
    ]);
    assert.deepEqual(at('      source: { type: prometheus, url: "http://p:9090", errorRate: e, latency: l }\n'), ['agentops.yaml:6:15 environments.p.guard.maxLatency: a latency query needs guard.maxLatency (the latency that is a breach, such as 800ms)']);
    assert.deepEqual(at('      source: { type: prometheus, url: "http://p:9090" }\n'), ['agentops.yaml:6:15 environments.p.guard.source.errorRate: a prometheus guard source needs errorRate']);
    assert.deepEqual(at('      source: { type: promethus, url: "http://p:9090" }\n'), ["agentops.yaml:6:23 environments.p.guard.source.type: unknown guard source type the text \"promethus\" (did you mean 'prometheus'?); the types are prometheus, otlp"]);
    assert.deepEqual(at('      maxErrorRate: 0.1\n'), ['agentops.yaml:6:7 environments.p.guard.source: guard needs source']);
  });

  it('the sections themselves: agent and environments go together; environments is a non-empty mapping', () => {
    assert.deepEqual(brief('environments:\n  p:\n    target: { type: argo-rollouts, rollout: bot }\n'), ['agentops.yaml:1:1 agent: agent: is required next to environments: (the agent’s name, recorded with every deploy)']);
    assert.deepEqual(brief('agent: bot\n'), ['agentops.yaml:1:1 environments: environments: is required next to agent: (a mapping of environment names to their target, strategy and guard)']);
    assert.deepEqual(brief('agent: bot\nenvironments: {}\n'), ['agentops.yaml:2:15 environments: environments is empty: add at least one environment (staging:, production:, …) with its target']);
    assert.deepEqual(brief('agent: bot\nenvironments: [staging]\n'), ['agentops.yaml:2:15 environments: environments must be a mapping of environment names (staging:, production:, …) to their settings, found a list']);
    assert.deepEqual(brief('agent: [a]\nenvironments:\n  p: { target: { type: command, run: [x] } }\n'), ['agentops.yaml:1:8 agent: agent must be a name, found a list']);
    assert.deepEqual(brief('agent: bot\nenvironments:\n  "prod env": { target: { type: command, run: [x] } }\n'), ["agentops.yaml:3:3 environments.prod env: environment name 'prod env' must be letters, digits, '.', '_' or '-'"]);
  });

  it('a YAML syntax error anywhere in the file: no config', () => {
    const r = load('agent: bot\nenvironments:\n  p: { target: { type: command, run: [x] } }\ntrajectory: [\n');
    assert.equal(r.config, undefined);
    assert.ok(r.problems.length > 0);
    assert.ok(r.problems.every((p) => p.file === 'agentops.yaml' && p.line >= 1));
  });

  describe('JSON schema', () => {
    it('agentopsSchema() has agent and environments from core/deploy', () => {
      const s = agentopsSchema() as { properties: Record<string, unknown> };
      assert.deepEqual(s.properties.agent, deployConfigSchemaProperties.agent);
      assert.deepEqual(s.properties.environments, deployConfigSchemaProperties.environments);
      assert.ok(s.properties.trajectory);
    });

    it('describes every target type and field of the checks', () => {
      const envSchema = (deployConfigSchemaProperties.environments as { additionalProperties: { properties: { target: { properties: { type: { enum: string[] } }; allOf: { then: { properties: Record<string, unknown>; required: string[] } }[] } } } }).additionalProperties;
      const target = envSchema.properties.target;
      assert.deepEqual(target.properties.type.enum, Object.keys(targetShapes));
      for (const [i, [type, shape]] of Object.entries(targetShapes).entries()) {
        const then = target.allOf[i]?.then;
        assert.ok(then, type);
        assert.deepEqual(Object.keys(then.properties).sort(), ['type', ...Object.keys(shape.fields)].sort(), type);
        assert.deepEqual(then.required, ['type', ...shape.required], type);
      }
    });
  });
});
