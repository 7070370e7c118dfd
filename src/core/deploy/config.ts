/**
 * The deploy sections of agentops.yaml — `agent:` and `environments:` — read and checked field by
 * field, each problem at its line, column and field path; and their JSON Schema, for completion in
 * the editor. One table per target and guard source drives both the checks and the schema.
 * docs/deploy-config.md documents it.
 *
 * ```yaml
 * agent: support-bot
 * environments:
 *   staging:
 *     target: { type: command, run: ["./deploy.sh", "${version}", "${weight}"] }
 *     strategy: direct
 *   production:
 *     protected: true
 *     target: { type: command, run: ["./deploy.sh", "${version}", "${weight}"] }
 *     strategy: { type: canary, steps: [10, 50, 100], interval: 30s }
 *     guard:
 *       source: { type: prometheus, url: "http://127.0.0.1:9090", errorRate: "<PromQL with ${version}>" }
 *       maxErrorRate: 0.05
 *       minSamples: 20
 *       consecutiveBreaches: 2
 *       onNoData: pause        # or fail; no data is never a pass
 *       alertmanager: { url: "http://127.0.0.1:9093" }   # optional: an alert on automatic rollback
 * ```
 *
 * Unlike the trajectory section, nothing here falls back to a default when it is wrong: a deploy
 * with a half-read configuration is worse than no deploy, so any problem means no config.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { describeNode, durationSchema, fieldPath, isHttpUrl, keyText, parseAgentopsYaml, positionOf, ProblemSink, sectionOf, suggest, type AgentopsYaml, type ConfigPath, type ConfigProblem, type Schema } from '../config/agentopsYaml';

export type { ConfigProblem } from '../config/agentopsYaml';

// ---------------------------------------------------------------------------
// Types

export interface DeployConfig {
  /** The agent's name (recorded with every deploy). */
  agent: string;
  /** In the order of the file. */
  environments: Record<string, EnvironmentConfig>;
}

export interface EnvironmentConfig {
  name: string;
  target: Target;
  /** `direct` when absent. */
  strategy: Strategy;
  /** Deploys need a typed confirmation (the environment's name). Default false. */
  protected: boolean;
  guard?: Guard;
}

export type Target = CommandTarget | WebhookTarget | KubectlTarget | HelmTarget | ArgoRolloutsTarget | MlflowAliasTarget | LangfuseLabelTarget;
export type TargetType = Target['type'];

/** Runs a program: an argv list, never a shell string. Templates (`${version}`, …) in every argument. */
export interface CommandTarget {
  type: 'command';
  run: string[];
  /** Working folder, relative to the workspace. */
  cwd?: string;
  /** Milliseconds. */
  timeout?: number;
}

/** Where a secret comes from: never the secret itself. */
export type SecretRef = { kind: 'env'; name: string } | { kind: 'secretStorage'; key: string };

export interface WebhookTarget {
  type: 'webhook';
  url: string;
  /** The HMAC key: `${env:VAR}` or the name of a key in VS Code's SecretStorage. */
  secret: SecretRef;
  /** Milliseconds. */
  timeout?: number;
  /** Retries with backoff after a failed request. */
  retries?: number;
}

export interface KubectlTarget {
  type: 'kubectl';
  deployment: string;
  container: string;
  namespace?: string;
  context?: string;
  /** The image to set, a template such as `ghcr.io/acme/bot:${version}`. */
  image?: string;
}

export interface HelmTarget {
  type: 'helm';
  release: string;
  chart?: string;
  /** The values key that holds the version, such as `image.tag`. */
  valuesKey?: string;
  namespace?: string;
  context?: string;
}

export interface ArgoRolloutsTarget {
  type: 'argo-rollouts';
  rollout: string;
  container?: string;
  namespace?: string;
  context?: string;
  image?: string;
}

export interface MlflowAliasTarget {
  type: 'mlflow-alias';
  trackingUri: string;
  model: string;
  alias: string;
}

export interface LangfuseLabelTarget {
  type: 'langfuse-label';
  host: string;
  prompt: string;
  label: string;
}

export type Strategy =
  | { type: 'direct' }
  | { type: 'blue-green' }
  /** `steps`: the candidate's weights in percent, ascending, the last 100; `interval`: milliseconds between steps. */
  | { type: 'canary'; steps: number[]; interval: number }
  /** A fixed split: `split` is the candidate's weight in percent (the stable version gets the rest). */
  | { type: 'ab'; split: number };
export type StrategyType = Strategy['type'];

export type GuardSource =
  /** `errorRate` (and `latency`, in seconds) are PromQL instant queries with `${version}`. */
  | { type: 'prometheus'; url: string; errorRate: string; latency?: string }
  /** OTLP JSON / JSON Lines trace files: spans with status ERROR, split by `versionAttribute`. */
  | { type: 'otlp'; files?: string[]; dir?: string; versionAttribute: string };

export interface Guard {
  source: GuardSource;
  /** 0 … 1; default 0.05. */
  maxErrorRate: number;
  /** Milliseconds; a latency above it is a breach. */
  maxLatency?: number;
  /** Fewer requests in a check is no data (never a pass). Default 20. */
  minSamples: number;
  /** Breaches in a row that roll back. Default 2. */
  consecutiveBreaches: number;
  /** Milliseconds between checks. Default: a canary's step interval, else 60 000. */
  interval: number;
  /** What no data does: pause the rollout or fail it. Never a pass. Default pause. */
  onNoData: 'pause' | 'fail';
  /** Where an automatic rollback is announced (an alert POSTed to `{url}/api/v2/alerts`). */
  alertmanager?: { url: string };
}

export const guardDefaults = { maxErrorRate: 0.05, minSamples: 20, consecutiveBreaches: 2, interval: 60_000, onNoData: 'pause' } as const;
export const canaryDefaultInterval = 60_000;
export const defaultVersionAttribute = 'service.version';
export const defaultTraceDir = '.agentops/traces';

