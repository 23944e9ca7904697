import type { CompressStep } from '../spec/compress-step.js';
import { z } from 'zod';

const pricing = z.strictObject({
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
});

const params = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  maxTokens: z.number().int().positive().optional(),
  stop: z.array(z.string()).optional(),
});

const providerName = z.enum(['openai', 'anthropic', 'ollama', 'replay']);

/** Where and how to reach a model: shared by tiers and by the judge gate. */
const modelEndpoint = {
  provider: providerName,
  model: z.string().min(1),
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Expected the name of an environment variable, such as OPENAI_API_KEY')
    .optional(),
  baseURL: z.url().optional(),
  /** Ollama server; defaults to OLLAMA_HOST, then http://127.0.0.1:11434. */
  host: z.string().optional(),
  /** Fixture file for the replay provider, relative to the cascade file. */
  fixtures: z.string().optional(),
  params: params.optional(),
  timeoutMs: z.number().int().positive().optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
  pricing: pricing.optional(),
  /** Accept an empty answer (for jobs where empty is valid); otherwise it is an error and the item falls back. */
  allowEmpty: z.boolean().optional(),
  /** Calls in flight at once on this tier. */
  maxConcurrent: z.number().int().positive().optional(),
  requestsPerMinute: z.number().int().positive().optional(),
  tokensPerMinute: z.number().int().positive().optional(),
};

/** Prompt compression steps, applied in order before a tier's call. */
export const compressStepSchema = z.discriminatedUnion('type', [
  /** Collapse runs of spaces and blank lines; with `markup`, also drop HTML tags, comments and entities. */
  z.strictObject({ type: z.literal('whitespace'), markup: z.boolean().default(true) }),
  /** Drop lines and sentences said before. */
  z.strictObject({ type: z.literal('dedupe') }),
  /** Keep the `keep` worked examples most like the question. */
  z.strictObject({ type: z.literal('few-shot'), keep: z.number().int().min(0) }),
  /** Keep the sentences of long context most relevant to the question, within `maxTokens`. */
  z.strictObject({ type: z.literal('extract'), maxTokens: z.number().int().positive() }),
]);

const embedderConfig = z.union(
  [
    z.literal('local'),
    z.literal('local-lexical'),
    z.strictObject({
      provider: z.enum(['openai', 'ollama']),
      model: z.string().min(1),
      baseURL: z.url().optional(),
      apiKeyEnv: modelEndpoint.apiKeyEnv,
      host: z.string().optional(),
      /** Per-try timeout of an embedding call. @default 10000 (a cache lookup should not hold an item long) */
      timeoutMs: modelEndpoint.timeoutMs,
      maxRetries: modelEndpoint.maxRetries,
    }),
  ],
  {
    error:
      'Expected `local`, `local-lexical`, or `{ provider: openai | ollama, model: <embedding model> }` with optional baseURL, apiKeyEnv, host',
  },
);

const cacheConfig = z.strictObject({
  /** Keeps tenants or jobs apart. */
  namespace: z.string().min(1).default('default'),
  /** A folder for the persistent store, relative to the cascade file; memory only when omitted. */
  store: z.string().min(1).optional(),
  ttlSeconds: z.number().positive().optional(),
  maxEntries: z.number().int().positive().default(100_000),
  exact: z.boolean().default(true),
  semantic: z
    .strictObject({
      embedder: embedderConfig.default('local'),
      /** Cosine similarity a hit needs, before the guards have their say. */
      threshold: z.number().min(0).max(1).default(0.9),
    })
    .optional(),
});

