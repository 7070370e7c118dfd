/**
 * Everything the editor's monitoring needs from src/core/monitor, in one module that esbuild builds as
 * dist/lazy/monitor.js (see `lazyModules` in esbuild.mjs): loaded by the first collector command or the
 * dashboard, never at activation. No `vscode` import here.
 */
export { openDashboardSession } from '../../core/monitor/dashboardSession';
export type { CallRef, DashboardModel, DashboardSession } from '../../core/monitor/dashboardSession';
export { startCollectorInWorker, isPortInUseError } from '../../core/monitor/collector/index';
export { loadMonitorConfig } from '../../core/monitor/config';
export { formatAlertValue } from '../../core/monitor/alerts';
export type { AlertRule } from '../../core/monitor/config';
export type { Alert, AlertTransition } from '../../core/monitor/alerts';
export type { AlertsResult } from '../../core/monitor/dashboardSession';
