import type BetterSqlite3 from 'better-sqlite3';
import { TransactionRunner, type SqlDriver, type SqlRow, type SqlStatement, type SqlValue } from './driver';

type DatabaseConstructor = typeof BetterSqlite3;

/** better-sqlite3 (a native addon built for this Node's ABI): the CLI and unit tests. */
export async function openBetterSqlite(file: string): Promise<SqlDriver> {
  const mod = (await import('better-sqlite3')) as unknown as { default?: DatabaseConstructor } & DatabaseConstructor;
  const Database: DatabaseConstructor = mod.default ?? mod;
  return new BetterSqliteDriver(new Database(file));
}

class BetterSqliteDriver implements SqlDriver {
  readonly name = 'better-sqlite3' as const;
  private readonly tx: TransactionRunner;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.tx = new TransactionRunner((sql) => this.db.exec(sql));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  prepare(sql: string): SqlStatement {
    const stmt = this.db.prepare<SqlValue[], SqlRow>(sql);
    // PRAGMAs and other statements that return nothing cannot be asked for rows.
    const reader = stmt.reader;
    return {
      run: (...params) => {
        const r = stmt.run(...params);
        return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
      },
      get: (...params) => (reader ? stmt.get(...params) : (stmt.run(...params), undefined)),
      all: (...params) => (reader ? stmt.all(...params) : (stmt.run(...params), [])),
    };
  }

  immediate<T>(fn: () => T): T {
    return this.tx.run(fn);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
