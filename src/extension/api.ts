/** What `activate` returns: used by the integration suite and by other extensions. */
export interface AgentOpsApi {
  readonly activation: {
    /** From the first line of the bundle to the end of activate(). */
    readonly totalMs: number;
    /** The activate() call alone. */
    readonly activateMs: number;
  };
  /** Names of the heavy modules loaded so far (see lazy.ts). Empty right after activation. */
  loadedLazyModules(): string[];
  /** Folder of the "Agent Ops" log file, as a URI string. */
  readonly logFolder: string;
}
