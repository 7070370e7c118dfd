import { spawn } from 'node:child_process';

/** Kept of a process's combined stdout and stderr: the last 64 KB. */
export const maxOutputBytes = 64 * 1024;

export interface ProcessRun {
  /** The exit code, or null when killed by a signal or not started. */
  code: number | null;
  /** Combined stdout and stderr, the last {@link maxOutputBytes}. */
  output: string;
  timedOut: boolean;
  aborted: boolean;
  /** Spawning failed (program not found, …). */
  spawnError?: string;
}

export interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  /** Milliseconds; the process group is killed after it. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Shell-style quoting of an argv for display only (a plan, a log line); the argv itself never goes through a shell. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (a !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The process environment plus extra variables, without unset entries. */
export function processEnv(environ: Readonly<Record<string, string | undefined>>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(environ)) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Runs argv (no shell) in its own process group; on timeout or abort the whole group gets SIGTERM,
 * then SIGKILL two seconds later. Never rejects.
 */
export function runProcess(argv: readonly string[], opts: ProcessOptions): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const [program, ...args] = argv;
    if (!program) {
      resolve({ code: null, output: '', timedOut: false, aborted: false, spawnError: 'empty command' });
      return;
    }
    const chunks: Buffer[] = [];
    let kept = 0;
    const keep = (b: Buffer): void => {
      chunks.push(b);
      kept += b.length;
      while (kept - (chunks[0]?.length ?? 0) >= maxOutputBytes && chunks.length > 1) kept -= chunks.shift()?.length ?? 0;
    };
    const outputText = (): string => {
      const all = Buffer.concat(chunks);
      return (all.length > maxOutputBytes ? all.subarray(all.length - maxOutputBytes) : all).toString('utf8');
    };
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const posix = process.platform !== 'win32';
    const child = spawn(program, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: posix, windowsHide: true });
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (posix && child.pid !== undefined) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        /* already gone */
      }
    };
    const stop = (): void => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), 2000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const finish = (run: ProcessRun): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(run);
    };
    child.on('error', (err) => finish({ code: null, output: outputText(), timedOut, aborted, spawnError: err.message }));
    child.on('close', (code) => {
      // Whatever the program left behind in its group goes too once it ends after a timeout or abort.
      if (timedOut || aborted) killGroup('SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      finish({ code, output: outputText(), timedOut, aborted });
    });
  });
}

/** One line saying why a run failed, or undefined when it succeeded. */
export function runFailure(run: ProcessRun, argv: readonly string[], timeoutMs: number): string | undefined {
  const name = argv[0] ?? '';
  if (run.spawnError) return `${name} could not start: ${run.spawnError}`;
  if (run.timedOut) return `${name} timed out after ${timeoutMs} ms and was stopped`;
  if (run.aborted) return `${name} was cancelled`;
  if (run.code !== 0) return `${name} exited with ${run.code === null ? 'a signal' : `code ${run.code}`}`;
  return undefined;
}
