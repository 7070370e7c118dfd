/** What `activate` returns: used by the integration suite and by other extensions. */
export interface AgentOpsApi {
  readonly activation: {
    /** Loading the bundle plus the activate() call. */
    readonly totalMs: number;
    /** Evaluating dist/extension.js, from its first line to the end of its last module. */
    readonly loadMs: number;
    /** The activate() call alone. */
    readonly activateMs: number;
  };
  /** Names of the heavy modules loaded so far (see lazy.ts). Empty right after activation. */
  loadedLazyModules(): string[];
  /** Folder of the "Agent Ops" log file, as a URI string. */
  readonly logFolder: string;
}
