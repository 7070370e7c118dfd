import { promises as fs } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { InputError } from '../../core/errors';
import { describeFsError } from '../../core/io/openInput';
import type { DeployConfig, EnvironmentConfig, SecretRef, Strategy } from '../../core/deploy/config';
import type { DeployOutcome, EngineBase, EngineEvent } from '../../core/deploy/engine/index';
import type { Deploy, EnvironmentStatus, GuardCheck, Ledger } from '../../core/deploy/ledger/index';
import { ExitCode, UsageError, type CliCommand, type CliIo, type CommandOption, type CommandResult, type OptionValue } from '../command';

/**
 * `agentops deploy | rollback | promote | abort | history | status`: the deploy engine over the
 * workspace's agentops.yaml and its ledger (.agentops/ledger.sqlite). Exit 1 when a deploy fails, is
 * rolled back, paused for lack of data, or refused because another deploy is in flight; 2 on bad usage
 * or configuration. Webhook secrets come from environment variables (`${env:VAR}`); VS Code
 * SecretStorage references are not available in the CLI and fail the step with that reason.
 */

const configOption = { config: { type: 'string', value: 'FILE', description: 'The workspace configuration (default ./agentops.yaml); the ledger is .agentops/ledger.sqlite next to it' } } as const;
const yesOption = { yes: { type: 'boolean', description: 'Confirm a change to a protected environment (required: the CLI never prompts)' } } as const;
const reasonOption = { reason: { type: 'string', value: 'TEXT', description: 'Why, recorded in the ledger' } } as const;

interface Loaded {
  config: DeployConfig;
  file: string;
  shown: string;
  workspace: string;
}

async function loadConfig(io: CliIo, options: Readonly<Record<string, OptionValue>>): Promise<Loaded> {
  const deploy = await import('../../core/deploy/index');
  const given = typeof options.config === 'string' ? options.config : undefined;
  const file = resolve(io.cwd, given ?? 'agentops.yaml');
  const shown = file.startsWith(`${io.cwd}/`) ? file.slice(io.cwd.length + 1) : (given ?? file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new InputError({ file: shown }, describeFsError(err), { cause: err });
  }
  const { config, problems } = deploy.loadDeployConfig(text, shown);
  const [first, ...rest] = problems;
  if (first) {
    for (const p of rest) io.stderr(`agentops: ${p.file}:${p.line}:${p.column}: ${p.message}\n`);
    throw new InputError({ file: first.file, line: first.line, column: first.column, ...(first.field ? { field: first.field } : {}) }, first.message);
  }
  if (!config) throw new InputError({ file: shown, line: 1, column: 1 }, 'no deploy configuration: add agent: and environments: (docs/deploy-config.md)');
  return { config, file, shown, workspace: resolve(file, '..') };
}

function environment(l: Loaded, name: string, command: string): EnvironmentConfig {
  const env = l.config.environments[name];
  if (!env) throw new UsageError(`unknown environment '${name}' in ${l.shown}; the environments are ${Object.keys(l.config.environments).join(', ')}`, command);
  return env;
}

async function openLedger(l: Loaded): Promise<Ledger> {
  const { Ledger, defaultLedgerPath } = await import('../../core/deploy/ledger/index');
  const ledger = await Ledger.open(defaultLedgerPath(l.workspace), { driver: 'better-sqlite3' });
  ledger.reconcile();
  return ledger;
}

function actorOf(io: CliIo): string {
  let user = io.env.AGENTOPS_ACTOR ?? io.env.USER ?? io.env.USERNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return io.env.AGENTOPS_ACTOR ?? `${user}@${hostname()}`;
}

async function targetsFor(io: CliIo, l: Loaded, json: boolean) {
  const { createTarget } = await import('../../core/deploy/targets/index');
  const ctx = {
    cwd: l.workspace,
    environ: io.env,
    async secret(ref: SecretRef): Promise<string | undefined> {
      if (ref.kind === 'env') return io.env[ref.name];
      io.stderr(`agentops: secret '${ref.key}' is a VS Code SecretStorage reference, unavailable in the CLI; use \${env:VAR} instead\n`);
      return undefined;
    },
    log: (line: string) => {
      if (!json) io.stderr(`${line}\n`);
    },
  };
  return (t: Parameters<typeof createTarget>[0]) => createTarget(t, ctx);
}