export interface LoadedDeployConfig {
  /** Present when the file has deploy sections and no problem at all (a YAML error anywhere counts). */
  config?: DeployConfig;
  problems: ConfigProblem[];
  /** Where the `environments:` key is (for messages about environments, such as an unknown name). */
  environmentsAt?: { line: number; column: number };
}

// ---------------------------------------------------------------------------
// Templates: ${version}, ${weight}, ${env}, ${env:VAR}

/** The values a template can use. `environ` is the process environment for `${env:VAR}`. */
export interface TemplateValues {
  version?: string;
  weight?: number;
  /** The environment's name (`staging`, `production`). */
  env?: string;
  environ?: Readonly<Record<string, string | undefined>>;
}

export const templateVariables = ['version', 'weight', 'env', 'env:VAR'] as const;

export type SubstitutionResult = { ok: true; value: string } | { ok: false; error: string };

const envVarName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The `${…}` references of a template, or the problem with its syntax (an unknown name, an unclosed `${`). */
export function templateReferences(template: string): { refs: string[]; error?: string } {
  const refs: string[] = [];
  let i = 0;
  for (;;) {
    const start = template.indexOf('${', i);
    if (start < 0) return { refs };
    const end = template.indexOf('}', start + 2);
    if (end < 0) return { refs, error: `unclosed \${ at character ${start + 1}` };
    const name = template.slice(start + 2, end).trim();
    if (name.startsWith('env:')) {
      const v = name.slice(4).trim();
      if (!envVarName.test(v)) return { refs, error: `\${${name}} is not an environment variable name (letters, digits and _)` };
    } else if (name !== 'version' && name !== 'weight' && name !== 'env') {
      const hint = suggest(name, ['version', 'weight', 'env']);
      return { refs, error: `unknown variable \${${name}}${hint ? ` (did you mean \${${hint}}?)` : ''}; the variables are \${version}, \${weight}, \${env} and \${env:VAR}` };
    }
    refs.push(name.startsWith('env:') ? `env:${name.slice(4).trim()}` : name);
    i = end + 1;
  }
}

/**
 * Replaces `${version}`, `${weight}`, `${env}` and `${env:VAR}` in `template`. Pure: the values,
 * the process environment included, are arguments. An unknown variable, a value not given and an
 * unset environment variable are errors naming `field` (the dotted path of the template).
 */
export function substitute(template: string, values: TemplateValues, field: string): SubstitutionResult {
  const { error } = templateReferences(template);
  if (error) return { ok: false, error: `${field}: ${error}` };
  let missing: string | undefined;
  const value = template.replace(/\$\{([^}]*)\}/g, (_m, raw: string) => {
    const name = raw.trim();
    let v: string | undefined;
    if (name.startsWith('env:')) {
      const varName = name.slice(4).trim();
      v = values.environ?.[varName];
      if (v === undefined) missing ??= `the environment variable ${varName} is not set`;
    } else {
      const given = name === 'version' ? values.version : name === 'weight' ? values.weight : values.env;
      if (given === undefined) missing ??= `no value for \${${name}} here`;
      else v = String(given);
    }
    return v ?? '';
  });
  return missing ? { ok: false, error: `${field}: ${missing}` } : { ok: true, value };
}

