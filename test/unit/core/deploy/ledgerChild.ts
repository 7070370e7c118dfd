/**
 * A helper process for the ledger's multi-process tests (not a test file itself). Run with
 * `node --import tsx test/unit/core/deploy/ledgerChild.ts <mode> …`; it prints one JSON line per result.
 *
 *   race <file> <environment>               open, print ready, begin one deploy on a line from stdin
 *   crash <file> <slot>                      write deploys, events and checks in a loop until killed
 *   engine <file> <slot> <targetLog>         run canary deploys through the engine (resuming an interrupted one half the time) until killed
 *   write <file> <driver>                    write a known deploy with one driver (cross-driver test)
 *   read <file> <driver>                     print what a driver reads back
 */
import { loadDeployConfig, type DeployConfig } from '../../../../src/core/deploy/config';
import { interruptedDeploy, resume, runDeploy } from '../../../../src/core/deploy/engine';
import { DeployConflictError, Ledger, type DriverChoice } from '../../../../src/core/deploy/ledger';
import { engineYaml, loggingTarget } from './engineCrashFixtures';

const [mode, file, arg1] = process.argv.slice(2);
const out = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

async function race(environment: string): Promise<void> {
  const ledger = await Ledger.open(file as string);
  // Ready, then wait for the parent's "go" on stdin: both racers call begin() at the same moment.
  out({ ready: true, pid: process.pid });
  await new Promise<void>((res) => process.stdin.once('data', () => res()));
  process.stdin.pause();
  try {
    const d = ledger.begin({ environment, version: `v-${process.pid}`, strategy: 'direct', actor: `pid ${process.pid}` });
    out({ pid: process.pid, ok: true, id: d.id });
  } catch (err) {
    if (!(err instanceof DeployConflictError)) throw err;
    out({ pid: process.pid, ok: false, runningId: err.running.id, message: err.message });
  }
  ledger.close();
}

async function crash(slot: string): Promise<void> {
  setTimeout(() => process.exit(3), 10_000).unref(); // never outlive a broken test
  const ledger = await Ledger.open(file as string);
  out({ ready: true, pid: process.pid });
  const environment = `slot-${slot}`;
  for (let n = 0; ; n++) {
    let id: string;
    try {
      id = ledger.begin({ environment, version: `v${n}`, strategy: 'canary', actor: `pid ${process.pid}`, weights: { [`v${n}`]: 0 } }).id;
    } catch (err) {
      if (!(err instanceof DeployConflictError)) throw err;
      // The previous process on this slot was killed mid-deploy: reconcile, then try again.
      ledger.reconcile();
      continue;
    }
    ledger.transition(id, 'pending', 'in-progress');
    const steps = 3 + Math.floor(Math.random() * 8);
    for (let i = 1; i <= steps; i++) {
      const weight = Math.min(100, i * 10);
      ledger.setWeights(id, { [`v${n}`]: weight });
      ledger.recordCheck(id, { step: i, weight, samples: 100, errors: i % 3, errorRate: (i % 3) / 100, verdict: 'pass' });
      ledger.appendEvent(id, 'step', { step: i, weight });
      ledger.heartbeat(id);
    }
    ledger.transition(id, 'in-progress', Math.random() < 0.8 ? 'succeeded' : 'failed');
    await new Promise((r) => setImmediate(r));
  }
}

async function engine(slot: string, log: string): Promise<void> {
  setTimeout(() => process.exit(3), 10_000).unref();
  const ledger = await Ledger.open(file as string);
  const config = loadDeployConfig(engineYaml, 'agentops.yaml').config as DeployConfig;
  const environment = 'prod';
  const prod = config.environments[environment] as DeployConfig['environments'][string];
  // Milliseconds between steps (agentops.yaml cannot say less than a second): many deploys before each kill.
  const fast = { ...prod, name: `slot-${slot}`, strategy: { type: 'canary' as const, steps: [10, 25, 50, 75, 100], interval: 2 }, ...(prod.guard ? { guard: { ...prod.guard, interval: 2 } } : {}) };
  const slotted: DeployConfig = { ...config, environments: { [`slot-${slot}`]: fast } };
  const base = {
    config: slotted,
    environment: `slot-${slot}`,
    actor: `pid ${process.pid}`,
    ledger,
    targets: () => loggingTarget(log),
    guard: async () => ({ verdict: 'pass' as const, samples: 10, errors: 0, rate: 0, detail: 'ok' }),
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    heartbeatMs: 50,
  };
  out({ ready: true, pid: process.pid });
  for (let n = 0; ; n++) {
    try {
      if (interruptedDeploy(ledger, base.environment) && Math.random() < 0.5) await resume(base);
      else await runDeploy({ ...base, version: `v${process.pid}-${n}` });
    } catch (err) {
      if (!(err instanceof DeployConflictError)) throw err;
      // The previous process on this slot was killed mid-deploy: reconcile (it is gone), then go on.
      ledger.reconcile();
    }
  }
}

async function write(driver: DriverChoice): Promise<void> {
  const ledger = await Ledger.open(file as string, { driver });
  const d = ledger.begin({ environment: `written-by-${driver}`, version: 'v2', strategy: 'canary', actor: driver, idempotencyKey: `key-${driver}`, weights: { v1: 90, v2: 10 } });
  ledger.transition(d.id, 'pending', 'in-progress');
  ledger.recordCheck(d.id, { step: 1, weight: 10, samples: 40, errors: 1, errorRate: 0.025, latencyMs: 812.5, verdict: 'pass', detail: 'ü ✓' });
  ledger.appendEvent(d.id, 'note', { text: 'héllo', n: 2 ** 40 });
  ledger.transition(d.id, 'in-progress', 'succeeded', { engineRevision: '7' });
  out({ driver: ledger.driverName, id: d.id });
  ledger.close();
}

async function read(driver: DriverChoice): Promise<void> {
  const ledger = await Ledger.open(file as string, { driver });
  const integrity = ledger.db.prepare('PRAGMA integrity_check').get();
  const deploys = ledger.environments().flatMap((env) => ledger.history(env));
  out({
    driver: ledger.driverName,
    integrity: integrity?.integrity_check,
    deploys: deploys.map((d) => ({ deploy: d, events: ledger.events(d.id).map(({ at: _at, ...e }) => e), checks: ledger.checks(d.id).map(({ at: _at, ...c }) => c) })),
    status: ledger.status().map(({ inFlight: _i, last: _l, ...s }) => s),
  });
  ledger.close();
}

const main = async (): Promise<void> => {
  switch (mode) {
    case 'race':
      return race(arg1 as string);
    case 'crash':
      return crash(arg1 as string);
    case 'engine':
      return engine(arg1 as string, process.argv[5] as string);
    case 'write':
      return write(arg1 as DriverChoice);
    case 'read':
      return read(arg1 as DriverChoice);
    default:
      throw new Error(`ledgerChild: unknown mode ${mode}`);
  }
};
main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