function requireYes(env: EnvironmentConfig, options: Readonly<Record<string, OptionValue>>, command: string, what: string): void {
  if (env.protected && options.yes !== true) {
    throw new UsageError(`environment '${env.name}' is protected: ${what} needs --yes to confirm (the CLI never prompts)`, command);
  }
}

function onEvent(io: CliIo, json: boolean): (e: EngineEvent) => void {
  return (e) => {
    if (!json) io.stderr(`[${e.kind}] ${e.message}\n`);
  };
}

/** What every engine call of the CLI shares: the config, the environment, the actor, the reason, the ledger, the targets, the log, Ctrl-C. */
function engineBase(io: CliIo, l: Loaded, envName: string, options: Readonly<Record<string, OptionValue>>, ledger: Ledger, targets: EngineBase['targets'], json: boolean) {
  return {
    config: l.config,
    environment: envName,
    actor: actorOf(io),
    ...(typeof options.reason === 'string' ? { reason: options.reason } : {}),
    ledger,
    targets,
    onEvent: onEvent(io, json),
    ...(io.signal ? { signal: io.signal } : {}),
  };
}

/** A deploy refused because another is in flight: exit 1 with the running deploy named. */
async function guarded(io: CliIo, json: boolean, body: () => Promise<CommandResult>): Promise<CommandResult> {
  const { DeployConflictError } = await import('../../core/deploy/ledger/index');
  const { EngineError } = await import('../../core/deploy/engine/index');
  try {
    return await body();
  } catch (err) {
    if (err instanceof DeployConflictError) {
      if (!json) io.stderr(`agentops: ${err.message}\n`);
      return { exitCode: ExitCode.gateFailed, json: { error: { kind: 'conflict', message: err.message, running: err.running } }, text: '' };
    }
    if (err instanceof EngineError) {
      if (!json) io.stderr(`agentops: ${err.message}\n`);
      return { exitCode: ExitCode.gateFailed, json: { error: { kind: 'refused', message: err.message } }, text: '' };
    }
    throw err;
  }
}

export interface DeployOutcomeJson {
  outcome: DeployOutcome['outcome'];
  ok: boolean;
  reason?: string;
  deploy: Deploy;
  checks: GuardCheck[];
  plan?: DeployOutcome['plan'];
}

async function outcomeResult(o: DeployOutcome): Promise<CommandResult> {
  const { outcomeOk } = await import('../../core/deploy/engine/index');
  const ok = outcomeOk(o);
  const doc: DeployOutcomeJson = { outcome: o.outcome, ok, ...(o.reason !== undefined ? { reason: o.reason } : {}), deploy: o.deploy, checks: o.checks, ...(o.plan ? { plan: o.plan } : {}) };
  const d = o.deploy;
  const lines = [`${d.kind} ${d.id}: ${d.environment} → ${d.version}${d.previousVersion ? ` (from ${d.previousVersion})` : ''}: ${o.outcome}${o.reason ? ` (${o.reason})` : ''}`];
  lines.push(`  weights: ${Object.entries(d.weights).map(([v, w]) => `${v} ${w}%`).join(', ') || '-'}`);
  for (const c of o.checks) lines.push(`  check step ${(c.step ?? 0) + 1} at ${c.weight ?? '?'}%: ${c.verdict}${c.detail ? ` — ${c.detail}` : ''}`);
  for (const p of o.plan ?? []) lines.push(`  would ${p.action} at ${p.weight}%: ${p.plan.join('; ') || p.output}`);
  return { exitCode: ok ? ExitCode.ok : ExitCode.gateFailed, json: doc, text: `${lines.join('\n')}\n` };
}

function parseStrategy(value: OptionValue, env: EnvironmentConfig, command: string): Strategy | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  if (s === env.strategy.type) return env.strategy;
  if (s === 'direct' || s === 'blue-green') return { type: s };
  if (s === 'canary' || s === 'ab') throw new UsageError(`--strategy ${s} needs its settings (steps / split): set it in agentops.yaml for '${env.name}'`, command);
  throw new UsageError(`--strategy takes direct, blue-green, canary or ab, got '${s}'`, command);
}

