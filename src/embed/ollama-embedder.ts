import type { Environment } from '../spec/environment.js';
import { UnexpectedResponseError } from '../errors/index.js';
import { mapOllamaError, ollamaClient, ollamaHost } from '../providers/ollama-client.js';
import { normalizeVector, type Embedder } from '../spec/embedder.js';

export interface OllamaEmbedderOptions {
  model: string;
  host?: string;
  env?: Environment;
  fetch?: typeof fetch;
}

/** Embeddings from a local model through Ollama's `/api/embed` (e.g. `nomic-embed-text`). */
export function createOllamaEmbedder(options: OllamaEmbedderOptions): Embedder {
  const host = ollamaHost(options.host, options.env);
  return {
    specificationVersion: 'v1',
    name: `ollama:${options.model}`,
    async embed(texts, call = {}) {
      let embeddings: number[][];
      let inputTokens: number | undefined;
      try {
        const response = await (await ollamaClient(host, options.fetch, call.signal)).embed({
          model: options.model,
          input: [...texts],
        });
        embeddings = response.embeddings;
        inputTokens = (response as { prompt_eval_count?: number }).prompt_eval_count;
      } catch (error) {
        throw mapOllamaError(error, options.model, host);
      }
      if (!Array.isArray(embeddings) || embeddings.length !== texts.length) {
        throw new UnexpectedResponseError(
          `ollama ${options.model}: /api/embed returned ${Array.isArray(embeddings) ? embeddings.length : 'no'} embeddings for ${texts.length} inputs`,
        );
      }
      // A local model: free.
      return {
        vectors: embeddings.map((vector) => normalizeVector(vector)),
        costUsd: 0,
        ...(inputTokens !== undefined && { inputTokens }),
      };
    },
  };
}
