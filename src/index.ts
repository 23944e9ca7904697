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
export { renderTuneReport } from './tune/report-html.js';

// The async entry points below load their modules (the cascade-file reader and zod, the batch runner, the
// dataset reader, the tuner and yaml) when first called, so that `import 'frugal-cascade'` loads none of them.
export const loadCascadeFile = loadOnCall(() => import('./config/load-cascade.js'), 'loadCascadeFile');
export const createCascade = loadOnCall(() => import('./config/load-cascade.js'), 'createCascade');
export const runBatch = loadOnCall(() => import('./batch/run-batch.js'), 'runBatch');
export const runRecorded = loadOnCall(() => import('./record/run-recorded.js'), 'runRecorded');
export const loadDataset = loadOnCall(() => import('./evaluation/dataset.js'), 'loadDataset');
export const evaluateCascade = loadOnCall(() => import('./evaluation/evaluate.js'), 'evaluateCascade');
export const tuneCascade = loadOnCall(() => import('./tune/tune.js'), 'tuneCascade');
export const writeTunedCascade = loadOnCall(() => import('./tune/write-tuned-cascade.js'), 'writeTunedCascade');