export const deployCommand: CliCommand = {
  name: 'deploy',
  summary: 'Deploy a version to an environment with its strategy (direct, blue-green, canary with guard, ab)',
  usage: ['deploy <env> <version> [--strategy S] [--dry-run] [--yes] [--reason TEXT] [--config agentops.yaml] [--json]'],
  options: {
    strategy: { type: 'string', value: 'S', description: 'direct | blue-green, or the environment\'s own canary / ab (default: the environment\'s strategy)' },
    'dry-run': { type: 'boolean', description: 'Show what each step would run; change nothing (recorded as a dry run)' },
    'idempotency-key': { type: 'string', value: 'KEY', description: 'A retried request with the same key returns the first deploy instead of starting another' },
    ...yesOption,
    ...reasonOption,
    ...configOption,
  },
  positionals: { min: 2, max: 2, name: 'environment and version (deploy <env> <version>)' },
  async run({ positionals, options, io, json }) {
    const [envName, version] = positionals as [string, string];
    const l = await loadConfig(io, options);
    const env = environment(l, envName, 'deploy');
    const strategy = parseStrategy(options.strategy, env, 'deploy');
    const dryRun = options['dry-run'] === true;
    if (!dryRun) requireYes(env, options, 'deploy', `deploying ${version}`);
    const { runDeploy } = await import('../../core/deploy/engine/index');
    const { createGuard } = await import('../../core/deploy/guard/index');
    const ledger = await openLedger(l);
    try {
      const targets = await targetsFor(io, l, json);
      return await guarded(io, json, async () =>
        outcomeResult(
          await runDeploy({
            ...engineBase(io, l, envName, options, ledger, targets, json),
            version,
            ...(strategy ? { strategy } : {}),
            dryRun,
            ...(typeof options['idempotency-key'] === 'string' ? { idempotencyKey: options['idempotency-key'] } : {}),
            ...(env.guard ? { guard: createGuard(env.guard, { cwd: l.workspace, environ: io.env }) } : {}),
          }),
        ),
      );
    } finally {
      ledger.close();
    }
  },
};

export const rollbackCommand: CliCommand = {
  name: 'rollback',
  summary: 'Roll an environment back: the deploy in flight, else to the last good version (or --to)',
  usage: ['rollback <env> [--to <version>] [--dry-run] [--yes] [--reason TEXT] [--config agentops.yaml] [--json]'],
  options: {
    to: { type: 'string', value: 'VERSION', description: 'The version to return to (default: the last good one)' },
    'dry-run': { type: 'boolean', description: 'Show what would run; change nothing' },
    ...yesOption,
    ...reasonOption,
    ...configOption,
  },
  positionals: { min: 1, max: 1, name: 'environment (rollback <env>)' },
  async run({ positionals, options, io, json }) {
    const [envName] = positionals as [string];
    const l = await loadConfig(io, options);
    const env = environment(l, envName, 'rollback');
    const dryRun = options['dry-run'] === true;
    if (!dryRun) requireYes(env, options, 'rollback', 'a rollback');
    const { rollback } = await import('../../core/deploy/engine/index');
    const ledger = await openLedger(l);
    try {
      const targets = await targetsFor(io, l, json);
      return await guarded(io, json, async () =>
        outcomeResult(
          await rollback({
            ...engineBase(io, l, envName, options, ledger, targets, json),
            ...(typeof options.to === 'string' ? { to: options.to } : {}),
            dryRun,
          }),
        ),
      );
    } finally {
      ledger.close();
    }
  },
};

type EndAction = 'promote' | 'abort' | 'resume';

const fullOption: Record<string, CommandOption> = {
  full: { type: 'boolean', description: 'A paused canary: all traffic now, skipping its remaining steps and checks (default: on to the next step)' },
};

