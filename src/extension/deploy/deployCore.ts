/**
 * Everything the editor's deploy commands need from src/core/deploy, in one module that esbuild
 * builds as dist/lazy/deploy.js (see `lazyModules` in esbuild.mjs): loaded by the first deploy
 * command, history read or ledger change, never at activation. No `vscode` import here.
 * The extension host opens the ledger with node:sqlite only (better-sqlite3 is the CLI's).
 */
export { loadDeployConfig, runDeploy, rollback, promote, abort, resume, interruptedDeploy, nextCanaryStep, outcomeOk, EngineError, createGuard } from '../../core/deploy/index';
export { Ledger, defaultLedgerPath, DeployConflictError, isInFlight } from '../../core/deploy/ledger/index';
export { createTarget } from '../../core/deploy/targets/index';
