// The documented API of `frugal-cascade`. The cache is in `frugal-cascade/cache`, test helpers in
// `frugal-cascade/test`.
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
export { loadCascadeFile, createCascade, type LoadCascadeOptions } from './config/load-cascade.js';
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
export { runBatch, type BatchOptions, type BatchOutcome } from './batch/run-batch.js';
export { readFixtures, readFixtureItems } from './fixtures/read-fixtures.js';
export type { FixtureItem, RecordedResponse } from './fixtures/fixture-schema.js';
export { fixtureRecords } from './record/fixture-records.js';
export { FixtureWriter } from './record/fixture-writer.js';
export { runRecorded, type Recording } from './record/run-recorded.js';
export { loadDataset, singleModelFigures, type Dataset, type LoadDatasetOptions } from './evaluation/dataset.js';
export { evaluateCascade, bestSingleModel, type EvalReport } from './evaluation/evaluate.js';
export { tuneCascade, type TuneOptions, type TuneResult } from './tune/tune.js';
export type { Objective } from './tune/objective.js';
export { writeTunedCascade } from './tune/write-tuned-cascade.js';
export { renderTuneReport } from './tune/report-html.js';
