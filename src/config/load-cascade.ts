import { definedFields } from '../common/defined-fields.js';
import type { Environment } from '../spec/environment.js';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  defaultCircuitBreakerOptions,
} from '../middleware/circuit-breaker.js';
import { Cascade } from '../engine/cascade.js';
import { defaultRetryOptions, type RetryOptions } from '../middleware/retry-policy.js';
import type { Tier } from '../engine/tier.js';
import { ConfigError } from '../errors/index.js';
import { describePriceSource, findPriceWithSource, type Pricing } from '../pricing/price-table.js';
import { cascadeInCode, isCascadeInCode, type CascadeInCode } from './cascade-in-code.js';
import { buildRoute, type ClassifierProviderFactory } from './build-route.js';
import { createProvider, loadFixtureIndex, type Limiter } from './create-provider.js';
import { apiKeyVariable } from '../providers/read-api-key.js';
import { buildGate, endpointRetry, endpointWithPolicy } from './build-gate.js';
import { offlineEndpoint } from './offline-endpoint.js';
import { formatIssues } from '../common/format-issues.js';
import { maskKeyShapes, refuseSecrets } from './refuse-secrets.js';
import type { CacheConfig, CascadeConfig, CascadeConfigInput, GateConfig, ModelEndpointConfig } from './schema.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { canonicalJson, sha256 } from '../common/canonical-json.js';
import { createEmbedder } from './create-embedder.js';
import { once } from '../common/once.js';

export interface LoadCascadeOptions {
  /** Answer every tier and judge from this fixture file instead of their providers (no network). */
  replay?: string;
  /** With `replay`: wait each answer's recorded latency before giving it, as the live call took. */
  replayPaced?: boolean;
  /** Prices by model for replayed recordings without `costUsd`, under each tier's own `pricing`. */
  replayPricing?: Record<string, Pricing>;
  /** Environment for API keys and OLLAMA_HOST. @default process.env */
  env?: Environment;
  /** Where relative paths (schemas, fixtures, modules) start. @default the file's folder, or the working directory */
  baseDir?: string;
  /** Names the source in errors. @default '(cascade object)' */
  source?: string;
  /** With `replay`: call the live provider for requests the recording lacks, instead of failing. @default 'fail' */
  onReplayMiss?: 'fail' | 'live';
  /** Run every cloud tier and judge on a local model (the file's `offline:`), and allow loopback hosts only. */
  offline?: boolean;
  /** Report every provider answer to `captureCalls` (for --record and --explore). */
  capture?: boolean;
  /** Build the file's `cache`, if it has one. @default true */
  cache?: boolean;
  /**
   * Builds the middleware that enforces each endpoint's `maxConcurrent`, `requestsPerMinute` and
   * `tokensPerMinute`. @default one process's limits (p-queue and a token bucket); the queue's workers
   * share theirs in Redis.
   */
  limiter?: Limiter;
  /** Told when a damaged cache store or saved index was set aside and rebuilt. @default process.emitWarning */
  onNotice?: (message: string) => void;
}

/** Read, validate and build a cascade from a YAML file. Errors name the file, the field and the fix. */
export async function loadCascadeFile(file: string, options: LoadCascadeOptions = {}): Promise<Cascade> {
  return createCascade(await readCascadeYaml(file), { baseDir: dirname(resolve(file)), source: file, ...options });
}

/** A cascade file's YAML as plain data, not yet validated. Unreadable files and bad YAML are ConfigErrors naming the file. */
export async function readCascadeYaml(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read the cascade file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { file },
    );
  }
  // The YAML parser is loaded with the first cascade file, not with the library.
  const { parseDocument } = await import('yaml');
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    // The parser quotes the lines around the error, which may hold a key: mask key-shaped values.
    throw new ConfigError(
      `${file}: not valid YAML:\n${document.errors.map((error) => maskKeyShapes(error.message)).join('\n')}`,
      { file },
    );
  }
  return document.toJS();
}

/** Validate data shaped like a cascade file: no literal secrets, every field as the schema says. `where` names the source in errors. */
export async function parseCascadeConfig(config: unknown, where: string): Promise<CascadeConfig> {
  // The schema (and zod with it) is loaded with the first cascade, not with the library.
  const { cascadeConfigSchema } = await import('./schema.js');
  refuseSecrets(config, where);
  const parsed = cascadeConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(formatIssues(where, parsed.error.issues, config), { file: where });
  return parsed.data;
}

/**
 * Validate and build a cascade from an object shaped like a cascade file, or from provider and gate
 * objects in code (`{ tiers: [{ provider: openai('gpt-4o-mini'), gates: [...] }] }`, see cascade-in-code.ts).
 */
