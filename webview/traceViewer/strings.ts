import type { TraceViewerStrings } from '../../src/shared/traceViewerProtocol';

/**
 * The UI strings, localized by the host: set from its 'init' message, which it sends before any other
 * (main.ts drops messages that come before it), so every view rendered afterwards can read them.
 */
export let strings: TraceViewerStrings;

export function setStrings(value: TraceViewerStrings): void {
  strings = value;
}
