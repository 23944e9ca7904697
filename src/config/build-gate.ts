import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createConfidenceGate } from '../../gates/confidence.js';
import { createContainsGate } from '../../gates/contains.js';
import { loadCustomGate } from '../../gates/custom.js';
import { createJsonSchemaGate } from '../../gates/json-schema.js';
import { createJudgeGate } from '../../gates/judge.js';
import { createAgreementGate } from '../../gates/agreement.js';
import { createToolCallGate } from '../../gates/tool-call.js';
import { createLearnedGate, readLearnedGateFile } from '../../gates/learned.js';
import { createRegexGate } from '../../gates/regex.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../middleware/circuit-breaker.js';
import { callPolicy } from '../middleware/call-policy.js';
import { wrapProvider } from '../middleware/wrap-provider.js';
import type { RetryOptions } from '../middleware/retry-policy.js';
import { ConfigError } from '../errors/index.js';
import { findPricing } from '../pricing/price-table.js';
import { createProvider, type ProviderContext } from './create-provider.js';
import type { Gate } from '../spec/gate.js';
import type { GateConfig, ModelEndpointConfig } from './schema.js';
import type { Provider } from '../spec/provider.js';

/** The cascade's retry policy with an endpoint's own `maxRetries` and `timeoutMs` (a tier's, or a judge's) over it. */
export function endpointRetry(
  retry: RetryOptions,
  endpoint: { maxRetries?: number | undefined; timeoutMs?: number | undefined },
): RetryOptions {
  return {
    ...retry,
    ...(endpoint.maxRetries !== undefined && { maxRetries: endpoint.maxRetries }),
    ...(endpoint.timeoutMs !== undefined && { timeoutMs: endpoint.timeoutMs }),
  };
}

/**
 * The provider of a model a gate or a start rule calls (a judge, a classifier), behind the same stack as
 * a tier's calls: its own circuit breaker, the retry policy and timeout with the endpoint's overrides.
 * A recording that answers from memory is called as it is, as a tier's is (see Cascade's `stackOf`):
 * it has nothing to time out, retry or trip a breaker on.
 */
export function endpointWithPolicy(
  endpoint: ModelEndpointConfig,
  context: ProviderContext,
  retry: RetryOptions,
  breaker: CircuitBreakerOptions,
): Provider {
  const provider = createProvider(endpoint, context);
  if (provider.answersFromMemory) return provider;
  return wrapProvider(provider, callPolicy(context.label, endpointRetry(retry, endpoint), new CircuitBreaker(breaker)));
}

/** Turn one validated gate entry of a cascade file into a Gate; `where` is its path, for errors. */
export async function buildGate(
  config: GateConfig,
  where: string,
  context: Omit<ProviderContext, 'label' | 'where'>,
  retry: RetryOptions,
  breaker: CircuitBreakerOptions,
): Promise<Gate> {
  switch (config.type) {
    case 'json-schema': {
      const schema =
        typeof config.schema === 'string' ? await readSchemaFile(config.schema, where, context.baseDir) : config.schema;
      try {
        return createJsonSchemaGate({ schema });
      } catch (error) {
        throw new ConfigError(`${where}.schema: the JSON schema does not compile: ${(error as Error).message}`, {
          field: 'schema',
        });
      }
    }
    case 'confidence':
      return createConfidenceGate({ source: config.source, min: config.min });
    case 'regex':
      try {
        return createRegexGate({
          pattern: config.pattern,
          negate: config.negate,
          ...(config.flags !== undefined && { flags: config.flags }),
        });
      } catch (error) {
        throw new ConfigError(`${where}.pattern: not a valid regular expression: ${(error as Error).message}`, {
          field: 'pattern',
        });
      }
    case 'contains':
      return createContainsGate(config);
    case 'judge': {
      // The judge's model calls go through the same stack as tier calls (its own circuit breaker, the retry
      // policy and timeout with the judge's overrides), so a judge that hangs ends within its timeout.
      const label = `${where} (judge)`;
      const provider = endpointWithPolicy(config, { ...context, label, where }, retry, breaker);
      const pricing = findPricing(config.provider, config.model, config.pricing);
      return createJudgeGate({ provider, rubric: config.rubric, min: config.min, ...(pricing && { pricing }) });
    }
    case 'agreement':
      return createAgreementGate({ compare: config.compare });
    case 'tool-call':
      return createToolCallGate({ require: config.require, forbid: config.forbid });
    case 'learned': {
      const file = resolve(context.baseDir, config.classifiers);
      try {
        return createLearnedGate({ classifiers: readLearnedGateFile(file), min: config.min });
      } catch (error) {
        throw new ConfigError(
          `${where}.classifiers: cannot read ${config.classifiers} (resolved to ${file}): ${(error as Error).message}. It is written by \`cascade tune\` next to the tuned cascade.`,
          { field: 'classifiers' },
        );
      }
    }
    case 'custom': {
      const modulePath = resolve(context.baseDir, config.module);
      try {
        return await loadCustomGate(modulePath, config.options);
      } catch (error) {
        throw new ConfigError(
          `${where}.module: cannot load a gate from ${config.module} (resolved to ${modulePath}): ${(error as Error).message}`,
          { field: 'module' },
        );
      }
    }
  }
}

async function readSchemaFile(path: string, where: string, baseDir: string): Promise<Record<string, unknown>> {
  const file = resolve(baseDir, path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${where}.schema: cannot read ${path} (resolved to ${file}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give a path relative to the cascade file, or the schema inline.`,
      { field: 'schema' },
    );
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${where}.schema: ${file} is not valid JSON: ${(error as Error).message}`, {
      field: 'schema',
    });
  }
}
