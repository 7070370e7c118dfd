/** Narrowing helpers for messages that cross the webview boundary. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` is an object whose `type` is one of `types`. */
export function hasMessageType<T extends string>(value: unknown, types: readonly T[]): value is { type: T } & Record<string, unknown> {
  return isRecord(value) && typeof value.type === 'string' && (types as readonly string[]).includes(value.type);
}