const jsonSchemaGate = z.strictObject({
  type: z.literal('json-schema'),
  /** The schema inline, or a path to a JSON file relative to the cascade file. */
  schema: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

const confidenceGate = z.strictObject({
  type: z.literal('confidence'),
  source: z.enum(['auto', 'logprobs', 'self-report']).default('auto'),
  min: z.number().min(0).max(1),
});

const judgeGate = z.strictObject({
  type: z.literal('judge'),
  ...modelEndpoint,
  rubric: z.string().min(1),
  min: z.number().min(1).max(10).default(7),
});

const regexGate = z.strictObject({
  type: z.literal('regex'),
  pattern: z.string().min(1),
  flags: z
    .string()
    .regex(/^[dgimsuvy]*$/)
    .optional(),
  /** Pass when the pattern does NOT match. */
  negate: z.boolean().default(false),
});

const containsGate = z.strictObject({
  type: z.literal('contains'),
  /** Passes when the answer contains any of these. */
  text: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  caseSensitive: z.boolean().default(false),
  negate: z.boolean().default(false),
});

const customGate = z.strictObject({
  type: z.literal('custom'),
  /** A module (path relative to the cascade file) whose default export is a Gate or a factory of one. */
  module: z.string().min(1),
  options: z.record(z.string(), z.unknown()).optional(),
});

const answerComparison = z.enum(['auto', 'letter', 'number', 'text', 'json']);

const agreementGate = z.strictObject({
  type: z.literal('agreement'),
  compare: answerComparison.default('auto'),
});

/** An agent step's tool calls name offered tools and satisfy their schemas. */
const toolCallGate = z.strictObject({
  type: z.literal('tool-call'),
  /** Fail an answer that calls no tool. */
  require: z.boolean().default(false),
  /** Fail an answer that calls any tool. */
  forbid: z.boolean().default(false),
});

const learnedGate = z.strictObject({
  type: z.literal('learned'),
  /** The classifier file `cascade tune` wrote, relative to the cascade file. */
  classifiers: z.string().min(1),
  min: z.number().min(0).max(1),
});

export const gateConfigSchema = z.discriminatedUnion('type', [
  jsonSchemaGate,
  confidenceGate,
  judgeGate,
  regexGate,
  containsGate,
  customGate,
  agreementGate,
  learnedGate,
  toolCallGate,
]);

/** A start rule: requests that match `when` start at tier `start`, or run only on the tiers in `only`. */
const routeRuleSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    when: z.strictObject({
      /** A regular expression (RE2: linear time) on the last user message. */
      pattern: z.string().min(1).optional(),
      flags: z.string().optional(),
      minTokens: z.number().int().min(0).optional(),
      maxTokens: z.number().int().min(0).optional(),
      hasSchema: z.boolean().optional(),
      hasTools: z.boolean().optional(),
      /** A small model labels the request; the rule holds when its label is one of `is`. Its call's cost counts. */
      classifier: z
        .strictObject({
          ...modelEndpoint,
          labels: z.array(z.string().regex(/^[\p{L}\p{N}_-]+$/u, 'a label is one word')).min(2),
          is: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
        })
        .optional(),
    }),
    start: z.string().min(1).optional(),
    only: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((rule) => (rule.start === undefined) !== (rule.only === undefined), {
    message: 'a route rule takes exactly one of `start: <tier>` or `only: [tiers]`',
  });

export const tierConfigSchema = z.strictObject({
  name: z.string().min(1),
  ...modelEndpoint,
  gates: z.array(gateConfigSchema).default([]),
  /** A tier whose answer is never accepted on its own: it is asked so that the next tier's agreement gate has a second opinion. */
  witness: z.boolean().default(false),
  /** Compression before this tier's call, instead of the cascade's `compress`. */
  compress: z.array(compressStepSchema).optional(),
});

/** What `--offline` runs each cloud tier on: a local model on Ollama. */
const offlineConfig = z.strictObject({
  /** The local model for every cloud tier and judge without one of its own. @default llama3.2:3b */
  model: z.string().min(1).optional(),
  /** The Ollama server; must be loopback. @default OLLAMA_HOST, else http://127.0.0.1:11434 */
  host: z.string().optional(),
  /** Per tier: tier name → local model. */
  tiers: z.record(z.string(), z.string().min(1)).optional(),
});

export const cascadeConfigSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    /** A system message for requests that bring none: the job's instructions live with the cascade. */
    system: z.string().min(1).optional(),
    tiers: z.array(tierConfigSchema).min(1),
    onExhausted: z.enum(['accept-last', 'best-score', 'fail']).default('accept-last'),
    /** Start rules, tried in order: the first that matches a request picks the tiers it runs on. */
    route: z.array(routeRuleSchema).optional(),
    budget: z
      .strictObject({
        /** What one item may spend. */
        perItemUsd: z.number().positive().optional(),
        /** What a `cascade run` may spend in all (`--budget-usd` overrides it). */
        runUsd: z.number().nonnegative().optional(),
        /** Reach for fewer tiers as the run budget runs down faster than the items (as `--downshift`). */
        downshift: z.boolean().optional(),
      })
      .refine((budget) => budget.perItemUsd !== undefined || budget.runUsd !== undefined, {
        message: 'a budget takes `perItemUsd`, `runUsd` or both',
      })
      .refine((budget) => !budget.downshift || budget.runUsd !== undefined, {
        message: '`downshift` shifts down as the run budget runs out: give `runUsd` too',
        path: ['downshift'],
      })
      .optional(),
    retry: z
      .strictObject({
        baseDelayMs: z.number().nonnegative().optional(),
        maxDelayMs: z.number().nonnegative().optional(),
        maxRetryAfterMs: z.number().nonnegative().optional(),
      })
      .optional(),
    offline: offlineConfig.optional(),
    cache: cacheConfig.optional(),
    /** Compression before every tier's call (a tier's own `compress` replaces it). */
    compress: z.array(compressStepSchema).optional(),
    circuitBreaker: z
      .strictObject({
        failureThreshold: z.number().int().positive().optional(),
        cooldownMs: z.number().nonnegative().optional(),
      })
      .optional(),
  })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    config.tiers.forEach((tier, index) => {
      if (seen.has(tier.name)) {
        context.addIssue({
          code: 'custom',
          path: ['tiers', index, 'name'],
          message: `Tier names must be unique; "${tier.name}" is used twice`,
        });
      }
      seen.add(tier.name);
    });
    for (const name of Object.keys(config.offline?.tiers ?? {})) {
      if (!seen.has(name))
        context.addIssue({
          code: 'custom',
          path: ['offline', 'tiers', name],
          message: `No tier is named "${name}"; the tiers are ${[...seen].map((tier) => `"${tier}"`).join(', ')}`,
        });
    }
  });

export type CascadeConfig = z.infer<typeof cascadeConfigSchema>;
export type TierConfig = z.infer<typeof tierConfigSchema>;
export type GateConfig = z.infer<typeof gateConfigSchema>;
export type CacheConfig = z.infer<typeof cacheConfig>;
// The file's steps are exactly the engine's: a drift between the two fails to compile here.
const compressStepsMatch: [z.infer<typeof compressStepSchema>, CompressStep] extends [
  CompressStep,
  z.infer<typeof compressStepSchema>,
]
  ? true
  : never = true;
void compressStepsMatch;
export type { CompressStep };
export type OfflineConfig = z.infer<typeof offlineConfig>;
export type JudgeGateConfig = z.infer<typeof judgeGate>;
export type ModelEndpointConfig = Pick<TierConfig, keyof typeof modelEndpoint>;
/** What a user writes: defaults not yet applied. */
export type CascadeConfigInput = z.input<typeof cascadeConfigSchema>;
