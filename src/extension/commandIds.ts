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
  /** Implemented by the trace viewer: (uri: Uri, traceId: string, spanId?: string). Called by the Trajectories view. */
  revealInTraceViewer: 'agentOps.traceViewer.reveal',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];