/** The same for an argv list (each argument one template; never split, never a shell). */
export function substituteArgv(argv: readonly string[], values: TemplateValues, field: string): { ok: true; value: string[] } | { ok: false; error: string } {
  const out: string[] = [];
  for (const [i, arg] of argv.entries()) {
    const r = substitute(arg, values, `${field}[${i}]`);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

// ---------------------------------------------------------------------------
// The field tables (checks and schema)

type Field =
  | { kind: 'name'; description: string }
  | { kind: 'template'; description: string }
  | { kind: 'url'; description: string }
  | { kind: 'argv'; description: string }
  | { kind: 'secret'; description: string }
  | { kind: 'names'; description: string }
  | { kind: 'duration'; description: string; min: number }
  | { kind: 'int'; min: number; max?: number; description: string }
  | { kind: 'number'; min: number; max?: number; description: string }
  | { kind: 'enum'; values: readonly string[]; description: string; why?: string }
  /** A mapping `{ url }` (an http(s) URL, may use ${env:VAR}). */
  | { kind: 'endpoint'; description: string; url: string };

interface Shape {
  description: string;
  required: readonly string[];
  fields: Readonly<Record<string, Field>>;
}

const k8sScope = {
  namespace: { kind: 'name', description: 'Kubernetes namespace (default: the context’s).' },
  context: { kind: 'name', description: 'kubectl context; refused when it is not the one given.' },
} as const satisfies Record<string, Field>;

export const targetShapes: { readonly [T in TargetType]: Shape } = {
  command: {
    description: 'Runs a program with AGENTOPS_ENV, AGENTOPS_VERSION, AGENTOPS_PREVIOUS_VERSION, AGENTOPS_WEIGHT, AGENTOPS_DEPLOY_ID and AGENTOPS_ACTION in its environment; a non-zero exit fails the step.',
    required: ['run'],
    fields: {
      run: { kind: 'argv', description: 'The program and its arguments as a list (never a shell string); each may use ${version}, ${weight}, ${env}, ${env:VAR}.' },
      cwd: { kind: 'template', description: 'Working folder, relative to the workspace.' },
      timeout: { kind: 'duration', min: 1, description: 'Longest run time: a duration such as 90s, 10m.' },
    },
  },
  webhook: {
    description: 'POSTs the deploy as JSON, HMAC-signed, with an idempotency key; retried with backoff.',
    required: ['url', 'secret'],
    fields: {
      url: { kind: 'url', description: 'http(s) URL; may use ${env:VAR}.' },
      secret: { kind: 'secret', description: 'The HMAC key: ${env:VAR}, or the name of a key in VS Code’s SecretStorage. Never the secret itself.' },
      timeout: { kind: 'duration', min: 1, description: 'Timeout of one request.' },
      retries: { kind: 'int', min: 0, max: 10, description: 'Retries after a failed request (default 3).' },
    },
  },
  kubectl: {
    description: 'kubectl set image on a Deployment; rollback is rollout undo to an explicit revision.',
    required: ['deployment', 'container'],
    fields: {
      deployment: { kind: 'name', description: 'The Deployment’s name.' },
      container: { kind: 'name', description: 'The container whose image is set.' },
      ...k8sScope,
      image: { kind: 'template', description: 'The image to set, such as ghcr.io/acme/bot:${version}.' },
    },
  },
  helm: {
    description: 'helm upgrade; rollback to an explicit revision.',
    required: ['release'],
    fields: {
      release: { kind: 'name', description: 'The release name.' },
      chart: { kind: 'name', description: 'The chart (default: the release’s current chart).' },
      valuesKey: { kind: 'name', description: 'The values key set to the version, such as image.tag.' },
      ...k8sScope,
    },
  },
  'argo-rollouts': {
    description: 'Argo Rollouts: set image, promote, abort, undo. The engine owns traffic and analysis.',
    required: ['rollout'],
    fields: {
      rollout: { kind: 'name', description: 'The Rollout’s name.' },
      container: { kind: 'name', description: 'The container whose image is set.' },
      ...k8sScope,
      image: { kind: 'template', description: 'The image to set, such as ghcr.io/acme/bot:${version}.' },
    },
  },
  'mlflow-alias': {
    description: 'Moves an MLflow registered-model alias to the version.',
    required: ['trackingUri', 'model', 'alias'],
    fields: {
      trackingUri: { kind: 'url', description: 'The MLflow tracking server, such as http://127.0.0.1:5000; may use ${env:VAR}.' },
      model: { kind: 'name', description: 'The registered model.' },
      alias: { kind: 'name', description: 'The alias to move, such as champion.' },
    },
  },
  'langfuse-label': {
    description: 'Moves a Langfuse prompt label to the version.',
    required: ['host', 'prompt', 'label'],
    fields: {
      host: { kind: 'url', description: 'The Langfuse host, such as https://cloud.langfuse.com; may use ${env:VAR}.' },
      prompt: { kind: 'name', description: 'The prompt’s name.' },
      label: { kind: 'name', description: 'The label to move, such as production.' },
    },
  },
};
export const targetTypes = Object.keys(targetShapes) as TargetType[];

export const guardSourceShapes: { readonly [T in GuardSource['type']]: Shape } = {
  prometheus: {
    description: 'Prometheus’s HTTP API (instant queries). An empty result is no data.',
    required: ['url', 'errorRate'],
    fields: {
      url: { kind: 'url', description: 'The Prometheus server, such as http://127.0.0.1:9090; may use ${env:VAR}.' },
      errorRate: { kind: 'template', description: 'PromQL giving the candidate’s error rate (0–1); use ${version}.' },
      latency: { kind: 'template', description: 'PromQL giving the candidate’s latency in seconds (such as a P95); use ${version}. Needs guard.maxLatency.' },
    },
  },
  otlp: {
    description: 'Local OTLP JSON / JSON Lines trace files: spans with status ERROR, filtered by a version attribute.',
    required: [],
    fields: {
      files: { kind: 'names', description: 'Trace files or globs, relative to the workspace.' },
      dir: { kind: 'template', description: `A folder of trace files (default ${defaultTraceDir} when files is not given).` },
      versionAttribute: { kind: 'name', description: `The span or resource attribute holding the version (default ${defaultVersionAttribute}).` },
    },
  },
};

const guardFields: Readonly<Record<string, Field>> = {
  maxErrorRate: { kind: 'number', min: 0, max: 1, description: `Error rate (0–1) above which a check is a breach (default ${guardDefaults.maxErrorRate}).` },
  maxLatency: { kind: 'duration', min: 1, description: 'Latency above which a check is a breach, such as 800ms. Unset: latency is not judged.' },
  minSamples: { kind: 'int', min: 1, description: `Fewest requests for a check to count; fewer is no data (default ${guardDefaults.minSamples}).` },
  consecutiveBreaches: { kind: 'int', min: 1, description: `Breaches in a row that roll back (default ${guardDefaults.consecutiveBreaches}).` },
  interval: { kind: 'duration', min: 1000, description: 'Time between checks, such as 30s, 1m (default: the canary’s interval, else 1m).' },
  onNoData: { kind: 'enum', values: ['pause', 'fail'], description: 'No data (fewer than minSamples) pauses the rollout or fails it; it is never a pass (default pause).', why: 'no data is never a pass' },
  alertmanager: { kind: 'endpoint', description: 'Alertmanager to notify of an automatic rollback (an AgentOpsRollback alert). Unset: no alert.', url: 'Alertmanager, such as http://127.0.0.1:9093; may use ${env:VAR}.' },
};

const environmentKeys = ['target', 'strategy', 'protected', 'guard'] as const;
const strategyTypes: readonly StrategyType[] = ['direct', 'blue-green', 'canary', 'ab'];

// ---------------------------------------------------------------------------
// Reading

/** The deploy sections of an agentops.yaml text. Never throws. */
export function loadDeployConfig(text: string, file: string): LoadedDeployConfig {
  return deployConfigOf(parseAgentopsYaml(text, file));
}

/** The same, from an agentops.yaml already parsed. */
export function deployConfigOf(y: AgentopsYaml): LoadedDeployConfig {
  const sink = new ProblemSink(y);
  const r = new Reader(y, sink);
  const agentSection = sectionOf(y, 'agent');
  const envSection = sectionOf(y, 'environments');
  const environmentsAt = envSection ? positionOf(y, envSection.pair) : undefined;
  if (!agentSection && !envSection) return { problems: [...y.problems], ...(environmentsAt ? { environmentsAt } : {}) };

  let agent: string | undefined;
  if (!agentSection) sink.at(envSection?.pair, ['agent'], 'agent: is required next to environments: (the agent’s name, recorded with every deploy)');
  else agent = r.name(agentSection.value ?? null, ['agent'], agentSection.pair);

  const environments: Record<string, EnvironmentConfig> = {};
  if (!envSection) sink.at(agentSection?.pair, ['environments'], 'environments: is required next to agent: (a mapping of environment names to their target, strategy and guard)');
  else {
    const node = envSection.value ?? null;
    if (isMap(node) && node.items.length === 0) sink.at(node, ['environments'], 'environments is empty: add at least one environment (staging:, production:, …) with its target', envSection.pair);
    else if (!isMap(node)) sink.at(node, ['environments'], `environments must be a mapping of environment names (staging:, production:, …) to their settings, found ${describeNode(node)}`, envSection.pair);
    else {
      for (const [name, pair] of r.entries(node, ['environments'])) {
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
          sink.at(pair, ['environments', name], `environment name '${name}' must be letters, digits, '.', '_' or '-'`);
          continue;
        }
        const env = r.environment(name, pair);
        if (env) environments[name] = env;
      }
    }
  }
  const problems = [...y.problems, ...sink.problems];
  const loaded: LoadedDeployConfig = { problems, ...(environmentsAt ? { environmentsAt } : {}) };
  if (problems.length === 0 && agent !== undefined) loaded.config = { agent, environments };
  return loaded;
}

function isEmpty(node: YamlNode | null | undefined): boolean {
  return node === undefined || node === null || (isScalar(node) && node.value === null);
}

class Reader {
  constructor(
    private readonly y: AgentopsYaml,
    private readonly sink: ProblemSink,
  ) {}

  /** The pairs of a mapping with their key text; non-text keys are problems. */
  entries(map: YAMLMap, path: ConfigPath): [string, Pair][] {
    const out: [string, Pair][] = [];
    for (const item of map.items) {
      const k = keyText(item as Pair);
      if (k === undefined || k === '') this.sink.at(item as Pair, path, 'a key must be plain text');
      else out.push([k, item as Pair]);
    }
    return out;
  }

  /** Known fields of a mapping (unknown ones are problems, with a suggestion); required ones that are absent are problems at the mapping. */
  fields(map: YAMLMap, path: ConfigPath, known: readonly string[], required: readonly string[], what: string, at?: Pair): Map<string, Pair> | undefined {
    const out = new Map<string, Pair>();
    let ok = true;
    for (const [key, pair] of this.entries(map, path)) {
      if (!known.includes(key)) {
        const hint = suggest(key, known);
        this.sink.at(pair, [...path, key], `unknown field '${key}' in ${what}${hint ? ` (did you mean '${hint}'?)` : ''}; it takes ${known.join(', ')}`);
        ok = false;
        continue;
      }
      out.set(key, pair);
    }
    for (const key of required) {
      if (!out.has(key)) {
        this.sink.at(map, [...path, key], `${what} needs ${key}`, at);
        ok = false;
      }
    }
    return ok ? out : undefined;
  }

  /** A non-empty plain text. */
  name(node: YamlNode | null, path: ConfigPath, pair?: Pair): string | undefined {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') && String(node.value).trim() !== '') return String(node.value);
    this.sink.at(node, path, `${last(path)} must be a name, found ${describeNode(node)}`, pair);
    return undefined;
  }

  template(node: YamlNode | null, path: ConfigPath, pair?: Pair): string | undefined {
    const s = this.name(node, path, pair);
    if (s === undefined) return undefined;
    const { error } = templateReferences(s);
    if (error) {
      this.sink.at(node, path, error, pair);
      return undefined;
    }
    return s;
  }

  url(node: YamlNode | null, path: ConfigPath, pair?: Pair): string | undefined {
    const s = this.template(node, path, pair);
    if (s === undefined) return undefined;
    const literal = !s.includes('${');
    if (literal ? !isHttpUrl(s) : !(s.startsWith('${') || /^https?:\/\//i.test(s))) {
      this.sink.at(node, path, `${last(path)} must be an http:// or https:// URL (or \${env:VAR}), found ${describeNode(node)}`, pair);
      return undefined;
    }
    return s;
  }

  argv(node: YamlNode | null, path: ConfigPath, pair?: Pair): string[] | undefined {
    if (isScalar(node) && typeof node.value === 'string') {
      this.sink.at(node, path, `${last(path)} must be a list of arguments such as ["./deploy.sh", "\${version}"], never a shell string`, pair);
      return undefined;
    }
    if (!isSeq(node) || node.items.length === 0) {
      this.sink.at(node, path, `${last(path)} must be a non-empty list of arguments, found ${isSeq(node) ? 'an empty list' : describeNode(node)}`, pair);
      return undefined;
    }
    const out: string[] = [];
    let ok = true;
    node.items.forEach((item, i) => {
      const n = item as YamlNode;
      if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) {
        const s = String(n.value);
        const { error } = templateReferences(s);
        if (error) {
          ok = false;
          this.sink.at(n, [...path, i], error, pair);
        } else out.push(s);
      } else {
        ok = false;
        this.sink.at(n, [...path, i], `an argument must be text, found ${describeNode(n)}`, pair);
      }
    });
    if (ok && out[0]?.trim() === '') {
      this.sink.at(node.items[0] as YamlNode, [...path, 0], 'the program must not be empty', pair);
      return undefined;
    }
    return ok ? out : undefined;
  }

  names(node: YamlNode | null, path: ConfigPath, pair?: Pair): string[] | undefined {
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return [node.value];
    if (!isSeq(node) || node.items.length === 0) {
      this.sink.at(node, path, `${last(path)} must be a list of names, found ${isSeq(node) ? 'an empty list' : describeNode(node)}`, pair);
      return undefined;
    }
    const out: string[] = [];
    let ok = true;
    node.items.forEach((item, i) => {
      const s = this.name(item as YamlNode, [...path, i], pair);
      if (s === undefined) ok = false;
      else out.push(s);
    });
    return ok ? out : undefined;
  }

  secret(node: YamlNode | null, path: ConfigPath, pair?: Pair): SecretRef | undefined {
    const s = isScalar(node) && typeof node.value === 'string' ? node.value.trim() : undefined;
    const env = s !== undefined ? /^\$\{\s*env:\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$/.exec(s) : null;
    if (env) return { kind: 'env', name: env[1] as string };
    if (s !== undefined && /^[A-Za-z][A-Za-z0-9_.\-/]{0,127}$/.test(s) && !looksLikeSecret(s)) return { kind: 'secretStorage', key: s };
    const found = s !== undefined && looksLikeSecret(s) ? 'something that looks like a secret itself — remove it from the file and rotate it' : describeNode(node);
    this.sink.at(node, path, `${last(path)} must be \${env:VAR} or the name of a SecretStorage key (such as agentops.webhook.production), never the secret itself; found ${found}`, pair);
    return undefined;
  }

  number(node: YamlNode | null, path: ConfigPath, spec: { min: number; max?: number; int?: boolean }, pair?: Pair): number | undefined {
    const v = isScalar(node) ? node.value : undefined;
    const name = last(path);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.sink.at(node, path, `${name} must be ${spec.int ? 'a whole number' : 'a number'}, found ${describeNode(node)}`, pair);
      return undefined;
    }
    if (spec.int && !Number.isInteger(v)) {
      this.sink.at(node, path, `${name} must be a whole number, found ${v}`, pair);
      return undefined;
    }
    if (v < spec.min || (spec.max !== undefined && v > spec.max)) {
      this.sink.at(node, path, `${name} must be ${spec.max !== undefined ? `between ${spec.min} and ${spec.max}` : `at least ${spec.min}`}, found ${v}`, pair);
      return undefined;
    }
    return v;
  }

  duration(node: YamlNode | null, path: ConfigPath, min: number, pair?: Pair): number | undefined {
    const v = isScalar(node) ? node.value : undefined;
    const ms = typeof v === 'number' ? v : typeof v === 'string' ? parseDurationText(v) : undefined;
    if (ms === undefined || !Number.isFinite(ms)) {
      this.sink.at(node, path, `${last(path)} must be a duration such as 500ms, 30s, 10m, 1h30m (a bare number is milliseconds), found ${describeNode(node)}`, pair);
      return undefined;
    }
    if (ms < min) {
      this.sink.at(node, path, `${last(path)} must be at least ${formatDurationMs(min)}, found ${typeof v === 'number' ? `${v} (milliseconds)` : String(v)}`, pair);
      return undefined;
    }
    return ms;
  }

  field(spec: Field, node: YamlNode | null, path: ConfigPath, pair: Pair): unknown {
    switch (spec.kind) {
      case 'name':
        return this.name(node, path, pair);
      case 'template':
        return this.template(node, path, pair);
      case 'url':
        return this.url(node, path, pair);
      case 'argv':
        return this.argv(node, path, pair);
      case 'secret':
        return this.secret(node, path, pair);
      case 'names':
        return this.names(node, path, pair);
      case 'duration':
        return this.duration(node, path, spec.min, pair);
      case 'int':
      case 'number':
        return this.number(node, path, { min: spec.min, ...(spec.max !== undefined ? { max: spec.max } : {}), int: spec.kind === 'int' }, pair);
      case 'endpoint': {
        if (!isMap(node)) {
          this.sink.at(node, path, `${last(path)} must be a mapping { url: "http://…" }, found ${describeNode(node)}`, pair);
          return undefined;
        }
        const fields = this.fields(node, path, ['url'], ['url'], last(path), pair);
        const u = fields?.get('url');
        const url = u ? this.url((u.value ?? null) as YamlNode | null, [...path, 'url'], u) : undefined;
        return url === undefined ? undefined : { url };
      }
      case 'enum': {
        const v = isScalar(node) ? node.value : undefined;
        if (typeof v === 'string' && spec.values.includes(v)) return v;
        this.sink.at(node, path, `${last(path)} must be ${spec.values.join(' or ')}${spec.why ? ` (${spec.why})` : ''}, found ${describeNode(node)}`, pair);
        return undefined;
      }
    }
  }

  /** A `{type: …, …}` mapping checked against one of `shapes`. */
  typed<T extends string>(node: YamlNode | null, path: ConfigPath, shapes: { readonly [K in T]: Shape }, what: string, pair: Pair): ({ type: T } & Record<string, unknown>) | undefined {
    const types = Object.keys(shapes) as T[];
    if (!isMap(node)) {
      this.sink.at(node, path, `${what} must be a mapping with a type (${types.join(', ')}), found ${describeNode(node)}`, pair);
      return undefined;
    }
    const typePair = node.items.find((p) => keyText(p as Pair) === 'type') as Pair | undefined;
    const typeNode = (typePair?.value ?? null) as YamlNode | null;
    const type = isScalar(typeNode) && typeof typeNode.value === 'string' ? typeNode.value : undefined;
    if (!typePair) {
      this.sink.at(node, [...path, 'type'], `${what} needs a type: ${types.join(', ')}`, pair);
      return undefined;
    }
    if (type === undefined || !(types as string[]).includes(type)) {
      const hint = type !== undefined ? suggest(type, types) : undefined;
      this.sink.at(typeNode, [...path, 'type'], `unknown ${what} type ${describeNode(typeNode)}${hint ? ` (did you mean '${hint}'?)` : ''}; the types are ${types.join(', ')}`, typePair);
      return undefined;
    }
    const shape = shapes[type as T];
    const fields = this.fields(node, path, ['type', ...Object.keys(shape.fields)], shape.required, `a ${type} ${what}`, pair);
    if (!fields) return undefined;
    const out: Record<string, unknown> = { type };
    let ok = true;
    for (const [key, p] of fields) {
      if (key === 'type') continue;
      const v = this.field(shape.fields[key] as Field, (p.value ?? null) as YamlNode | null, [...path, key], p);
      if (v === undefined) ok = false;
      else out[key] = v;
    }
    return ok ? (out as { type: T } & Record<string, unknown>) : undefined;
  }

  environment(name: string, pair: Pair): EnvironmentConfig | undefined {
    const path = ['environments', name];
    const node = (pair.value ?? null) as YamlNode | null;
    if (!isMap(node)) {
      this.sink.at(node, path, `environment '${name}' must be a mapping with target (and strategy, protected, guard), found ${describeNode(node)}`, pair);
      return undefined;
    }
    const fields = this.fields(node, path, environmentKeys, ['target'], `environment '${name}'`, pair);
    if (!fields) return undefined;
    const tPair = fields.get('target') as Pair;
    const target = this.typed((tPair.value ?? null) as YamlNode | null, [...path, 'target'], targetShapes, 'target', tPair) as Target | undefined;
    const sPair = fields.get('strategy');
    const strategy = sPair ? this.strategy((sPair.value ?? null) as YamlNode | null, [...path, 'strategy'], sPair) : { type: 'direct' as const };
    let isProtected: boolean | undefined = false;
    const pPair = fields.get('protected');
    if (pPair) {
      const v = isScalar(pPair.value) ? pPair.value.value : undefined;
      if (typeof v === 'boolean') isProtected = v;
      else {
        isProtected = undefined;
        this.sink.at((pPair.value ?? null) as YamlNode | null, [...path, 'protected'], `protected must be true or false, found ${describeNode((pPair.value ?? null) as YamlNode | null)}`, pPair);
      }
    }
    const gPair = fields.get('guard');
    const guard = gPair && !isEmpty((gPair.value ?? null) as YamlNode | null) ? this.guard((gPair.value ?? null) as YamlNode | null, [...path, 'guard'], gPair) : null;
    if (!target || !strategy || isProtected === undefined || guard === undefined) return undefined;
    // The guard checks once per canary step unless told otherwise.
    if (guard && !Number.isFinite(guard.interval)) guard.interval = strategy.type === 'canary' ? strategy.interval : guardDefaults.interval;
    return { name, target, strategy, protected: isProtected, ...(guard ? { guard } : {}) };
  }

  strategy(node: YamlNode | null, path: ConfigPath, pair: Pair): Strategy | undefined {
    if (isScalar(node) && typeof node.value === 'string') {
      const v = node.value;
      if (v === 'direct' || v === 'blue-green') return { type: v };
      if (v === 'canary') this.sink.at(node, path, 'a canary needs its steps: { type: canary, steps: [10, 50, 100], interval: 5m }', pair);
      else if (v === 'ab') this.sink.at(node, path, 'an A/B split needs its split: { type: ab, split: 50 }', pair);
      else {
        const hint = suggest(v, strategyTypes);
        this.sink.at(node, path, `unknown strategy '${v}'${hint ? ` (did you mean '${hint}'?)` : ''}; the strategies are ${strategyTypes.join(', ')}`, pair);
      }
      return undefined;
    }
    if (!isMap(node)) {
      this.sink.at(node, path, `strategy must be direct, blue-green, or a mapping such as { type: canary, steps: [10, 50, 100], interval: 5m }, found ${describeNode(node)}`, pair);
      return undefined;
    }
    const typePair = node.items.find((p) => keyText(p as Pair) === 'type') as Pair | undefined;
    const typeNode = (typePair?.value ?? null) as YamlNode | null;
    const type = isScalar(typeNode) && typeof typeNode.value === 'string' ? typeNode.value : undefined;
    if (!typePair) {
      this.sink.at(node, [...path, 'type'], `strategy needs a type: ${strategyTypes.join(', ')}`, pair);
      return undefined;
    }
    switch (type) {
      case 'direct':
      case 'blue-green':
        return this.fields(node, path, ['type'], [], `a ${type} strategy`, pair) ? { type } : undefined;
      case 'canary': {
        const fields = this.fields(node, path, ['type', 'steps', 'interval'], ['steps'], 'a canary strategy', pair);
        if (!fields) return undefined;
        const stepsPair = fields.get('steps') as Pair;
        const steps = this.steps((stepsPair.value ?? null) as YamlNode | null, [...path, 'steps'], stepsPair);
        const iPair = fields.get('interval');
        const interval = iPair ? this.duration((iPair.value ?? null) as YamlNode | null, [...path, 'interval'], 1000, iPair) : canaryDefaultInterval;
        return steps && interval !== undefined ? { type, steps, interval } : undefined;
      }
      case 'ab': {
        const fields = this.fields(node, path, ['type', 'split', 'weights'], [], 'an ab strategy', pair);
        if (!fields) return undefined;
        const sp = fields.get('split');
        const wp = fields.get('weights');
        if ((sp === undefined) === (wp === undefined)) {
          this.sink.at(sp ?? wp ?? node, path, sp ? 'give split or weights, not both' : 'an ab strategy needs split (the candidate’s percent) or weights: { candidate: 30, stable: 70 }', pair);
          return undefined;
        }
        if (sp) {
          const split = this.weight((sp.value ?? null) as YamlNode | null, [...path, 'split'], 0, 100, sp);
          return split === undefined ? undefined : { type, split };
        }
        return this.abWeights((wp?.value ?? null) as YamlNode | null, [...path, 'weights'], wp as Pair);
      }
      default: {
        const hint = type !== undefined ? suggest(type, strategyTypes) : undefined;
        this.sink.at(typeNode, [...path, 'type'], `unknown strategy type ${describeNode(typeNode)}${hint ? ` (did you mean '${hint}'?)` : ''}; the strategies are ${strategyTypes.join(', ')}`, typePair);
        return undefined;
      }
    }
  }

  /** A weight in percent: `min` … `max`, in hundredths at most (one bucket of 10 000). */
  weight(node: YamlNode | null, path: ConfigPath, min: number, max: number, pair?: Pair): number | undefined {
    const v = this.number(node, path, { min, max }, pair);
    if (v === undefined) return undefined;
    if (Math.abs(v * 100 - Math.round(v * 100)) > 1e-9) {
      this.sink.at(node, path, `${last(path)} has more than two decimals (a weight is counted in hundredths of a percent), found ${v}`, pair);
      return undefined;
    }
    return v;
  }

  steps(node: YamlNode | null, path: ConfigPath, pair: Pair): number[] | undefined {
    if (!isSeq(node) || node.items.length === 0) {
      this.sink.at(node, path, `steps must be a list of weights in percent, ascending and ending at 100, such as [10, 50, 100]; found ${isSeq(node) ? 'an empty list' : describeNode(node)}`, pair);
      return undefined;
    }
    const out: number[] = [];
    let ok = true;
    node.items.forEach((item, i) => {
      const v = this.weight(item as YamlNode, [...path, i], 1, 100, pair);
      if (v === undefined) {
        ok = false;
        return;
      }
      const prev = out[out.length - 1];
      if (ok && prev !== undefined && v <= prev) {
        ok = false;
        this.sink.at(item as YamlNode, [...path, i], `steps must be ascending: ${v} comes after ${prev}`, pair);
      }
      out.push(v);
    });
    if (!ok) return undefined;
    if (out[out.length - 1] !== 100) {
      this.sink.at(node.items[node.items.length - 1] as YamlNode, [...path, out.length - 1], `the last step must be 100 (the candidate takes all the traffic), found ${String(out[out.length - 1])}`, pair);
      return undefined;
    }
    return out;
  }

  abWeights(node: YamlNode | null, path: ConfigPath, pair: Pair): Strategy | undefined {
    if (!isMap(node)) {
      this.sink.at(node, path, `weights must be a mapping { candidate: 30, stable: 70 }, found ${describeNode(node)}`, pair);
      return undefined;
    }
    const fields = this.fields(node, path, ['candidate', 'stable'], ['candidate', 'stable'], 'weights', pair);
    if (!fields) return undefined;
    const c = fields.get('candidate') as Pair;
    const s = fields.get('stable') as Pair;
    const candidate = this.weight((c.value ?? null) as YamlNode | null, [...path, 'candidate'], 0, 100, c);
    const stable = this.weight((s.value ?? null) as YamlNode | null, [...path, 'stable'], 0, 100, s);
    if (candidate === undefined || stable === undefined) return undefined;
    if (Math.round((candidate + stable) * 100) !== 10_000) {
      this.sink.at(node, path, `weights must add up to 100, found ${candidate} + ${stable} = ${Math.round((candidate + stable) * 100) / 100}`, pair);
      return undefined;
    }
    return { type: 'ab', split: candidate };
  }

  /** The guard, or undefined when it has a problem. */
  guard(node: YamlNode | null, path: ConfigPath, pair: Pair): Guard | undefined {
    if (!isMap(node)) {
      this.sink.at(node, path, `guard must be a mapping with a source (and maxErrorRate, minSamples, …), found ${describeNode(node)}`, pair);
      return undefined;
    }
    const fields = this.fields(node, path, ['source', ...Object.keys(guardFields)], ['source'], 'guard', pair);
    if (!fields) return undefined;
    const sPair = fields.get('source') as Pair;
    const source = this.typed((sPair.value ?? null) as YamlNode | null, [...path, 'source'], guardSourceShapes, 'guard source', sPair);
    const out: Record<string, unknown> = { ...guardDefaults, interval: Number.NaN };
    let ok = source !== undefined;
    for (const [key, p] of fields) {
      if (key === 'source') continue;
      const v = this.field(guardFields[key] as Field, (p.value ?? null) as YamlNode | null, [...path, key], p);
      if (v === undefined) ok = false;
      else out[key] = v;
    }
    if (source?.type === 'prometheus' && source.latency !== undefined && out.maxLatency === undefined) {
      this.sink.at(sPair.value as YamlNode, [...path, 'maxLatency'], 'a latency query needs guard.maxLatency (the latency that is a breach, such as 800ms)', sPair);
      ok = false;
    }
    if (!ok || !source) return undefined;
    if (source.type === 'otlp') {
      if (source.files === undefined && source.dir === undefined) source.dir = defaultTraceDir;
      source.versionAttribute ??= defaultVersionAttribute;
    }
    return { source: source as unknown as GuardSource, ...out } as Guard;
  }
}

function last(path: ConfigPath): string {
  // `steps[1]`: the name of a list item is its list's name and index.
  let i = path.length - 1;
  while (i > 0 && typeof path[i] === 'number') i--;
  return fieldPath(path.slice(i));
}

/** Common token shapes (OpenAI, GitHub, Slack, AWS, Stripe), or a long run of letters and digits without separators. */
function looksLikeSecret(s: string): boolean {
  if (/^(sk|pk|rk)[-_]|^gh[pousr]_|^github_pat_|^xox[abprs]-|^AKIA[0-9A-Z]{12}|^whsec_/.test(s)) return true;
  return s.length >= 24 && /[0-9]/.test(s) && /[A-Za-z]/.test(s) && !/[./]/.test(s);
}

/** `500ms`, `30s`, `10m`, `1h`, `1h30m`, `1.5h` → milliseconds; a bare number text is milliseconds. */
export function parseDurationText(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    end = re.lastIndex;
  }
  return end > 0 && end === t.length ? total : undefined;
}

function formatDurationMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The candidate's weight an environment starts at: a canary's first step, an A/B split, 100 for direct and blue-green. */
export function initialWeight(strategy: Strategy): number {
  switch (strategy.type) {
    case 'canary':
      return strategy.steps[0] as number;
    case 'ab':
      return strategy.split;
    default:
      return 100;
  }
}

// ---------------------------------------------------------------------------
// The JSON Schema


const templatePattern = '^([^$]|\\$(?!\\{)|\\$\\{\\s*(version|weight|env|env:\\s*[A-Za-z_][A-Za-z0-9_]*)\\s*\\})*$';

function fieldSchema(f: Field): Schema {
  switch (f.kind) {
    case 'name':
      return { type: 'string', minLength: 1, description: f.description };
    case 'template':
      return { type: 'string', minLength: 1, pattern: templatePattern, description: f.description };
    case 'url':
      return { type: 'string', pattern: '^(https?://|\\$\\{)', description: f.description };
    case 'argv':
      return { type: 'array', minItems: 1, items: { type: 'string', pattern: templatePattern }, description: f.description };
    case 'secret':
      return { type: 'string', pattern: '^(\\$\\{\\s*env:\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\}|[A-Za-z][A-Za-z0-9_.\\-/]{0,127})$', description: f.description };
    case 'names':
      return { anyOf: [{ type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }, { type: 'string', minLength: 1 }], description: f.description };
    case 'duration':
      return durationSchema(f.description);
    case 'int':
      return { type: 'integer', minimum: f.min, ...(f.max !== undefined ? { maximum: f.max } : {}), description: f.description };
    case 'number':
      return { type: 'number', minimum: f.min, ...(f.max !== undefined ? { maximum: f.max } : {}), description: f.description };
    case 'enum':
      return { type: 'string', enum: [...f.values], description: f.description };
    case 'endpoint':
      return { type: 'object', properties: { url: fieldSchema({ kind: 'url', description: f.url }) }, required: ['url'], additionalProperties: false, description: f.description };
  }
}

