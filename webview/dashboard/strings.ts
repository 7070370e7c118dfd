import type { DashboardStrings } from '../../src/shared/dashboardProtocol';

/**
 * The UI strings, localized by the host: set from its 'init' message, which it sends before any other
 * (main.ts drops messages that come before it).
 */
export let strings: DashboardStrings;

export function setStrings(value: DashboardStrings): void {
  strings = value;
}
