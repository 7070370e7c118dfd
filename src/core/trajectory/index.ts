/**
 * The trajectory validator's core (src/core/trajectory): the model, the readers
 * of every supported format, and the runs of OTLP traces. Plain data in, plain
 * data out; never imports vscode. Loaded lazily by the extension and the CLI.
 */
export type * from './model';
export { agentStepKinds, isAgentStep } from './model';

// --- Reading files (format detected by content) ---
export { readTrajectoryFile, readTrajectoryText, detectTrajectoryFormat, formatReaders, type ReadTrajectoryOptions } from './read';

// --- Reading and validating a file in a worker thread (big files, the extension host) ---
export { validateFileOffThread, type FileValidation, type OffThreadOptions } from './offThread';

// --- Runs from OTLP traces ---
export { trajectoriesFromTraceSet, trajectoriesFromTrace } from './otlp';

// --- Building blocks, for readers and the rules ---
export { canonicalJson, parseArguments, epochMs, indexJsonLines, locateJsonError, type LineIndex, type JsonErrorLocation } from './json';
export { thinkTools, toolCallsOf, stepsFromMessages, usageTokens } from './messages';
export { finishTools, type FormatReader, type ReadContext, type DraftTrajectory, type DraftStep } from './build';
export { isSweAgentObservationError } from './formats/sweAgent';
export { GenericAccumulator, isGenericRecord } from './formats/generic';
export { parsePythonLiteral } from './pyLiteral';

// --- Validating: the rules, their findings, the `trajectory:` section of agentops.yaml ---
export type * from './findings';
export { ruleIds } from './findings';
export { validateTrajectory, validateTrajectories, toValidateJson, hasErrors, defaultTrajectoryConfig } from './validate';
export { loadTrajectoryConfig, trajectoryConfigOf, trajectoryConfigSchema, agentopsSchema, parseDuration, ruleSettings, type LoadedTrajectoryConfig, type TrajectoryConfigProblem } from './config';
export { rules, defaultSeverities, precedence, applyPrecedence, findCycles, canonicalArguments, compileConfig, prepareRun, argsMatch, type Rule, type RuleTable, type Cycle, type CycleOptions, type RunContext } from './rules/index';