export async function createCascade(
  config: CascadeConfigInput | CascadeInCode | unknown,
  options: LoadCascadeOptions = {},
): Promise<Cascade> {
  if (isCascadeInCode(config)) return cascadeInCode(config);
  const where = options.source ?? '(cascade object)';
  const baseDir = options.baseDir ?? process.cwd();
  const definition = await parseCascadeConfig(config, where);
  const replay = options.replay ? loadFixtureIndex(resolve(options.replay)) : undefined;
  const env = options.env ?? process.env;
  const context = {
    baseDir,
    ...(replay && { replay }),
    ...(options.env && { env: options.env }),
    ...(options.onReplayMiss && { onReplayMiss: options.onReplayMiss }),
    ...(options.replayPaced && { replayPaced: true }),
    ...(options.offline && { loopbackOnly: true }),
    ...(options.capture && { capture: true }),
    ...(options.limiter && { limiter: options.limiter }),
  };
  const local = <T extends ModelEndpointConfig>(endpoint: T, name: string, endpointWhere: string): T =>
    options.offline ? offlineEndpoint(endpoint, name, definition.offline, env, endpointWhere) : endpoint;
  // Fields given as undefined (from code: `{ failureThreshold: undefined }`) keep their defaults.
  const breakerOptions = { ...defaultCircuitBreakerOptions, ...definedFields(definition.circuitBreaker) };
  const cascadeRetry = { ...defaultRetryOptions, ...definedFields(definition.retry) };

  const tiers: Tier[] = [];
  const effectiveTiers: unknown[] = [];
  const requiredEnv: { variable: string; where: string }[] = [];
  const requireKeyOf = (endpoint: ModelEndpointConfig, label: string) => {
    const variable =
      replay && options.onReplayMiss !== 'live'
        ? undefined
        : apiKeyVariable(endpoint.provider, endpoint.apiKeyEnv, endpoint.baseURL);
    if (variable) requiredEnv.push({ variable, where: label });
  };
  // A budget bounds every call by its price: an endpoint whose model has none is refused, unless replayed
  // (a recording's answers carry their cost).
  const refuseUnpriced = (
    endpoint: ModelEndpointConfig,
    pricing: () => Pricing | undefined,
    endpointWhere: string,
    field: string,
    what: string,
  ) => {
    if (!definition.budget || replay || endpoint.provider === 'replay' || pricing()) return;
    throw new ConfigError(
      `${endpointWhere}.pricing: no built-in price for model "${endpoint.model}", and the budget needs one. Add \`pricing: { inputPerMTok: …, outputPerMTok: … }\` to the ${what}.`,
      { file: where, field },
    );
  };
  const modelCounts = new Map<string, number>();
  for (const [index, configured] of definition.tiers.entries()) {
    const model = local(configured, configured.name, `${where}: tiers[${index}]`).model;
    modelCounts.set(model, (modelCounts.get(model) ?? 0) + 1);
  }
  const sharedModels = new Set([...modelCounts].filter(([, count]) => count > 1).map(([model]) => model));
  for (const [index, configured] of definition.tiers.entries()) {
    const tierWhere = `${where}: tiers[${index}]`;
    const localTier = local(configured, configured.name, tierWhere);
    const replayPrice = replay && !localTier.pricing ? options.replayPricing?.[localTier.model] : undefined;
    const tierConfig = replayPrice ? { ...localTier, pricing: replayPrice } : localTier;
    // Looked up when first read (the run summary, a budget, a record without costUsd): a replay whose
    // records carry their cost never loads the maintained price database.
    const price = once(() => {
      const found = findPriceWithSource(tierConfig.provider, tierConfig.model, tierConfig.pricing);
      return (
        found && {
          pricing: found.pricing,
          priceSource: replayPrice ? 'the recording' : describePriceSource(found.source, found.since),
        }
      );
    });
    refuseUnpriced(tierConfig, () => price()?.pricing, tierWhere, `tiers[${index}].pricing`, 'tier');
    requireKeyOf(tierConfig, `tier "${tierConfig.name}"`);
    effectiveTiers.push(tierConfig);
    const gates = [];
    for (const [gateIndex, configuredGate] of tierConfig.gates.entries()) {
      const gateWhere = `${tierWhere}.gates[${gateIndex}]`;
      const gateConfig =
        configuredGate.type === 'judge'
          ? local(configuredGate, `${tierConfig.name} (judge)`, gateWhere)
          : configuredGate;
      if (gateConfig.type === 'judge') requireKeyOf(gateConfig, `the judge of tier "${tierConfig.name}"`);
      gates.push(await buildGate(gateConfig, gateWhere, context, cascadeRetry, breakerOptions));
    }
    // Stable sort: equal ranks keep the order of the file.
    gates.sort((a, b) => a.costRank - b.costRank);
    const compress = tierConfig.compress ?? definition.compress;
    const tier: Omit<Tier, 'pricing' | 'priceSource'> = {
      name: tierConfig.name,
      provider: createProvider(tierConfig, {
        ...context,
        label: `tier "${tierConfig.name}"`,
        where: tierWhere,
        // Two tiers of one model (at different prices or parameters) are recorded apart, so each replays as it ran.
        ...(sharedModels.has(tierConfig.model) && { recordAs: `${tierConfig.model}@${tierConfig.name}` }),
      }),
      gates,
      params: definedFields(tierConfig.params),
      retry: endpointRetry(cascadeRetry, tierConfig),
      breaker: new CircuitBreaker(breakerOptions),
      witness: tierConfig.witness,
      ...(compress && { compress }),
    };
    tiers.push(
      Object.defineProperties(tier, {
        pricing: { get: () => price()?.pricing, enumerable: true },
        priceSource: { get: () => price()?.priceSource, enumerable: true },
      }) as Tier,
    );
  }
  // A start rule's classifier calls through the same stack as a judge: its own breaker, the retry policy
  // and timeout with its overrides; recorded and replayed as `<model>@route`, apart from a tier of that model.
  const classifierProvider: ClassifierProviderFactory = (configured, label, classifierWhere) => {
    const endpoint = local(configured, label, classifierWhere);
    requireKeyOf(endpoint, label);
    const pricing = findPriceWithSource(endpoint.provider, endpoint.model, endpoint.pricing)?.pricing;
    refuseUnpriced(endpoint, () => pricing, classifierWhere, 'pricing', 'classifier');
    const provider = endpointWithPolicy(
      endpoint,
      { ...context, label, where: classifierWhere, recordAs: `${endpoint.model}@route` },
      cascadeRetry,
      breakerOptions,
    );
    return { provider, ...(pricing && { pricing }) };
  };
  if (replay) await replay;
  const cache =
    definition.cache && options.cache !== false
      ? await buildCache(definition.cache, effectiveTiers, definition, {
          baseDir,
          env,
          offline: options.offline === true,
          replayed: replay !== undefined,
          retry: cascadeRetry,
          breaker: breakerOptions,
          ...(options.onNotice && { onNotice: options.onNotice }),
        })
      : undefined;
  return new Cascade({
    ...(cache && { cache }),
    name: definition.name,
    tiers,
    onExhausted: definition.onExhausted,
    ...(definition.system !== undefined && { system: definition.system }),
    ...(definition.budget?.perItemUsd !== undefined && { budget: { perItemUsd: definition.budget.perItemUsd } }),
    ...(definition.budget?.runUsd !== undefined && {
      runDefaults: { budgetUsd: definition.budget.runUsd, downshift: definition.budget.downshift === true },
    }),
    ...(definition.route && { route: buildRoute(definition.route, tiers, where, classifierProvider) }),
    requiredEnv,
  });
}

