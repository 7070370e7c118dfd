import { TransactionRunner, type SqlDriver, type SqlRow, type SqlStatement, type SqlValue } from './driver';

/** The part of node:sqlite (Node ≥ 22.5) the ledger uses; @types/node 20 does not describe it. */
interface StatementSync {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}
interface DatabaseSync {
  exec(sql: string): void;
  prepare(sql: string): StatementSync;
  close(): void;
  readonly isOpen?: boolean;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { open?: boolean; enableForeignKeyConstraints?: boolean }) => DatabaseSync;
}

/** node:sqlite's DatabaseSync: the VS Code extension host (Node 24), no native addon to ship. */
export async function openNodeSqlite(file: string): Promise<SqlDriver> {
  // A computed specifier: neither TypeScript (Node 20 types) nor a bundler may resolve it early.
  const specifier = 'node:sqlite';
  let mod: NodeSqliteModule;
  try {
    mod = (await import(specifier)) as NodeSqliteModule;
  } catch (err) {
    throw new Error(`node:sqlite is not available in Node ${process.versions.node} (needs Node 22.13 or later)`, { cause: err });
  }
  return new NodeSqliteDriver(new mod.DatabaseSync(file, { enableForeignKeyConstraints: true }));
}

class NodeSqliteDriver implements SqlDriver {
  readonly name = 'node:sqlite' as const;
  private readonly tx: TransactionRunner;
  private closed = false;

  constructor(private readonly db: DatabaseSync) {
    this.tx = new TransactionRunner((sql) => this.db.exec(sql));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  prepare(sql: string): SqlStatement {
    const stmt = this.db.prepare(sql);
    return {
      run: (...params) => {
        const r = stmt.run(...params);
        return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
      },
      get: (...params) => stmt.get(...params) ?? undefined,
      all: (...params) => stmt.all(...params),
    };
  }

  immediate<T>(fn: () => T): T {
    return this.tx.run(fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
