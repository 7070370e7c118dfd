/** Where in an input a problem was found. `line` and `column` are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** A dotted path to the offending field, e.g. `environments.production.guard`. */
  field?: string;
}

/**
 * Bad or unreadable input. Every reader in core throws this (never a bare
 * Error) so the CLI can exit 2 and the extension can point at the exact place.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    readonly location: SourceLocation,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${formatLocation(location)}: ${detail}`, options);
  }
}

/** `file:line:column (field)`, the form editors and terminals turn into links. */
export function formatLocation(loc: SourceLocation): string {
  let text = loc.file;
  if (loc.line !== undefined) {
    text += `:${loc.line}`;
    if (loc.column !== undefined) text += `:${loc.column}`;
  }
  if (loc.field) text += ` (${loc.field})`;
  return text;
}

/**
 * Also true for an InputError thrown by a lazily loaded bundle (dist/lazy/*.js),
 * which carries its own copy of this class.
 */
export function isInputError(err: unknown): err is InputError {
  if (err instanceof InputError) return true;
  return err instanceof Error && err.name === 'InputError' && typeof (err as Partial<InputError>).location?.file === 'string' && typeof (err as Partial<InputError>).detail === 'string';
}
