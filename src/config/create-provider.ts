import type { Environment } from '../spec/environment.js';
import { resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import type { ModelEndpointConfig } from './schema.js';
import type { Provider } from '../spec/provider.js';
import { createAnthropicProvider } from '../providers/anthropic.js';
import { createOllamaProvider } from '../providers/ollama.js';
import { createOpenAIProvider } from '../providers/openai.js';
import { rateLimitMiddleware, type RateLimits } from '../middleware/rate-limits.js';
import { wrapProvider } from '../middleware/wrap-provider.js';
import type { ProviderMiddleware } from '../spec/middleware.js';
import { createReplayProvider, FixtureIndex, withLiveOnMiss } from '../providers/replay.js';
import { capturing } from '../record/capture-calls.js';
import { loopbackOnlyFetch } from '../network/loopback-only.js';
import { nodeHttpFetch } from '../providers/node-http-fetch.js';

export interface ProviderContext {
  /** Names the tier or gate in errors. */
  label: string;
  /** Where relative paths in the cascade file start. */
  baseDir: string;
  /** When set, every model is answered from this recording instead of its provider. */
  replay?: Promise<FixtureIndex>;
  env?: Environment;
  /** Where in the cascade file this endpoint is, for errors. */
  where: string;
  /** The name this endpoint's answers are recorded and replayed under, when not its model's (two tiers share the model). */
  recordAs?: string;
  /** With `replay`: wait each recorded latency before answering. */
  replayPaced?: boolean;
  /** With `replay`: call the live provider for a request the recording lacks, instead of failing. */
  onReplayMiss?: 'fail' | 'live';
  /** Allow only loopback hosts (offline mode). */
  loopbackOnly?: boolean;
  /** Report every answer to the item being captured, for --record and --explore. */
  capture?: boolean;
  /** Builds the middleware that enforces an endpoint's rate limits (see LoadCascadeOptions). */
  limiter?: Limiter;
}

/** The middleware that holds one endpoint's limits, `label` naming it; undefined for none. */
export type Limiter = (label: string, limits: RateLimits) => ProviderMiddleware | undefined;

const fixtureIndexes = new Map<string, Promise<FixtureIndex>>();

/** Load a fixture file once per process, however many tiers replay from it. */
export function loadFixtureIndex(file: string): Promise<FixtureIndex> {
  let index = fixtureIndexes.get(file);
  if (!index) {
    index = FixtureIndex.load(file);
    fixtureIndexes.set(file, index);
    index.catch(() => fixtureIndexes.delete(file));
  }
  return index;
}

/** A provider for the endpoint, behind its rate limits when it has any. */
export function createProvider(endpoint: ModelEndpointConfig, context: ProviderContext): Provider {
  const limits = {
    ...(endpoint.maxConcurrent !== undefined && { maxConcurrent: endpoint.maxConcurrent }),
    ...(endpoint.requestsPerMinute !== undefined && { requestsPerMinute: endpoint.requestsPerMinute }),
    ...(endpoint.tokensPerMinute !== undefined && { tokensPerMinute: endpoint.tokensPerMinute }),
  };
  const unlimited = createUnlimitedProvider(endpoint, context);
  const limiting = (context.limiter ?? ((_label, given) => rateLimitMiddleware(given)))(context.label, limits);
  const provider = limiting ? wrapProvider(unlimited, [limiting]) : unlimited;
  return context.capture ? capturing(provider, context.recordAs) : provider;
}

function createUnlimitedProvider(endpoint: ModelEndpointConfig, context: ProviderContext): Provider {
  if (!context.replay) return createLiveProvider(endpoint, context);
  const replay = createReplayProvider({
    model: endpoint.model,
    fixtures: context.replay,
    pricedAs: endpoint.provider,
    ...(endpoint.pricing && { pricing: endpoint.pricing }),
    ...(context.replayPaced && { paced: true }),
    ...(context.recordAs !== undefined && { recordedAs: context.recordAs }),
  });
  if (context.onReplayMiss !== 'live' || endpoint.provider === 'replay') return replay;
  const { replay: _replay, ...liveContext } = context;
  return withLiveOnMiss(replay, createLiveProvider(endpoint, liveContext));
}

function createLiveProvider(endpoint: ModelEndpointConfig, context: ProviderContext): Provider {
  const shared = {
    model: endpoint.model,
    label: context.label,
    ...(endpoint.apiKeyEnv !== undefined && { apiKeyEnv: endpoint.apiKeyEnv }),
    ...(endpoint.baseURL !== undefined && { baseURL: endpoint.baseURL }),
    ...(endpoint.pricing !== undefined && { pricing: endpoint.pricing }),
    ...(endpoint.allowEmpty && { allowEmpty: true }),
    ...(context.env !== undefined && { env: context.env }),
    ...(context.loopbackOnly && { fetch: loopbackOnlyFetch(nodeHttpFetch, context.label) }),
  };
  switch (endpoint.provider) {
    case 'openai':
      return createOpenAIProvider(shared);
    case 'anthropic':
      return createAnthropicProvider(shared);
    case 'ollama':
      return createOllamaProvider({ ...shared, ...(endpoint.host !== undefined && { host: endpoint.host }) });
    case 'replay': {
      if (!endpoint.fixtures) {
        throw new ConfigError(
          `${context.where}.fixtures: a replay tier needs \`fixtures: <file.jsonl>\` (relative to the cascade file), or run with --replay <file>.`,
          { field: 'fixtures' },
        );
      }
      return createReplayProvider({
        model: endpoint.model,
        fixtures: loadFixtureIndex(resolve(context.baseDir, endpoint.fixtures)),
        ...(endpoint.pricing && { pricing: endpoint.pricing }),
      });
    }
  }
}
