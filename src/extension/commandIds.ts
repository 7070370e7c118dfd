/**
 * Every command the extension registers. `scripts/check-contributions.mjs`
 * checks this table against `contributes.commands` in both directions.
 */
export const CommandIds = {
  showLog: 'agentOps.showLog',
  about: 'agentOps.about',
  pickModel: 'agentOps.pickModel',
  refreshPrices: 'agentOps.refreshPrices',
  resetPrices: 'agentOps.resetPrices',
  openTraceFile: 'agentOps.openTraceFile',
  validateWorkspaceTrajectories: 'agentOps.trajectories.validateWorkspace',
  showActiveFileTrajectories: 'agentOps.trajectories.showActiveFile',
  refreshTrajectories: 'agentOps.trajectories.refresh',
  /** Selecting a row of the Trajectories view (not in the command palette). */
  revealTrajectory: 'agentOps.trajectories.reveal',
  /** Implemented by the trace viewer: (uri: Uri, traceId: string, spanId?: string). Called by the Trajectories view. */
  revealInTraceViewer: 'agentOps.traceViewer.reveal',
  /** The deploy commands accept arguments when run programmatically: see DeployCommandOptions in deploy/register.ts. */
  deploy: 'agentOps.deploy.run',
  rollback: 'agentOps.deploy.rollback',
  promote: 'agentOps.deploy.promote',
  abort: 'agentOps.deploy.abort',
  resumeDeploy: 'agentOps.deploy.resume',
  showDeployHistory: 'agentOps.deploy.showHistory',
  refreshDeployHistory: 'agentOps.deploy.refreshHistory',
  /** Accepts (port?: number) when run programmatically; resolves to the collector's { url, port, folder }. */
  startCollector: 'agentOps.collector.start',
  stopCollector: 'agentOps.collector.stop',
  /** Accepts (uris?: Uri[]) when run programmatically: the dashboard over those files. */
  openDashboard: 'agentOps.dashboard.open',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];
