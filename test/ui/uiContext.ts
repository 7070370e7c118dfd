import type { Workbench } from '../harness/workbench';

/** What the harness gives a UI spec: a way to open workbench windows on the test workspace. */
export interface UiContext {
  /** Absolute path of the (copied) sample workspace the windows open. */
  workspace: string;
  /** The Agent Ops version under test. */
  version: string;
  openWorkbench(): Promise<Workbench>;
}

/** A UI spec registers mocha suites (describe/it) when called. */
export type UiSpec = (ctx: UiContext) => void;
