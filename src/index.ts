// The documented API of `frugal-cascade`. The cache is in `frugal-cascade/cache`, test helpers in
// `frugal-cascade/test`.
import { loadOnCall } from './common/load-on-call.js';
export type * from './spec/index.js';
export type { Environment } from './spec/environment.js';
export type { CompressStep } from './spec/compress-step.js';
export type { CompleteCall, ProviderMiddleware } from './spec/middleware.js';

// Building and running cascades.
export { Cascade, type CascadeSettings, type RunOptions } from './engine/cascade.js';
export type { Tier, OnExhausted } from './engine/tier.js';
export { CircuitBreaker, type CircuitBreakerOptions } from './middleware/circuit-breaker.js';
export { defaultRetryOptions, type RetryOptions } from './middleware/retry-policy.js';
export { RunBudget } from './engine/run-budget.js';
export type { LoadCascadeOptions } from './config/load-cascade.js';
export type { CascadeInCode, TierInCode } from './config/cascade-in-code.js';
export type { CascadeConfig, CascadeConfigInput, CacheConfig } from './config/schema.js';

// Middleware: every model call goes through one stack.
export { wrapProvider } from './middleware/wrap-provider.js';
export { callPolicy } from './middleware/call-policy.js';
export { retryMiddleware } from './middleware/retry-middleware.js';
export { circuitBreakerMiddleware } from './middleware/breaker-middleware.js';
export { rateLimitMiddleware, withRateLimits, type RateLimits } from './middleware/rate-limits.js';
export { captureMiddleware, captureCalls, type CapturedCall } from './record/capture-calls.js';

// Providers.
export { openai, anthropic, ollama } from './providers/shorthand.js';
export { createOpenAIProvider } from './providers/openai.js';
export { createAnthropicProvider } from './providers/anthropic.js';
export { createOllamaProvider, type OllamaProviderOptions } from './providers/ollama.js';
export {
  createReplayProvider,
  FixtureIndex,
  liveOnMissMiddleware,
  type ReplayProviderOptions,
} from './providers/replay.js';
export type { EndpointOptions } from './providers/endpoint-options.js';
export { builtInPrices, priceTableDate, findPricing, type Pricing } from './pricing/price-table.js';

// Gates and errors.
export * from '../gates/index.js';
export * from './errors/index.js';

// Compression. The cache, its store, index, guards and embedders are in `frugal-cascade/cache`.
export { compressMessages, type Compressed } from './compress/compress-messages.js';

// Batches, recordings, evaluation and tuning.
export type { BatchOptions, BatchOutcome } from './batch/run-batch.js';
export { readFixtures, readFixtureItems } from './fixtures/read-fixtures.js';
export type { FixtureItem, RecordedResponse } from './fixtures/fixture-schema.js';
export { fixtureRecords } from './record/fixture-records.js';
export { FixtureWriter } from './record/fixture-writer.js';
export type { Recording } from './record/run-recorded.js';
export type { Dataset, LoadDatasetOptions } from './evaluation/dataset.js';
export type { EvalReport } from './evaluation/evaluate.js';
export { bestSingleModel, singleModelFigures } from './evaluation/single-model.js';
export type { TuneOptions, TuneResult } from './tune/tune.js';
export type { Objective } from './tune/objective.js';
/** The default objective of `cascade tune`, and the tolerance it allows when quality is agreement with a model. */
export { agreementTolerance, defaultObjective, objectiveForQuality } from './tune/objective.js';
export { renderTuneReport } from './tune/report-html.js';

// The async entry points below load their modules (the cascade-file reader and zod, the batch runner, the
// dataset reader, the tuner and yaml) when first called, so that `import 'frugal-cascade'` loads none of them.
/** Read, validate and build a cascade from a YAML file. Errors name the file, the field and the fix. */
export const loadCascadeFile = loadOnCall(() => import('./config/load-cascade.js'), 'loadCascadeFile');
/** Validate and build a cascade from an object shaped like a cascade file, or from provider and gate objects in code. */
export const createCascade = loadOnCall(() => import('./config/load-cascade.js'), 'createCascade');
/** Run a file of items through the cascade, writing each result as it finishes; run again, it resumes where it stopped. */
export const runBatch = loadOnCall(() => import('./batch/run-batch.js'), 'runBatch');
/** Run one item through the cascade, recording its calls (and exploring it) when asked. */
export const runRecorded = loadOnCall(() => import('./record/run-recorded.js'), 'runRecorded');
/** Read a fixture into columns: every model's answers, costs, confidences and scores per item. */
export const loadDataset = loadOnCall(() => import('./evaluation/dataset.js'), 'loadDataset');
/** Run every item of a dataset through the cascade, answered from its recordings, and score it against every single model. */
export const evaluateCascade = loadOnCall(() => import('./evaluation/evaluate.js'), 'evaluateCascade');
/** Choose models, their order, gates and thresholds for a labelled fixture (see the README's tuning section). */
export const tuneCascade = loadOnCall(() => import('./tune/tune.js'), 'tuneCascade');
/** Write a tuned cascade as a cascade file that `cascade eval` runs as it is. */
export const writeTunedCascade = loadOnCall(() => import('./tune/write-tuned-cascade.js'), 'writeTunedCascade');
