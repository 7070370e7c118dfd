import { lazyModule } from '../lazy';

/** The monitoring core (dist/lazy/monitor.js): the collector and the dashboard's reader, loaded by the first command that needs them. */
export const loadMonitor = lazyModule('monitor', () => import('./monitorCore'));
