/**
 * The thin seam between the ledger and a SQLite binding. Two implementations share one schema and
 * one file format: better-sqlite3 under plain Node (the CLI, unit tests) and node:sqlite's
 * DatabaseSync inside the VS Code extension host (Node ≥ 22.5). Both are loaded with a dynamic
 * import, so a code path that never opens a ledger never loads a native addon, and Node 20 never
 * asks for node:sqlite.
 *
 * Parameters are positional only (`?`), and values are the types both bindings accept.
 */

export type SqlValue = null | number | bigint | string | Uint8Array;
export type SqlRow = Record<string, unknown>;

export interface SqlRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqlStatement {
  run(...params: SqlValue[]): SqlRunResult;
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}

export type DriverName = 'better-sqlite3' | 'node:sqlite';

export interface SqlDriver {
  readonly name: DriverName;
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  /**
   * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (the write lock is taken up front, so the
   * busy timeout applies and a read never has to upgrade); rolls back when `fn` throws. A call
   * inside another joins the outer transaction. `fn` must be synchronous.
   */
  immediate<T>(fn: () => T): T;
  close(): void;
}

/** `auto`: better-sqlite3 when it loads, else node:sqlite when this Node has it. */
export type DriverChoice = DriverName | 'auto';

export interface DriverOptions {
  /** Milliseconds a writer waits for another connection's lock before SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
}

export const defaultBusyTimeoutMs = 5000;

/** Whether this runtime ships node:sqlite (Node ≥ 22.5; unflagged from 22.13). */
export function hasNodeSqlite(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
}

/** Opens `file` with the chosen binding and applies the ledger's connection settings. */
export async function openDriver(file: string, choice: DriverChoice = 'auto', options: DriverOptions = {}): Promise<SqlDriver> {
  let driver: SqlDriver;
  if (choice === 'better-sqlite3') {
    driver = await (await import('./betterSqlite')).openBetterSqlite(file);
  } else if (choice === 'node:sqlite') {
    driver = await (await import('./nodeSqlite')).openNodeSqlite(file);
  } else {
    try {
      driver = await (await import('./betterSqlite')).openBetterSqlite(file);
    } catch (err) {
      // Not installed, or built for another ABI (an Electron or Node 24 extension host).
      if (!hasNodeSqlite()) throw err;
      driver = await (await import('./nodeSqlite')).openNodeSqlite(file);
    }
  }
  try {
    configure(driver, options.busyTimeoutMs ?? defaultBusyTimeoutMs);
  } catch (err) {
    driver.close();
    throw err;
  }
  return driver;
}

/** WAL, a busy timeout, foreign keys and full sync, the same for both bindings. */
function configure(db: SqlDriver, busyTimeoutMs: number): void {
  // The busy timeout first: switching to WAL takes a lock another process may hold.
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  const mode = db.prepare('PRAGMA journal_mode = WAL').get();
  if (String(mode?.journal_mode).toLowerCase() !== 'wal') {
    throw new Error(`SQLite refused WAL mode (journal_mode is ${String(mode?.journal_mode)}); is the ledger on a network file system?`);
  }
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA synchronous = FULL');
}

/**
 * `BEGIN IMMEDIATE` bookkeeping shared by both bindings: a depth counter so nested calls join
 * the outer transaction instead of failing on a second BEGIN.
 */
export class TransactionRunner {
  private depth = 0;

  constructor(private readonly exec: (sql: string) => void) {}

  run<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.exec('BEGIN IMMEDIATE');
    this.depth = 1;
    try {
      const result = fn();
      if (result instanceof Promise) throw new TypeError('SqlDriver.immediate: the function must be synchronous');
      this.exec('COMMIT');
      return result;
    } catch (err) {
      try {
        this.exec('ROLLBACK');
      } catch {
        // SQLite already rolled back (e.g. after SQLITE_FULL); the original error matters.
      }
      throw err;
    } finally {
      this.depth = 0;
    }
  }
}
