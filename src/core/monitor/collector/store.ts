import { promises as fsp, constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { OtlpSignal } from '../types';
import { fileName } from './fileNames';
import { applyRetention, type Removal, type RetentionPolicy } from './retention';

/**
 * The collector's store: one JSONL file per signal, one OTLP/JSON document per line.
 *
 * Durability policy: `append()` resolves only once the line is written AND fdatasync'ed, and the server
 * answers 200 only after that, so an acknowledged item survives a process crash or a power loss.
 * Group commit: lines that arrive while a write+fdatasync is in flight are queued and then written
 * together, followed by ONE fdatasync for all of them, so concurrent requests share the cost of a sync
 * and throughput stays high. A crash in the middle of a write can leave at most one half-written last
 * line in the file being appended to; readers treat that as normal (it is never acknowledged). Each
 * start opens NEW files (never appends to a previous run's file), so a half line left by a crash stays
 * the last line of its own file and can never corrupt a later record. A new file's directory entry is
 * fsync'ed before the first line in it is acknowledged.
 */

export interface StoreOptions {
  dir: string;
  rotateBytes: number;
  rotateMs: number;
  retention: RetentionPolicy;
  now: () => number;
  onRotated?(signal: OtlpSignal, from: string, to: string): void;
  onRemoved?(removal: Removal): void;
  onError?(message: string): void;
}

interface Pending {
  line: Buffer;
  resolve(file: string): void;
  reject(err: Error): void;
}

/** The next sequence number of file names, shared by the signals: one process never reuses a name. */
let sequence = 0;

class SignalLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private fh: FileHandle | undefined;
  file: string | undefined;
  private size = 0;
  private openedAt = 0;
  /** Bytes queued or being written: the store's backlog. */
  pendingBytes = 0;
  bytesWritten = 0;

  constructor(
    private readonly signal: OtlpSignal,
    private readonly store: Store,
  ) {}

  append(line: Buffer): Promise<string> {
    this.pendingBytes += line.length + 1;
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Writes everything queued, batch by batch: one writev and one fdatasync per batch. */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        // Each line is followed by its newline: writev takes both without copying the line.
        const bytes = batch.reduce((s, p) => s + p.line.length + 1, 0);
        try {
          await this.prepare(bytes);
          const fh = this.fh as FileHandle;
          await writeAll(fh, batch.flatMap((p) => [p.line, newline]), bytes);
          await fh.datasync();
          this.size += bytes;
          this.bytesWritten += bytes;
          const file = this.file as string;
          for (const p of batch) p.resolve(file);
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          for (const p of batch) p.reject(e);
          // What was half written must not prefix the next record: continue in a new file.
          await this.closeFile().catch(() => undefined);
        } finally {
          this.pendingBytes -= bytes;
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Opens the first file, or rotates when this batch would pass the size limit or the file is too old. */
  private async prepare(bytes: number): Promise<void> {
    const o = this.store.options;
    if (this.fh) {
      const tooBig = this.size > 0 && this.size + bytes > o.rotateBytes;
      const tooOld = o.rotateMs > 0 && o.now() - this.openedAt >= o.rotateMs;
      if (!tooBig && !tooOld) return;
      const from = this.file as string;
      await this.closeFile();
      await this.open();
      o.onRotated?.(this.signal, from, this.file as string);
      this.store.retain();
      return;
    }
    await this.open();
  }

  private async open(): Promise<void> {
    const o = this.store.options;
    await fsp.mkdir(o.dir, { recursive: true });
    for (;;) {
      const now = o.now();
      const path = join(o.dir, fileName(this.signal, now, ++sequence));
      try {
        // O_EXCL: another collector (or an earlier run in the same second) owns a file of that name.
        this.fh = await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND, 0o644);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      this.file = path;
      this.size = 0;
      this.openedAt = now;
      await syncDir(o.dir);
      return;
    }
  }

  async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await fh.close();
  }

  /** Waits for everything queued to be written and synced. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}

const newline = Buffer.from('\n');

async function writeAll(fh: FileHandle, lines: Buffer[], bytes: number): Promise<void> {
  const { bytesWritten } = await fh.writev(lines);
  if (bytesWritten === bytes) return;
  // A short write (rare on regular files): write the rest.
  let rest = Buffer.concat(lines).subarray(bytesWritten);
  while (rest.length > 0) {
    const r = await fh.write(rest, 0, rest.length, null);
    rest = rest.subarray(r.bytesWritten);
  }
}

/** fsync of the folder, so a new file's name survives a power loss (best effort where folders cannot be opened). */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Not supported here (e.g. Windows): the file's own fdatasync still holds its data.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

export class Store {
  private readonly logs: Record<OtlpSignal, SignalLog>;
  private retaining: Promise<void> | undefined;
  private retainAgain = false;
  closed = false;

  constructor(readonly options: StoreOptions) {
    this.logs = { traces: new SignalLog('traces', this), logs: new SignalLog('logs', this), metrics: new SignalLog('metrics', this) };
  }

  /** Appends one line (without its newline; it must hold no newline) of `signal`; resolves with the file once it is durable. */
  append(signal: OtlpSignal, line: Buffer): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the collector is stopping'));
    return this.logs[signal].append(line);
  }

  get pendingBytes(): number {
    return this.logs.traces.pendingBytes + this.logs.logs.pendingBytes + this.logs.metrics.pendingBytes;
  }

  get bytesWritten(): number {
    return this.logs.traces.bytesWritten + this.logs.logs.bytesWritten + this.logs.metrics.bytesWritten;
  }

  files(): Partial<Record<OtlpSignal, string>> {
    const out: Partial<Record<OtlpSignal, string>> = {};
    for (const s of ['traces', 'logs', 'metrics'] as const) {
      const f = this.logs[s].file;
      if (f) out[s] = f;
    }
    return out;
  }

  /** Runs retention in the background (one run at a time; a request during a run runs again after it). */
  retain(): void {
    if (this.retaining) {
      this.retainAgain = true;
      return;
    }
    this.retaining = (async () => {
      do {
        this.retainAgain = false;
        try {
          const current = new Set(Object.values(this.files()));
          for (const r of await applyRetention(this.options.dir, current, this.options.retention, this.options.now())) this.options.onRemoved?.(r);
        } catch (err) {
          this.options.onError?.(`retention: ${err instanceof Error ? err.message : String(err)}`);
        }
      } while (this.retainAgain);
    })().finally(() => {
      this.retaining = undefined;
    });
  }

  /** Writes and syncs what is queued, then closes the files. Later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const log of Object.values(this.logs)) await log.drain();
    for (const log of Object.values(this.logs)) await log.closeFile();
    while (this.retaining) await this.retaining;
  }
}
