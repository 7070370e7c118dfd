export { Ledger, defaultLedgerPath, isInFlight, newDeployId, transitions, type LedgerOptions } from './ledger';
export { hasNodeSqlite, openDriver, type DriverChoice, type DriverName, type SqlDriver, type SqlRow, type SqlRunResult, type SqlStatement, type SqlValue } from './driver';
export { DeployConflictError, DeployNotFoundError, IdempotencyKeyMismatchError, IllegalTransitionError, LedgerError, StaleStatusError } from './errors';
export { deployStatuses, inFlightStatuses, schemaVersion } from './schema';
export type * from './types';
