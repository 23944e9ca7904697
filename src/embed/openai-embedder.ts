import type { Environment } from '../spec/environment.js';
import type OpenAI from 'openai';
import { UnexpectedResponseError } from '../errors/index.js';
import { mapSdkError } from '../providers/map-sdk-error.js';
import { loadOpenAI } from '../providers/sdk-modules.js';
import { nodeHttpFetch } from '../providers/node-http-fetch.js';
import { apiKeyVariable, readApiKey } from '../providers/read-api-key.js';
import { normalizeVector, type Embedder } from '../spec/embedder.js';

export interface OpenAIEmbedderOptions {
  /** @default text-embedding-3-small */
  model?: string;
  baseURL?: string;
  apiKeyEnv?: string;
  env?: Environment;
  fetch?: typeof fetch;
  /** Price per million input tokens, for models the table below lacks. */
  inputPerMTok?: number;
}

/** OpenAI's embedding prices per million input tokens (public price list, 2025-11-01). */
const embeddingPrices: Record<string, number> = {
  'text-embedding-3-small': 0.02,
  'text-embedding-3-large': 0.13,
  'text-embedding-ada-002': 0.1,
};

/** Embeddings through OpenAI's `/v1/embeddings`, or any endpoint that speaks it. The key is read at the first call. */
export function createOpenAIEmbedder(options: OpenAIEmbedderOptions = {}): Embedder {
  const model = options.model ?? 'text-embedding-3-small';
  let client: OpenAI | undefined;
  let apiKey: string | undefined;
  let sdk: typeof OpenAI | undefined;
  return {
    specificationVersion: 'v1',
    name: `openai:${model}`,
    async embed(texts, call = {}) {
      if (!client) {
        const variable = apiKeyVariable('openai', options.apiKeyEnv, options.baseURL);
        apiKey = variable ? readApiKey(variable, 'the semantic cache embedder', options.env) : 'no-key';
        sdk = await loadOpenAI();
        client = new sdk({
          apiKey,
          baseURL: options.baseURL ?? null,
          maxRetries: 0,
          fetch: options.fetch ?? nodeHttpFetch,
        });
      }
      let response: OpenAI.CreateEmbeddingResponse;
      try {
        response = await client.embeddings.create(
          { model, input: [...texts], encoding_format: 'float' },
          call.signal ? { signal: call.signal } : undefined,
        );
      } catch (error) {
        throw mapSdkError(error, sdk!, `openai ${model}`, apiKey, options.baseURL ?? 'https://api.openai.com/v1');
      }
      const ordered = [...(response?.data ?? [])].sort((a, b) => a.index - b.index);
      if (ordered.length !== texts.length)
        throw new UnexpectedResponseError(`openai ${model}: ${ordered.length} embeddings for ${texts.length} inputs`);
      const inputTokens = response.usage?.prompt_tokens ?? 0;
      return {
        vectors: ordered.map((entry) => normalizeVector(entry.embedding)),
        inputTokens,
        costUsd: (inputTokens * (options.inputPerMTok ?? embeddingPrices[model] ?? 0)) / 1e6,
      };
    },
  };
}
