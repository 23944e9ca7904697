import type { Provider } from '../spec/provider.js';
import { createAnthropicProvider } from './anthropic.js';
import type { EndpointOptions } from './endpoint-options.js';
import { createOllamaProvider, type OllamaProviderOptions } from './ollama.js';
import { createOpenAIProvider } from './openai.js';

type Shorthand<T extends EndpointOptions> = Omit<T, 'model' | 'label'> & { label?: string };

/** An OpenAI (or OpenAI-compatible, with `baseURL`) model for a cascade in code. Key from OPENAI_API_KEY. */
export function openai(model: string, options: Shorthand<EndpointOptions> = {}): Provider {
  return createOpenAIProvider({ label: model, ...options, model });
}

/** An Anthropic model for a cascade in code. Key from ANTHROPIC_API_KEY. */
export function anthropic(model: string, options: Shorthand<EndpointOptions> = {}): Provider {
  return createAnthropicProvider({ label: model, ...options, model });
}

/** A local Ollama model for a cascade in code (OLLAMA_HOST, else http://127.0.0.1:11434). */
export function ollama(model: string, options: Shorthand<OllamaProviderOptions> = {}): Provider {
  return createOllamaProvider({ label: model, ...options, model });
}