function endCommand(name: EndAction, summary: string): CliCommand {
  const drives = name !== 'abort';
  return {
    name,
    summary,
    usage: [`${name} <env> ${name === 'promote' ? '[--full] ' : ''}${drives ? '[--yes] ' : ''}[--reason TEXT] [--config agentops.yaml] [--json]`],
    options: { ...(name === 'promote' ? fullOption : {}), ...(drives ? yesOption : {}), ...reasonOption, ...configOption },
    positionals: { min: 1, max: 1, name: `environment (${name} <env>)` },
    async run({ positionals, options, io, json }) {
      const [envName] = positionals as [string];
      const l = await loadConfig(io, options);
      const env = environment(l, envName, name);
      if (name === 'promote') requireYes(env, options, name, options.full === true ? 'promoting to all traffic' : 'promoting to the next step');
      if (name === 'resume') requireYes(env, options, name, 'resuming an interrupted deploy');
      const engine = await import('../../core/deploy/engine/index');
      const { createGuard } = await import('../../core/deploy/guard/index');
      const ledger = await openLedger(l);
      try {
        const targets = await targetsFor(io, l, json);
        const base = {
          ...engineBase(io, l, envName, options, ledger, targets, json),
          ...(drives && env.guard ? { guard: createGuard(env.guard, { cwd: l.workspace, environ: io.env }) } : {}),
        };
        return await guarded(io, json, async () => {
          const o = await (name === 'promote' ? engine.promote({ ...base, full: options.full === true }) : name === 'resume' ? engine.resume(base) : engine.abort(base));
          const r = await outcomeResult(o);
          // An abort that did what was asked is a success of the command.
          return name === 'abort' && o.outcome === 'aborted' ? { ...r, exitCode: ExitCode.ok } : r;
        });
      } finally {
        ledger.close();
      }
    },
  };
}

export const promoteCommand = endCommand('promote', 'Move the deploy in flight on: a paused canary to its next step (--full: all traffic), an A/B split to all traffic');
export const abortCommand = endCommand('abort', 'Abort the deploy in flight: traffic back to the stable version');
export const resumeCommand = endCommand('resume', 'Take up an interrupted deploy (its process died) from the weight the ledger recorded');

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'The deploys of an environment, newest first',
  usage: ['history <env> [--limit N] [--config agentops.yaml] [--json]'],
  options: { limit: { type: 'string', value: 'N', description: 'How many (default 50)' }, ...configOption },
  positionals: { min: 1, max: 1, name: 'environment (history <env>)' },
  async run({ positionals, options, io }) {
    const [envName] = positionals as [string];
    const limit = options.limit === undefined ? 50 : Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit takes a positive integer, got '${String(options.limit)}'`, 'history');
    const l = await loadConfig(io, options);
    environment(l, envName, 'history');
    const ledger = await openLedger(l);
    try {
      const deploys = ledger.history(envName, limit).map((d) => ({ ...d, checks: ledger.checks(d.id) }));
      const text = deploys.length === 0
        ? `no deploys in ${envName} yet\n`
        : `${deploys
            .map((d) => `${d.createdAt}  ${d.id}  ${d.kind.padEnd(8)} ${d.version.padEnd(12)} ${d.status.padEnd(11)} ${d.strategy}${d.dryRun ? ' (dry run)' : ''}  by ${d.actor}${d.error ? `  — ${d.error}` : ''}`)
            .join('\n')}\n`;
      return { exitCode: ExitCode.ok, json: { environment: envName, deploys }, text };
    } finally {
      ledger.close();
    }
  },
};

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'Per environment: current version, previous good one, weights and state',
  usage: ['status [--config agentops.yaml] [--json]'],
  options: { ...configOption },
  async run({ options, io }) {
    const l = await loadConfig(io, options);
    const ledger = await openLedger(l);
    try {
      const known = new Map(ledger.status().map((s) => [s.environment, s]));
      const environments: EnvironmentStatus[] = Object.keys(l.config.environments).map((name) => known.get(name) ?? { environment: name, weights: {}, state: 'idle' });
      for (const [name, s] of known) if (!(name in l.config.environments)) environments.push(s);
      const text = `${environments
        .map((s) => `${s.environment}: ${s.current ?? '(nothing deployed)'}${s.previousGood ? `, previous good ${s.previousGood}` : ''}; ${s.state}; ${Object.entries(s.weights).map(([v, w]) => `${v} ${w}%`).join(', ') || 'no traffic recorded'}${s.inFlight ? `; in flight: ${s.inFlight.id} (${s.inFlight.version})` : ''}${s.state === 'interrupted' && s.last ? `; ${s.last.id} (${s.last.version}) was interrupted: agentops resume ${s.environment}, or agentops rollback ${s.environment}` : ''}`)
        .join('\n')}\n`;
      return { exitCode: ExitCode.ok, json: { agent: l.config.agent, environments }, text };
    } finally {
      ledger.close();
    }
  },
};
