import { MissingApiKeyError } from '../errors.js';

/** Read the key at call time, never at import, so loading a cascade needs no secrets. */
export function readApiKey(variable: string, tier: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = env[variable];
  if (key === undefined || key === '') throw new MissingApiKeyError(variable, tier);
  return key;
}
