/**
 * Versioned deploys: the public surface of src/core/deploy for the CLI and the extension, imported
 * lazily (`await import('…/core/deploy/index')`). This slice: the agentops.yaml deploy sections and
 * stable traffic assignment.
 */
export {
  loadDeployConfig,
  deployConfigOf,
  substitute,
  substituteArgv,
  templateReferences,
  templateVariables,
  initialWeight,
  parseDurationText,
  targetShapes,
  targetTypes,
  guardSourceShapes,
  guardDefaults,
  canaryDefaultInterval,
  defaultTraceDir,
  defaultVersionAttribute,
  deployConfigSchemaProperties,
  type DeployConfig,
  type EnvironmentConfig,
  type Target,
  type TargetType,
  type CommandTarget,
  type WebhookTarget,
  type KubectlTarget,
  type HelmTarget,
  type ArgoRolloutsTarget,
  type MlflowAliasTarget,
  type LangfuseLabelTarget,
  type SecretRef,
  type Strategy,
  type StrategyType,
  type Guard,
  type GuardSource,
  type LoadedDeployConfig,
  type TemplateValues,
  type SubstitutionResult,
  type ConfigProblem,
} from './config';
export { assign, bucketOf, bucketCount, candidateBuckets, murmur3x86_32, type Assignment, type Variant } from './assignment';
export { runDeploy, promote, abort, rollback, resume, interruptedDeploy, nextCanaryStep, outcomeOk, EngineError, type RunDeployOptions, type RollbackOptions, type PromoteOptions, type DriveOptions, type EngineBase, type EngineEvent, type DeployOutcome, type OutcomeKind, type PlanStep } from './engine/index';
export { createGuard, otlpGuard, prometheusGuard, parsePromResponse, judgeCounts, countSpans, otlpSourceFiles, type GuardFn, type GuardRequest, type Verdict, type PromValue, type PromGuardOptions, type SpanCounts } from './guard/index';

// --- Shared with the other agentops.yaml sections ---
export { suggest } from '../config/agentopsYaml';
export { alertmanagerNotifier, rollbackAlert, rollbackAlertName, type RollbackNotice, type RollbackNotifier, type PostableAlert, type AlertmanagerOptions } from './alerts';
