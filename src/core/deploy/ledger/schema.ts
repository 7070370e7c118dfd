import type { SqlDriver } from './driver';
import { LedgerError } from './errors';

/** Every status a deploy can have; the first three are "in flight". */
export const deployStatuses = ['pending', 'in-progress', 'paused', 'succeeded', 'failed', 'rolled-back', 'aborted', 'interrupted'] as const;
export const inFlightStatuses = ['pending', 'in-progress', 'paused'] as const;

const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
const inFlightSql = sqlList(inFlightStatuses);
const terminalSql = sqlList(deployStatuses.filter((s) => !(inFlightStatuses as readonly string[]).includes(s)));

/**
 * Migrations, applied in order; `PRAGMA user_version` holds how many have run. Append new ones,
 * never edit a released one: a file written by any version must open in every later one.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE deploys (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    environment TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'deploy' CHECK (kind IN ('deploy', 'rollback')),
    version TEXT NOT NULL,
    previous_version TEXT,
    strategy TEXT NOT NULL,
    weights TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(weights)),
    status TEXT NOT NULL CHECK (status IN (${sqlList(deployStatuses)})),
    target_ref TEXT,
    engine_revision TEXT,
    actor TEXT NOT NULL,
    reason TEXT,
    dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    owner_pid INTEGER,
    owner_host TEXT,
    heartbeat_at TEXT
  ) STRICT;

  -- At most one in-flight (real) deploy per environment, across every process that opens the file.
  CREATE UNIQUE INDEX deploys_one_in_flight ON deploys (environment)
    WHERE status IN (${inFlightSql}) AND dry_run = 0;
  CREATE INDEX deploys_by_environment ON deploys (environment, status);

  CREATE TRIGGER deploys_no_delete BEFORE DELETE ON deploys
  BEGIN SELECT RAISE(ABORT, 'ledger: deploys are never deleted'); END;
  CREATE TRIGGER deploys_identity_fixed BEFORE UPDATE OF id, idempotency_key, environment, kind, version, dry_run, created_at ON deploys
  BEGIN SELECT RAISE(ABORT, 'ledger: a deploy''s identity never changes'); END;
  CREATE TRIGGER deploys_terminal_final BEFORE UPDATE OF status ON deploys
    WHEN OLD.status IN (${terminalSql}) AND NEW.status <> OLD.status
  BEGIN SELECT RAISE(ABORT, 'ledger: a finished deploy cannot change status'); END;

  CREATE TABLE events (
    deploy_id TEXT NOT NULL REFERENCES deploys (id),
    seq INTEGER NOT NULL CHECK (seq >= 1),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT CHECK (data IS NULL OR json_valid(data)),
    PRIMARY KEY (deploy_id, seq)
  ) STRICT, WITHOUT ROWID;

  -- Append-only, and contiguous per deploy: 1, 2, 3, … with no gaps.
  CREATE TRIGGER events_contiguous BEFORE INSERT ON events
    WHEN NEW.seq <> COALESCE((SELECT MAX(seq) FROM events WHERE deploy_id = NEW.deploy_id), 0) + 1
  BEGIN SELECT RAISE(ABORT, 'ledger: event seq must follow the last one'); END;
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'ledger: events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'ledger: events are append-only'); END;

  CREATE TABLE guard_checks (
    id INTEGER PRIMARY KEY,
    deploy_id TEXT NOT NULL REFERENCES deploys (id),
    at TEXT NOT NULL,
    step INTEGER,
    weight REAL,
    samples INTEGER,
    errors INTEGER,
    error_rate REAL,
    latency_ms REAL,
    verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'breach', 'no-data')),
    detail TEXT
  ) STRICT;
  CREATE INDEX guard_checks_by_deploy ON guard_checks (deploy_id, id);

  CREATE TRIGGER guard_checks_no_update BEFORE UPDATE ON guard_checks
  BEGIN SELECT RAISE(ABORT, 'ledger: guard checks are append-only'); END;
  CREATE TRIGGER guard_checks_no_delete BEFORE DELETE ON guard_checks
  BEGIN SELECT RAISE(ABORT, 'ledger: guard checks are append-only'); END;
  `,
];

export const schemaVersion = migrations.length;

function userVersion(db: SqlDriver): number {
  return Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
}

/** Brings the file up to `schemaVersion` in one immediate transaction (safe against a racing opener). */
export function migrate(db: SqlDriver, file: string): void {
  const check = (version: number): boolean => {
    if (version > schemaVersion) {
      throw new LedgerError(`${file}: the ledger has schema version ${version}, newer than this Agent Ops understands (${schemaVersion}); update Agent Ops`);
    }
    return version === schemaVersion;
  };
  if (check(userVersion(db))) return;
  db.immediate(() => {
    let version = userVersion(db);
    if (check(version)) return;
    for (; version < schemaVersion; version++) {
      db.exec(migrations[version] as string);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    }
  });
}