function shapesSchema(shapes: Readonly<Record<string, Shape>>): Schema {
  return {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', enum: Object.keys(shapes) } },
    allOf: Object.entries(shapes).map(([type, shape]) => ({
      if: { properties: { type: { const: type } }, required: ['type'] },
      then: {
        description: shape.description,
        properties: { type: { const: type }, ...Object.fromEntries(Object.entries(shape.fields).map(([k, f]) => [k, fieldSchema(f)])) },
        required: ['type', ...shape.required],
        additionalProperties: false,
      },
    })),
  };
}

function buildSchema(): Schema {
  const weight = (min: number): Schema => ({ type: 'number', minimum: min, maximum: 100, multipleOf: 0.01 });
  const strategy: Schema = {
    description: 'How traffic moves to the new version (default direct).',
    anyOf: [
      { type: 'string', enum: ['direct', 'blue-green'], description: 'direct: replace at once; blue-green: switch all traffic, keep the old version for instant rollback.' },
      { type: 'object', properties: { type: { enum: ['direct', 'blue-green'] } }, required: ['type'], additionalProperties: false },
      {
        type: 'object',
        description: 'Weight steps with analysis between them; promotes after the last (100).',
        properties: {
          type: { const: 'canary' },
          steps: { type: 'array', minItems: 1, items: weight(1), description: 'The new version’s weights in percent, ascending, ending at 100.' },
          interval: durationSchema('Time at each step before the next, such as 30s, 5m (default 1m).'),
        },
        required: ['type', 'steps'],
        additionalProperties: false,
      },
      {
        type: 'object',
        description: 'A fixed split between the new version (candidate) and the current one (stable).',
        properties: {
          type: { const: 'ab' },
          split: { ...weight(0), description: 'The new version’s percent.' },
          weights: { type: 'object', properties: { candidate: weight(0), stable: weight(0) }, required: ['candidate', 'stable'], additionalProperties: false, description: 'Both percents, adding up to 100.' },
        },
        required: ['type'],
        oneOf: [{ required: ['split'] }, { required: ['weights'] }],
        additionalProperties: false,
      },
    ],
  };
  const guard: Schema = {
    type: 'object',
    description: 'Automatic rollback: the error rate (and optionally latency) of the new version, checked every interval.',
    properties: {
      source: { ...shapesSchema(guardSourceShapes), description: 'Where the error rate comes from: prometheus or otlp trace files.' },
      ...Object.fromEntries(Object.entries(guardFields).map(([k, f]) => {
        const d = (guardDefaults as Record<string, unknown>)[k];
        const s = fieldSchema(f);
        return [k, d === undefined || f.kind === 'duration' ? s : { ...s, default: d }];
      })),
    },
    required: ['source'],
    additionalProperties: false,
  };
  return {
    agent: { type: 'string', minLength: 1, description: 'The agent’s name, recorded with every deploy (docs/deploy-config.md).' },
    environments: {
      type: 'object',
      description: 'Deploy environments by name: target, strategy, protection and guard (docs/deploy-config.md).',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
      additionalProperties: {
        type: 'object',
        properties: {
          target: { ...shapesSchema(targetShapes), description: 'What a deploy changes: command, webhook, kubectl, helm, argo-rollouts, mlflow-alias, langfuse-label.' },
          strategy,
          protected: { type: 'boolean', default: false, description: 'Deploys need the environment’s name typed to confirm.' },
          guard,
        },
        required: ['target'],
        additionalProperties: false,
      },
    },
  };
}

/** JSON Schema (draft-07) properties of the deploy sections (`agent`, `environments`), for schemas/agentops.schema.json. */
export const deployConfigSchemaProperties: Readonly<Schema> = buildSchema();
