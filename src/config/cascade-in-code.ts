import { definedFields } from '../common/defined-fields.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { ConfigError } from '../errors/index.js';
import { Cascade } from '../engine/cascade.js';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  defaultCircuitBreakerOptions,
} from '../middleware/circuit-breaker.js';
import { defaultRetryOptions, type RetryOptions } from '../middleware/retry-policy.js';
import type { OnExhausted, Tier } from '../engine/tier.js';
import { findPricing, type Pricing } from '../pricing/price-table.js';
import type { CompressStep } from '../spec/compress-step.js';
import type { EventListener } from '../spec/events.js';
import type { Gate } from '../spec/gate.js';
import type { Provider } from '../spec/provider.js';
import type { RequestParams } from '../spec/request.js';

/** A tier built in code: a provider object and gate objects, everything else defaulted. */
export interface TierInCode {
  provider: Provider;
  /** @default the provider's model */
  name?: string;
  gates?: Gate[];
  params?: RequestParams;
  /** @default the built-in price of the provider's model (free for ollama) */
  pricing?: Pricing;
  /** This tier's retry settings over the cascade's. */
  retry?: Partial<RetryOptions>;
  witness?: boolean;
  compress?: CompressStep[];
}

/** A cascade built in code rather than from a file: `createCascade({ tiers: [{ provider, gates }] })`. */
export interface CascadeInCode {
  /** @default 'cascade' */
  name?: string;
  tiers: TierInCode[];
  /** @default 'accept-last' */
  onExhausted?: OnExhausted;
  system?: string;
  budget?: { perItemUsd: number };
  retry?: Partial<RetryOptions>;
  circuitBreaker?: Partial<CircuitBreakerOptions>;
  cache?: ResponseCache;
  /** Receives the events of every item (see `CascadeEvent`). */
  onEvent?: EventListener;
}

/** Whether an object passed to `createCascade` is a cascade in code (its tiers hold provider objects). */
export function isCascadeInCode(config: unknown): config is CascadeInCode {
  if (typeof config !== 'object' || config === null) return false;
  const tiers = (config as { tiers?: unknown }).tiers;
  return (
    Array.isArray(tiers) &&
    tiers.some((tier) => typeof (tier as { provider?: { complete?: unknown } })?.provider?.complete === 'function')
  );
}

/** Build a cascade from provider and gate objects, with the same defaults a cascade file gets. */
export function cascadeInCode(definition: CascadeInCode): Cascade {
  const names = new Set<string>();
  const tiers = definition.tiers.map((tier, index): Tier => {
    const where = `(cascade in code): tiers[${index}]`;
    if (typeof tier.provider?.complete !== 'function') {
      throw new ConfigError(
        `${where}.provider: every tier needs a provider object (for example openai('gpt-4o-mini')).`,
      );
    }
    const name = tier.name ?? tier.provider.model;
    if (names.has(name)) throw new ConfigError(`${where}.name: two tiers are named "${name}"; give one a \`name\`.`);
    names.add(name);
    const pricing = findPricing(tier.provider.name, tier.provider.model, tier.pricing);
    if (definition.budget && !pricing) {
      throw new ConfigError(
        `${where}.pricing: no built-in price for model "${tier.provider.model}", and the budget needs one. Pass \`pricing: { inputPerMTok, outputPerMTok }\`.`,
      );
    }
    return {
      name,
      provider: tier.provider,
      // Cheapest gates first, as from a file.
      gates: [...(tier.gates ?? [])].sort((a, b) => a.costRank - b.costRank),
      params: tier.params ?? {},
      pricing,
      retry: { ...defaultRetryOptions, ...definedFields(definition.retry), ...definedFields(tier.retry) },
      breaker: new CircuitBreaker({ ...defaultCircuitBreakerOptions, ...definedFields(definition.circuitBreaker) }),
      ...(tier.witness && { witness: true }),
      ...(tier.compress && { compress: tier.compress }),
    };
  });
  return new Cascade({
    name: definition.name ?? 'cascade',
    tiers,
    onExhausted: definition.onExhausted ?? 'accept-last',
    ...(definition.system !== undefined && { system: definition.system }),
    ...(definition.budget && { budget: definition.budget }),
    ...(definition.cache && { cache: definition.cache }),
    ...(definition.onEvent && { onEvent: definition.onEvent }),
  });
}
