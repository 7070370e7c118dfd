/**
 * One line of the report an integration run streams back to the harness
 * (JSON Lines). Both the extension-host suites and the harness's UI specs
 * produce these, so the terminal shows one uniform stream.
 */
export type TestEvent =
  | { type: 'suite'; title: string; depth: number }
  | { type: 'pass'; title: string; depth: number; durationMs: number }
  | { type: 'fail'; title: string; depth: number; durationMs: number; error: string }
  | { type: 'pending'; title: string; depth: number }
  | { type: 'info'; message: string }
  | { type: 'end'; passes: number; failures: number; pending: number };

export function isTestEvent(value: unknown): value is TestEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
