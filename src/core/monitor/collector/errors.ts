import type { PortOwner } from './portOwner';

/** The collector's port is taken: who has it (when known) and a port that was free a moment ago. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  constructor(
    readonly port: number,
    readonly host: string,
    readonly owner?: PortOwner,
    readonly suggestedPort?: number,
  ) {
    super(
      `port ${port} on ${host} is in use${owner ? ` by pid ${owner.pid} (${owner.command})` : ''}` +
        (suggestedPort !== undefined ? `; port ${suggestedPort} is free (try --port ${suggestedPort}, or --port 0 for any free port)` : '; try another port, or 0 for any free port'),
    );
  }
}

export function isPortInUseError(err: unknown): err is PortInUseError {
  return err instanceof Error && err.name === 'PortInUseError' && typeof (err as Partial<PortInUseError>).port === 'number';
}