/**
 * Digests of the files a gate reads (a schema, tuned classifiers, a custom module): editing one changes
 * which answers pass, so it must change the cache fingerprint as much as editing the cascade file does.
 */
function gateFileDigests(gate: GateConfig, baseDir: string): string[] {
  const files = [
    gate.type === 'json-schema' && typeof gate.schema === 'string' ? gate.schema : undefined,
    gate.type === 'learned' ? gate.classifiers : undefined,
    gate.type === 'custom' ? gate.module : undefined,
  ];
  return files
    .filter((file): file is string => file !== undefined)
    .map((file) => sha256(readFileSync(resolve(baseDir, file), 'utf8')));
}

/** The cascade's response cache. Its fingerprint covers what shapes an answer, so editing a tier, gate or prompt starts afresh. */
async function buildCache(
  config: CacheConfig,
  tiers: unknown[],
  definition: CascadeConfig,
  options: {
    baseDir: string;
    env: Environment;
    offline: boolean;
    replayed: boolean;
    retry: RetryOptions;
    breaker: CircuitBreakerOptions;
    onNotice?: (message: string) => void;
  },
): Promise<ResponseCache> {
  // The cache (and its native store and index) is loaded only for a cascade that has one.
  const { ResponseCache } = await import('../cache/response-cache.js');
  const shaping = (tier: unknown) => {
    const {
      maxConcurrent: _a,
      requestsPerMinute: _b,
      tokensPerMinute: _c,
      timeoutMs: _d,
      maxRetries: _e,
      apiKeyEnv: _f,
      ...rest
    } = tier as Record<string, unknown>;
    const gates = (rest['gates'] as GateConfig[] | undefined)?.map((gate) => ({
      ...gate,
      files: gateFileDigests(gate, options.baseDir),
    }));
    return { ...rest, gates };
  };
  // Answers replayed from a recording are kept apart from live ones.
  const cascadeFingerprint = sha256(
    canonicalJson({
      replayed: options.replayed,
      system: definition.system,
      onExhausted: definition.onExhausted,
      compress: definition.compress,
      tiers: tiers.map(shaping),
    }),
  );
  return new ResponseCache({
    namespace: config.namespace,
    ...(config.store !== undefined && { store: resolve(options.baseDir, config.store) }),
    ...(config.ttlSeconds !== undefined && { ttlSeconds: config.ttlSeconds }),
    maxEntries: config.maxEntries,
    exact: config.exact,
    ...(config.semantic && {
      semantic: {
        embedder: createEmbedder(config.semantic.embedder, {
          env: options.env,
          offline: options.offline,
          retry: options.retry,
          breaker: options.breaker,
        }),
        threshold: config.semantic.threshold,
      },
    }),
    cascadeFingerprint,
    ...(options.onNotice && { onNotice: options.onNotice }),
  });
}
