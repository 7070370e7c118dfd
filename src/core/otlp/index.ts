/**
 * The trace viewer's core (src/core/otlp): the model, GenAI normalisation,
 * roll-ups, statistics, critical path, comparison and search. Loaded lazily by
 * the extension and the CLI; never imports vscode.
 */
export type * from './model';

// --- Reader ---
export { readTraceFiles, readTraceStream, readTraceText } from './reader';

// --- The trace viewer's view model (viewModel.ts), and the same answers from a worker thread that holds it ---
export { TraceViewModel } from './viewModel';
export { defaultMaxMemoryMb, openTraceSession, type PriceInputs, type PriceProblem, type TraceCounts, type TraceMessage, type TraceSession, type TraceSessionOptions } from './traceSession';

// --- Analysis over the model ---
export {
  normalizeGenAi,
  attrNumber,
  attrString,
  type GenAiMessage,
  type GenAiPart,
  type GenAiSpan,
  type NormalizeOptions,
  type SpanType,
  type TokenUsage,
} from './genai';
export {
  addUsage,
  modelOf,
  priceProvider,
  rollupTrace,
  spanCost,
  spanCosts,
  summarizeTrace,
  summaryFromRollup,
  totalTokens,
  totalsOf,
  zeroUsage,
  type SpanCost,
  type TraceRollup,
  type TraceSummary,
  type TraceTotals,
} from './rollup';
export { criticalPath, type CriticalPathOptions, type CriticalPathResult } from './criticalPath';
export { modelStats, operationStats, percentile, type LatencyStats, type ModelStats, type OperationStats } from './stats';
export { compareTraces, type SpanDiff, type SpanSide, type TraceDiff, type UnmatchedSpan } from './compare';
export { mostExpensiveLlmSpan, nextError, searchSpans, selfTimeNs, slowestSpan, treeOrder, type SpanQuery } from './search';
