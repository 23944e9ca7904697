import type { Environment } from '../spec/environment.js';
import type { Ollama } from 'ollama';
import { statusError, ConnectionError, MalformedResponseError, ProviderError } from '../errors/index.js';
import { nodeHttpFetch } from './node-http-fetch.js';

export const defaultOllamaHost = 'http://127.0.0.1:11434';

/** The server address: the tier's `host`, else OLLAMA_HOST, else Ollama's default. */
export function ollamaHost(host: string | undefined, env: Environment = process.env): string {
  return host ?? (env['OLLAMA_HOST'] || defaultOllamaHost);
}

/** An official client for one call. It takes no per-request signal for non-streaming calls; its fetch hook carries ours. */
export async function ollamaClient(
  host: string,
  transport: typeof fetch = nodeHttpFetch,
  signal?: AbortSignal,
): Promise<Ollama> {
  // Imported at the first call, not when the library loads.
  ollamaModule ??= import('ollama');
  const { Ollama: Client } = await ollamaModule;
  return new Client({ host, fetch: (input, init) => transport(input, signal ? { ...init, signal } : init) });
}

let ollamaModule: Promise<typeof import('ollama')> | undefined;

/** Ollama client failures as the engine's errors, naming `ollama pull` and OLLAMA_HOST where they are the fix. */
export function mapOllamaError(error: unknown, model: string, host: string): unknown {
  const status = (error as { status_code?: unknown })?.status_code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status === 'number') {
    if (status === 404 && /not found/i.test(message)) {
      return new ProviderError(
        `ollama: model "${model}" is not on the server at ${host}. Run \`ollama pull ${model}\` there, or name a model that \`ollama list\` shows.`,
        { isRetryable: false, statusCode: 404 },
      );
    }
    return statusError(`ollama ${model}: ${message}`, { statusCode: status });
  }
  if ((error as { name?: string })?.name === 'AbortError') return error;
  if (error instanceof SyntaxError) return new MalformedResponseError(`ollama ${model}: ${message}`);
  if (error instanceof TypeError) {
    return new ConnectionError(
      `ollama: cannot reach the server at ${host} (${message}). Start it with \`ollama serve\`, or set OLLAMA_HOST (or the tier's host) to where it runs.`,
    );
  }
  return error;
}
