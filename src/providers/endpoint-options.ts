import type { Environment } from '../spec/environment.js';
import type { Pricing } from '../pricing/price-table.js';

/** What every provider factory takes. */
export interface EndpointOptions {
  model: string;
  /** The tier (or gate) this provider serves, named in errors. */
  label: string;
  /** Environment variable with the API key. */
  apiKeyEnv?: string;
  baseURL?: string;
  pricing?: Pricing;
  /** Accept an empty answer; by default it is an error (the item falls back), on every provider. */
  allowEmpty?: boolean;
  /** Environment to read keys and hosts from. @default process.env */
  env?: Environment;
  /** The HTTP client the SDK calls through (offline mode passes one that allows loopback only). @default nodeHttpFetch */
  fetch?: typeof fetch;
}

/** exp(mean token log-probability): the geometric-mean probability of the answer's tokens. */
export function confidenceFromLogprobs(logprobs: readonly number[]): number | undefined {
  if (logprobs.length === 0) return undefined;
  let sum = 0;
  for (const value of logprobs) sum += value;
  return Math.exp(sum / logprobs.length);
}
