import type { Environment } from '../spec/environment.js';
import type { CacheConfig } from './schema.js';
import { isLoopbackAddress, loopbackOnlyFetch } from '../network/loopback-only.js';
import { nodeHttpFetch } from '../providers/node-http-fetch.js';
import { ollamaHost } from '../providers/ollama-client.js';
import type { Embedder } from '../spec/embedder.js';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  defaultCircuitBreakerOptions,
} from '../middleware/circuit-breaker.js';
import { embedderWithPolicy } from '../middleware/embedder-policy.js';
import { defaultRetryOptions, type RetryOptions } from '../middleware/retry-policy.js';
import { createLexicalEmbedder } from '../embed/lexical-embedder.js';
import { createLocalEmbedder } from '../embed/local-embedder.js';
import { createOllamaEmbedder } from '../embed/ollama-embedder.js';
import { createOpenAIEmbedder } from '../embed/openai-embedder.js';

type EmbedderConfig = NonNullable<CacheConfig['semantic']>['embedder'];

/**
 * The semantic cache's embedder. Offline, an embedder that would leave this machine is replaced by
 * the local one (as cloud tiers are replaced by local models), and the rest may call loopback only.
 */
export function createEmbedder(
  config: EmbedderConfig,
  options: { env?: Environment; offline?: boolean; retry?: RetryOptions; breaker?: CircuitBreakerOptions } = {},
): Embedder {
  if (config === 'local') return createLocalEmbedder();
  if (config === 'local-lexical') return createLexicalEmbedder();
  const remote = createRemoteEmbedder(config, options);
  if (remote.name === localName) return remote;
  // Remote embedders go through the call policy of model calls: timeouts, retries, a breaker.
  const retry = options.retry ?? defaultRetryOptions;
  return embedderWithPolicy(
    remote,
    {
      ...retry,
      timeoutMs: config.timeoutMs ?? embedderTimeoutMs,
      ...(config.maxRetries !== undefined && { maxRetries: config.maxRetries }),
    },
    new CircuitBreaker(options.breaker ?? defaultCircuitBreakerOptions),
  );
}

const localName = createLocalEmbedder().name;

/** An embedding call's default timeout: a lookup that waits longer costs more time than the call it saves. */
const embedderTimeoutMs = 10_000;

function createRemoteEmbedder(
  config: Exclude<EmbedderConfig, 'local' | 'local-lexical'>,
  options: { env?: Environment; offline?: boolean },
): Embedder {
  const env = options.env ?? process.env;
  const address =
    config.provider === 'ollama' ? ollamaHost(config.host, env) : (config.baseURL ?? 'https://api.openai.com/v1');
  if (options.offline && !isLoopbackAddress(address)) return createLocalEmbedder();
  const transport = options.offline ? loopbackOnlyFetch(nodeHttpFetch, 'the semantic cache embedder') : nodeHttpFetch;
  if (config.provider === 'ollama') {
    return createOllamaEmbedder({
      model: config.model,
      env,
      fetch: transport,
      ...(config.host !== undefined && { host: config.host }),
    });
  }
  return createOpenAIEmbedder({
    model: config.model,
    env,
    fetch: transport,
    ...(config.baseURL !== undefined && { baseURL: config.baseURL }),
    ...(config.apiKeyEnv !== undefined && { apiKeyEnv: config.apiKeyEnv }),
  });
}
