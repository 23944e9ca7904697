import type { Environment } from '../spec/environment.js';
import { ConfigError } from '../errors/index.js';
import { isLoopbackAddress } from '../network/loopback-only.js';
import { ollamaHost } from '../providers/ollama-client.js';
import type { ModelEndpointConfig, OfflineConfig } from './schema.js';

/** The local model a cloud tier runs on offline when the cascade file's `offline:` names none. */
export const defaultOfflineModel = 'llama3.2:3b';

/**
 * Where an endpoint runs in offline mode. Cloud tiers (openai, anthropic) move to a local model on
 * Ollama, free; an OpenAI-compatible `baseURL` on loopback and replay tiers stay as they are. Anything
 * still pointing off this machine is refused here, before the first call.
 */
export function offlineEndpoint<T extends ModelEndpointConfig>(
  endpoint: T,
  name: string,
  offline: OfflineConfig | undefined,
  env: Environment,
  where: string,
): T {
  if (endpoint.provider === 'replay') return endpoint;
  if (endpoint.provider === 'openai' && endpoint.baseURL && isLoopbackAddress(endpoint.baseURL)) return endpoint;
  if (endpoint.provider === 'ollama') {
    requireLoopback(ollamaHost(endpoint.host, env), endpoint.host ? `${where}.host` : 'OLLAMA_HOST', where);
    return endpoint;
  }
  const model = offline?.tiers?.[name] ?? offline?.model ?? defaultOfflineModel;
  const host = offline?.host ?? endpoint.host;
  requireLoopback(
    ollamaHost(host, env),
    offline?.host ? `${where.replace(/: tiers.*$/, ': offline')}.host` : 'OLLAMA_HOST',
    where,
  );
  const { apiKeyEnv: _key, baseURL: _url, pricing: _price, ...rest } = endpoint;
  return { ...rest, provider: 'ollama', model, ...(host !== undefined && { host }) } as T;
}

function requireLoopback(address: string, setting: string, where: string): void {
  if (isLoopbackAddress(address)) return;
  throw new ConfigError(
    `${where}: offline mode allows only loopback hosts, but ${setting} is ${address}. Run Ollama on this machine (127.0.0.1) or run without --offline.`,
    { field: setting },
  );
}
