import type Anthropic from '@anthropic-ai/sdk';
import { UnexpectedResponseError } from '../errors/index.js';
import { pricingOnFirstUse } from '../pricing/price-table.js';
import type { Completion } from '../spec/completion.js';
import type { Provider, ProviderCallOptions } from '../spec/provider.js';
import type { CascadeRequest } from '../spec/request.js';
import type { EndpointOptions } from './endpoint-options.js';
import { collectStream } from './collect-stream.js';
import { completionOf } from './completion-of.js';
import { requestOptions } from './request-options.js';
import { anthropicMessages, anthropicTools, anthropicToolCalls } from './tool-wire.js';
import { mapSdkError } from './map-sdk-error.js';
import { loadAnthropic } from './sdk-modules.js';
import { nodeHttpFetch } from './node-http-fetch.js';
import { apiKeyVariable, readApiKey } from './read-api-key.js';

/** The Messages API requires `max_tokens`; this is used when the tier sets none. */
export const anthropicDefaultMaxTokens = 1024;

/** Anthropic's Messages API. The key comes from `apiKeyEnv` (default ANTHROPIC_API_KEY). */
export function createAnthropicProvider(options: EndpointOptions): Provider {
  const pricing = pricingOnFirstUse('anthropic', options.model, options.pricing);
  let client: Anthropic | undefined;
  let apiKey: string | undefined;

  let sdk: typeof Anthropic | undefined;

  async function getClient(): Promise<Anthropic> {
    if (client) return client;
    apiKey = readApiKey(apiKeyVariable('anthropic', options.apiKeyEnv)!, options.label, options.env);
    sdk = await loadAnthropic();
    client = new sdk({
      apiKey,
      baseURL: options.baseURL ?? null,
      maxRetries: 0,
      fetch: options.fetch ?? nodeHttpFetch,
    });
    return client;
  }

  return {
    specificationVersion: 'v1',
    name: 'anthropic',
    model: options.model,
    async complete(request: CascadeRequest, call: ProviderCallOptions = {}): Promise<Completion> {
      const anthropic = await getClient();
      const systemParts = request.messages
        .filter((message) => message.role === 'system')
        .map((message) => message.content);
      if (request.outputSchema) {
        // The Messages API has no portable structured-output switch; state the schema instead.
        systemParts.push(
          `Answer with a single JSON value that satisfies this JSON schema, and nothing else:\n${JSON.stringify(request.outputSchema)}`,
        );
      }
      const params = request.params ?? {};
      const body: Anthropic.MessageCreateParamsNonStreaming = {
        model: options.model,
        max_tokens: params.maxTokens ?? anthropicDefaultMaxTokens,
        messages: anthropicMessages(request.messages) as Anthropic.MessageCreateParamsNonStreaming['messages'],
        ...(anthropicTools(request) as Partial<Anthropic.MessageCreateParamsNonStreaming>),
      };
      if (systemParts.length > 0) body.system = systemParts.join('\n\n');
      // This SDK generation no longer takes temperature or top_p (current Claude models fix sampling).
      if (params.stop !== undefined) body.stop_sequences = params.stop;
      const started = performance.now();
      const failed = (error: unknown) =>
        mapSdkError(error, sdk!, `anthropic ${options.model}`, apiKey, options.baseURL ?? 'https://api.anthropic.com');
      // Streamed when asked for, except tool calls, which only a whole answer carries.
      if (call.onDelta && !request.tools?.length) {
        let streamed: Awaited<ReturnType<typeof collectStream>>;
        try {
          const stream = await anthropic.messages.create({ ...body, stream: true }, requestOptions(call));
          streamed = await collectStream(stream, call.onDelta, (event) =>
            event.type === 'message_start'
              ? { inputTokens: event.message.usage?.input_tokens }
              : event.type === 'content_block_delta' && event.delta.type === 'text_delta'
                ? { text: event.delta.text }
                : event.type === 'message_delta'
                  ? { outputTokens: event.usage?.output_tokens }
                  : {},
          );
        } catch (error) {
          throw failed(error);
        }
        return completionOf({
          ...streamed,
          model: options.model,
          request,
          label: `anthropic ${options.model}`,
          allowEmpty: options.allowEmpty,
          pricing: pricing(),
          latencyMs: performance.now() - started,
        });
      }
      let response: Anthropic.Message;
      try {
        response = await anthropic.messages.create(body, requestOptions(call));
      } catch (error) {
        throw failed(error);
      }
      const latencyMs = performance.now() - started;
      if (!Array.isArray(response?.content)) {
        throw new UnexpectedResponseError(`anthropic ${options.model}: the response has no content array`);
      }
      const blocks = response.content.filter((block): block is Anthropic.TextBlock => block.type === 'text');
      const toolCalls = anthropicToolCalls(response.content);
      // `content: []` is no answer, as a missing message is on OpenAI and Ollama: the item falls back.
      if (blocks.length === 0 && !toolCalls)
        throw new UnexpectedResponseError(`anthropic ${options.model}: the response has no text block`);
      const text = blocks.map((block) => block.text).join('');
      return completionOf({
        text,
        toolCalls,
        model: options.model,
        request,
        label: `anthropic ${options.model}`,
        allowEmpty: options.allowEmpty,
        inputTokens: response.usage?.input_tokens,
        outputTokens: response.usage?.output_tokens,
        pricing: pricing(),
        latencyMs,
      });
    },
  };
}
