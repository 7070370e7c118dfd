import type { Deploy, DeployStatus } from './types';

/** A ledger problem that is not a bug: a conflict, a stale status, a missing deploy, a newer schema. */
export class LedgerError extends Error {
  override name = 'LedgerError';
}

/** Another deploy is already in flight in this environment (possibly in another window or process). */
export class DeployConflictError extends LedgerError {
  override name = 'DeployConflictError';

  constructor(readonly running: Deploy) {
    super(
      `environment "${running.environment}" already has deploy ${running.id} in flight (${running.version}, ${running.status}, by ${running.actor}` +
        `${running.owner ? ` in process ${running.owner.pid} on ${running.owner.host}` : ''}, since ${running.createdAt}); ` +
        'wait for it, or promote, abort or roll it back first',
    );
  }
}

/** The same idempotency key was used for a different deploy. */
export class IdempotencyKeyMismatchError extends LedgerError {
  override name = 'IdempotencyKeyMismatchError';

  constructor(
    readonly key: string,
    readonly existing: Deploy,
  ) {
    super(`idempotency key "${key}" already belongs to deploy ${existing.id} (${existing.environment} → ${existing.version})`);
  }
}

/** A status change the state machine does not allow (e.g. succeeded → in-progress). */
export class IllegalTransitionError extends LedgerError {
  override name = 'IllegalTransitionError';

  constructor(
    readonly from: DeployStatus,
    readonly to: DeployStatus,
  ) {
    super(`a deploy cannot go from ${from} to ${to}`);
  }
}

/** Compare-and-set failed: the deploy is no longer in any of the expected statuses. */
export class StaleStatusError extends LedgerError {
  override name = 'StaleStatusError';

  constructor(
    readonly deploy: Deploy,
    readonly expected: readonly DeployStatus[],
  ) {
    super(`deploy ${deploy.id} is ${deploy.status}, not ${expected.join(' or ')}`);
  }
}

export class DeployNotFoundError extends LedgerError {
  override name = 'DeployNotFoundError';

  constructor(readonly id: string) {
    super(`no deploy with id ${id} in the ledger`);
  }
}
