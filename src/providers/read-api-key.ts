import type { Environment } from '../spec/environment.js';
import { registerSecret } from '../common/secrets.js';
import { MissingApiKeyError } from '../errors/index.js';

/** Read the key at call time, never at import, so loading a cascade needs no secrets. */
export function readApiKey(variable: string, tier: string, env: Environment = process.env): string {
  const key = env[variable];
  if (key === undefined || key === '') throw new MissingApiKeyError({ variable, tier });
  // From now on no form of it is written anywhere.
  registerSecret(key);
  return key;
}

/**
 * The variable a provider reads its key from: `apiKeyEnv`, else the vendor's usual name. An
 * OpenAI-compatible `baseURL` needs a key only when `apiKeyEnv` names one (local servers take none).
 */
export function apiKeyVariable(provider: string, apiKeyEnv?: string, baseURL?: string): string | undefined {
  if (provider === 'openai') return apiKeyEnv ?? (baseURL ? undefined : 'OPENAI_API_KEY');
  if (provider === 'anthropic') return apiKeyEnv ?? 'ANTHROPIC_API_KEY';
  return undefined;
}
