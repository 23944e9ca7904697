export type * from './spec/index.js';
export { Cascade, type CascadeSettings, type RunOptions } from './engine/cascade.js';
export type { Tier, OnExhausted } from './engine/tier.js';
export { CircuitBreaker, type CircuitBreakerOptions } from './engine/circuit-breaker.js';
export {
  callWithRetries,
  defaultRetryOptions,
  RetriesExhaustedError,
  type RetryOptions,
} from './engine/retry-policy.js';
export { loadCascadeFile, createCascade, type LoadCascadeOptions } from './config/load-cascade.js';
export { cascadeConfigSchema, type CascadeConfig, type CascadeConfigInput } from './config/schema.js';
export { createOpenAIProvider } from './providers/openai.js';
export { createAnthropicProvider } from './providers/anthropic.js';
export { createOllamaProvider, type OllamaProviderOptions } from './providers/ollama.js';
export { createReplayProvider, FixtureIndex, type ReplayProviderOptions } from './providers/replay.js';
export type { EndpointOptions } from './providers/endpoint-options.js';
export { readFixtures, readFixtureItems } from './fixtures/read-fixtures.js';
export type { FixtureItem, RecordedResponse } from './fixtures/fixture-schema.js';
export { builtInPrices, priceTableDate, findPricing, costUsd, type Pricing } from './pricing/price-table.js';
export { countTokens, countMessageTokens } from './tokens/count-tokens.js';
export * from './common/errors.js';
export * from '../gates/index.js';
export { RunBudget } from './engine/run-budget.js';
export { runBatch, type BatchOptions, type BatchOutcome } from './batch/run-batch.js';
export { loadDataset, singleModelFigures, type Dataset, type LoadDatasetOptions } from './evaluation/dataset.js';
export { evaluateCascade, bestSingleModel, type EvalReport } from './evaluation/evaluate.js';
export { tuneCascade, type TuneOptions, type TuneResult } from './tune/tune.js';
export type { Objective } from './tune/objective.js';
export { writeTunedCascade } from './tune/write-tuned-cascade.js';
export { renderTuneReport } from './tune/report-html.js';
export { withRateLimits, type RateLimits } from './providers/rate-limited-provider.js';
export { ResponseCache, type ResponseCacheOptions, type CacheLookup } from './cache/response-cache.js';
export { CacheStore, type CacheEntry, type CachedAnswer } from './cache/cache-store.js';
export { defaultGuards, refusingGuard, type Guard } from './cache/guards.js';
export { VectorIndex, type Neighbour } from './cache/vector-index.js';
export { createLocalEmbedder, embedLocally } from './embed/local-embedder.js';
export { createOpenAIEmbedder, type OpenAIEmbedderOptions } from './embed/openai-embedder.js';
export { createOllamaEmbedder, type OllamaEmbedderOptions } from './embed/ollama-embedder.js';
export { compressMessages, compressText, type Compressed } from './compress/compress-messages.js';
export type { CompressStep, CacheConfig } from './config/schema.js';
export { captureCalls, capturing, type CapturedCall } from './record/capture-calls.js';
export { fixtureRecords } from './record/fixture-records.js';
export { FixtureWriter } from './record/fixture-writer.js';
export { runRecorded, type Recording } from './record/run-recorded.js';
export { ExploreStats, isExplored, wilsonInterval } from './record/explore.js';
export { isLoopbackHost, loopbackOnlyFetch } from './network/loopback-only.js';
