import type { ChatRequest, ChatResponse } from 'ollama';
import { UnexpectedResponseError } from '../errors/index.js';
import { pricingOnFirstUse } from '../pricing/price-table.js';
import type { Completion } from '../spec/completion.js';
import type { Provider, ProviderCallOptions } from '../spec/provider.js';
import type { CascadeRequest } from '../spec/request.js';
import type { EndpointOptions } from './endpoint-options.js';
import { collectStream } from './collect-stream.js';
import { completionOf } from './completion-of.js';
import { ollamaMessages, ollamaToolCalls } from './tool-wire.js';
import { mapOllamaError, ollamaClient, ollamaHost } from './ollama-client.js';

export interface OllamaProviderOptions extends EndpointOptions {
  /** Server address; else OLLAMA_HOST, else http://127.0.0.1:11434. */
  host?: string;
}

/** A local model behind Ollama's `/api/chat`, through the official `ollama` client. Free unless priced. */
export function createOllamaProvider(options: OllamaProviderOptions): Provider {
  const host = ollamaHost(options.host, options.env);
  const pricing = pricingOnFirstUse('ollama', options.model, options.pricing);

  return {
    specificationVersion: 'v1',
    name: 'ollama',
    model: options.model,
    async complete(request: CascadeRequest, call: ProviderCallOptions = {}): Promise<Completion> {
      const client = await ollamaClient(host, options.fetch, call.signal);
      const params = request.params ?? {};
      const body: ChatRequest & { stream: false } = {
        model: options.model,
        messages: ollamaMessages(request.messages) as NonNullable<ChatRequest['messages']>,
        stream: false,
        options: {},
      };
      if (params.temperature !== undefined) body.options!.temperature = params.temperature;
      if (params.topP !== undefined) body.options!.top_p = params.topP;
      if (params.maxTokens !== undefined) body.options!.num_predict = params.maxTokens;
      if (params.stop !== undefined) body.options!.stop = params.stop;
      if (params.logprobs) body.logprobs = true;
      if (request.outputSchema) body.format = request.outputSchema;
      if (request.tools?.length) {
        body.tools = request.tools.map((tool) => ({
          type: 'function',
          function: { name: tool.name, description: tool.description ?? '', parameters: tool.parameters },
        })) as NonNullable<ChatRequest['tools']>;
      }
      const started = performance.now();
      // Streamed when asked for, except what only a whole answer carries (tool calls, log-probabilities).
      if (call.onDelta && !request.tools?.length && !params.logprobs) {
        let streamed: Awaited<ReturnType<typeof collectStream>>;
        try {
          streamed = await collectStream(await client.chat({ ...body, stream: true }), call.onDelta, (chunk) => ({
            text: chunk.message?.content,
            inputTokens: chunk.prompt_eval_count,
            outputTokens: chunk.eval_count,
          }));
        } catch (error) {
          throw mapOllamaError(error, options.model, host);
        }
        return completionOf({
          ...streamed,
          model: options.model,
          request,
          label: `ollama ${options.model}`,
          allowEmpty: options.allowEmpty,
          pricing: pricing(),
          latencyMs: performance.now() - started,
        });
      }
      let response: ChatResponse;
      try {
        response = await client.chat(body);
      } catch (error) {
        throw mapOllamaError(error, options.model, host);
      }
      const latencyMs = performance.now() - started;
      const toolCalls = ollamaToolCalls(response?.message?.tool_calls);
      const text = response?.message?.content ?? (toolCalls ? '' : undefined);
      if (typeof text !== 'string') {
        throw new UnexpectedResponseError(`ollama ${options.model}: the response has no message.content`);
      }
      return completionOf({
        text,
        toolCalls,
        model: options.model,
        request,
        label: `ollama ${options.model}`,
        allowEmpty: options.allowEmpty,
        inputTokens: response.prompt_eval_count,
        outputTokens: response.eval_count,
        pricing: pricing(),
        latencyMs,
        logprobs: response.logprobs?.map((token) => token.logprob),
      });
    },
  };
}
