import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../core/errors';
import { describeFsError } from '../../core/io/openInput';
import type { ConfigProblem, Strategy } from '../../core/deploy/index';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

/** `agentops route --json`. */
export interface RouteJson {
  environment: string;
  agent: string;
  key: string;
  /** The hash input is `${rolloutId}:${key}`. */
  rolloutId: string;
  /** 0 … 9 999. */
  bucket: number;
  /** The candidate's (new version's) weight in percent. */
  weight: number;
  /** Where the weight came from: --weight, or the environment's strategy. */
  weightFrom: 'option' | 'strategy';
  strategy: Strategy['type'];
  /** The candidate has buckets [0, candidateBuckets). */
  candidateBuckets: number;
  variant: 'candidate' | 'stable';
}

export const routeCommand: CliCommand = {
  name: 'route',
  summary: 'Show which variant (new candidate or current stable version) a user key gets in an environment',
  usage: [
    'route <env> <key> [--weight N] [--rollout ID] [--config agentops.yaml] [--json]',
    "route <env> <key>   (no deploy ledger yet: the weight is --weight, else the canary's first step, the ab split, or 100)",
  ],
  options: {
    weight: { type: 'string', value: 'N', description: 'The candidate\'s weight in percent, 0-100 (default: the canary\'s first step or the ab split; 100 for direct and blue-green)' },
    rollout: { type: 'string', value: 'ID', description: 'The rollout id hashed with the key (default <agent>/<env>)' },
    config: { type: 'string', value: 'FILE', description: 'The workspace configuration (default ./agentops.yaml)' },
  },
  positionals: { min: 2, max: 2, name: 'environment and key (route <env> <key>)' },
  async run({ positionals, options, io }) {
    const [envName, key] = positionals as [string, string];
    const weightGiven = parseWeight(options.weight);
    const rolloutGiven = typeof options.rollout === 'string' ? options.rollout : undefined;
    if (rolloutGiven !== undefined && rolloutGiven.trim() === '') throw new UsageError('--rollout takes a non-empty id', 'route');
    const deploy = await import('../../core/deploy/index');
    const given = typeof options.config === 'string' ? options.config : undefined;
    const file = resolve(io.cwd, given ?? 'agentops.yaml');
    const shown = shortName(file, io, given);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new InputError({ file: shown }, describeFsError(err), { cause: err });
    }
    const { config, problems, environmentsAt } = deploy.loadDeployConfig(text, shown);
    const [first, ...rest] = problems;
    if (first) {
      for (const p of rest) io.stderr(`agentops: ${new InputError(location(p), p.message).message}\n`);
      throw new InputError(location(first), first.message);
    }
    if (!config) throw new InputError({ file: shown, line: 1, column: 1 }, 'no deploy configuration: add agent: and environments: (docs/deploy-config.md)');
    const env = config.environments[envName];
    const names = Object.keys(config.environments);
    if (!env) {
      const hint = suggestName(envName, names, deploy.suggest);
      throw new InputError({ file: shown, ...(environmentsAt ?? {}), field: 'environments' }, `unknown environment '${envName}'${hint ? ` (did you mean '${hint}'?)` : ''}; the environments are ${names.join(', ')}`);
    }
    const weight = weightGiven ?? deploy.initialWeight(env.strategy);
    const rolloutId = rolloutGiven ?? `${config.agent}/${envName}`;
    const a = deploy.assign(rolloutId, key, weight);
    const doc: RouteJson = {
      environment: envName,
      agent: config.agent,
      key,
      rolloutId,
      bucket: a.bucket,
      weight,
      weightFrom: weightGiven !== undefined ? 'option' : 'strategy',
      strategy: env.strategy.type,
      candidateBuckets: a.candidateBuckets,
      variant: a.variant,
    };
    return { exitCode: ExitCode.ok, json: doc, text: renderText(doc) };
  },
};

function parseWeight(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`--weight takes a percent between 0 and 100, got '${String(value)}'`, 'route');
  if (Math.abs(n * 100 - Math.round(n * 100)) > 1e-9) throw new UsageError(`--weight takes at most two decimals (hundredths of a percent), got '${String(value)}'`, 'route');
  return n;
}

function shortName(file: string, io: CliIo, given: string | undefined): string {
  if (file.startsWith(`${io.cwd}/`)) return file.slice(io.cwd.length + 1);
  return given ?? file;
}

function location(p: ConfigProblem): { file: string; line: number; column: number; field?: string } {
  return { file: p.file, line: p.line, column: p.column, ...(p.field ? { field: p.field } : {}) };
}

/** The closest environment name (the same rule as agentops.yaml's own suggestions). */
/** A prefix ("prod" for "production"), else the nearest name by edit distance. */
function suggestName(word: string, names: readonly string[], nearest: (word: string, names: readonly string[]) => string | undefined): string | undefined {
  const squash = (x: string): string => x.toLowerCase().replace(/[-_\s]/g, '');
  const prefix = names.find((n) => squash(n).startsWith(squash(word)) || squash(word).startsWith(squash(n)));
  return prefix && word.length >= 3 ? prefix : nearest(word, names);
}

function renderText(d: RouteJson): string {
  const range = d.candidateBuckets === 0 ? 'none' : `0-${d.candidateBuckets - 1}`;
  const from = d.weightFrom === 'option' ? '--weight' : d.strategy === 'canary' ? 'the canary\'s first step' : d.strategy === 'ab' ? 'the ab split' : `${d.strategy}: all traffic once switched`;
  return [
    `${d.key} → ${d.variant} (${d.variant === 'candidate' ? 'the new version' : 'the current version'}) in ${d.environment}`,
    `  bucket ${d.bucket} of 10000 (murmur3 of "${d.rolloutId}:${d.key}")`,
    `  candidate weight ${d.weight}% (${from}): buckets ${range}`,
    '',
  ].join('\n');
}
