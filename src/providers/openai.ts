import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { UnexpectedResponseError } from '../errors/index.js';
import { pricingOnFirstUse } from '../pricing/price-table.js';
import type { Completion } from '../spec/completion.js';
import type { Provider, ProviderCallOptions } from '../spec/provider.js';
import type { CascadeRequest } from '../spec/request.js';
import { countMessageTokens, countTokens } from '../tokens/count-tokens.js';
import type { EndpointOptions } from './endpoint-options.js';
import { collectStream } from './collect-stream.js';
import { completionOf } from './completion-of.js';
import { requestOptions } from './request-options.js';
import { openAIMessages, openAITools, openAIToolCalls } from './tool-wire.js';
import { mapSdkError } from './map-sdk-error.js';
import { loadOpenAI } from './sdk-modules.js';
import { nodeHttpFetch } from './node-http-fetch.js';
import { chatPostTarget, postChatCompletion, type ChatPostTarget } from './openai-chat-post.js';
import { apiKeyVariable, readApiKey } from './read-api-key.js';

/**
 * OpenAI chat completions, or any endpoint that speaks the protocol (`baseURL`).
 * Without `baseURL` the key comes from `apiKeyEnv` (default OPENAI_API_KEY); with one, a key is
 * required only when `apiKeyEnv` is given, since local servers usually take none.
 */
export function createOpenAIProvider(options: EndpointOptions): Provider {
  const pricing = pricingOnFirstUse('openai', options.model, options.pricing);
  let client: OpenAI | undefined;
  let apiKey: string | undefined;
  let sdk: typeof OpenAI | undefined;
  /** Where a whole (not streamed) answer is posted, read from the client once. */
  let chatPost: ChatPostTarget | undefined;

  async function getClient(): Promise<OpenAI> {
    if (client) return client;
    const [loaded, { VERSION }] = await Promise.all([loadOpenAI(), import('openai/version')]);
    sdk = loaded;
    const variable = apiKeyVariable('openai', options.apiKeyEnv, options.baseURL);
    apiKey = variable ? readApiKey(variable, options.label, options.env) : 'no-key';
    const fetcher = options.fetch ?? nodeHttpFetch;
    client = new sdk({ apiKey, baseURL: options.baseURL ?? null, maxRetries: 0, fetch: fetcher });
    chatPost = chatPostTarget(client, sdk, VERSION, fetcher);
    return client;
  }

  // One function for the provider, not a closure per call (each lived through the call's wait).
  const failed = (error: unknown) =>
    mapSdkError(error, sdk!, `openai ${options.model}`, apiKey, options.baseURL ?? 'https://api.openai.com/v1');

  return {
    specificationVersion: 'v1',
    name: 'openai',
    model: options.model,
    async complete(request: CascadeRequest, call: ProviderCallOptions = {}): Promise<Completion> {
      const openai = client ?? (await getClient());
      const body: ChatCompletionCreateParamsNonStreaming = {
        model: options.model,
        messages: openAIMessages(request.messages) as ChatCompletionCreateParamsNonStreaming['messages'],
        ...(openAITools(request) as Partial<ChatCompletionCreateParamsNonStreaming>),
      };
      const params = request.params ?? {};
      if (params.temperature !== undefined) body.temperature = params.temperature;
      if (params.topP !== undefined) body.top_p = params.topP;
      if (params.stop !== undefined) body.stop = params.stop;
      if (params.maxTokens !== undefined) {
        // OpenAI's reasoning models accept only max_completion_tokens; compatible servers know max_tokens.
        if (options.baseURL) body.max_tokens = params.maxTokens;
        else body.max_completion_tokens = params.maxTokens;
      }
      if (params.logprobs) body.logprobs = true;
      if (request.outputSchema) {
        body.response_format = { type: 'json_schema', json_schema: { name: 'answer', schema: request.outputSchema } };
      }
      const started = performance.now();
      // Streamed when asked for, except what only a whole answer carries (tool calls, log-probabilities).
      if (call.onDelta && !request.tools?.length && !params.logprobs) {
        let streamed: Awaited<ReturnType<typeof collectStream>>;
        try {
          const stream = await openai.chat.completions.create(
            { ...body, stream: true, stream_options: { include_usage: true } },
            requestOptions(call),
          );
          streamed = await collectStream(stream, call.onDelta, (chunk) => ({
            text: chunk.choices?.[0]?.delta?.content ?? undefined,
            inputTokens: chunk.usage?.prompt_tokens,
            outputTokens: chunk.usage?.completion_tokens,
          }));
        } catch (error) {
          throw failed(error);
        }
        return completionOf({
          ...streamed,
          model: options.model,
          request,
          label: `openai ${options.model}`,
          allowEmpty: options.allowEmpty,
          pricing: pricing(),
          latencyMs: performance.now() - started,
        });
      }
      let response: OpenAI.Chat.Completions.ChatCompletion;
      try {
        response = (await postChatCompletion(chatPost!, body, call)) as OpenAI.Chat.Completions.ChatCompletion;
      } catch (error) {
        throw failed(error);
      }
      const latencyMs = performance.now() - started;
      const choice = response?.choices?.[0];
      const toolCalls = openAIToolCalls(choice?.message?.tool_calls);
      // An answer that is only tool calls has no content.
      const text = choice?.message?.content ?? (toolCalls ? '' : undefined);
      if (typeof text !== 'string') {
        throw new UnexpectedResponseError(`openai ${options.model}: the response has no choices[0].message.content`);
      }
      return completionOf({
        text,
        toolCalls,
        model: options.model,
        request,
        label: `openai ${options.model}`,
        allowEmpty: options.allowEmpty,
        inputTokens: response.usage?.prompt_tokens,
        outputTokens: response.usage?.completion_tokens,
        pricing: pricing(),
        latencyMs,
        logprobs: choice?.logprobs?.content?.map((token) => token.logprob),
      });
    },
  };
}
