import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  SharedV3Warning,
} from '@ai-sdk/provider';
import { traceUsage } from '../common/trace-usage.js';
import { loadCascadeFile } from '../config/load-cascade.js';
import type { Cascade } from '../engine/cascade.js';
import type { CascadeRequest, ChatMessage, RequestParams } from '../spec/request.js';
import type { CascadeResult } from '../spec/result.js';
import type { ToolCall, ToolChoice, ToolDefinition } from '../spec/tools.js';

/** A tool result as the text of a tool turn: text as it is, anything else as JSON. */
function toolResultText(output: { type: string; value?: unknown; reason?: string }): string {
  if (output.type === 'text' || output.type === 'error-text') return String(output.value ?? '');
  if (output.type === 'execution-denied') return `execution denied${output.reason ? `: ${output.reason}` : ''}`;
  return JSON.stringify(output.value ?? null);
}

/** The AI SDK's prompt as cascade messages: text, tool calls and tool results kept; file parts refused with a warning. */
function messagesOf(prompt: LanguageModelV3Prompt, warnings: SharedV3Warning[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const message of prompt) {
    if (message.role === 'system') {
      messages.push({ role: 'system', content: message.content });
      continue;
    }
    if (message.role === 'tool') {
      for (const part of message.content) {
        if (part.type !== 'tool-result') continue;
        messages.push({ role: 'tool', toolCallId: part.toolCallId, content: toolResultText(part.output) });
      }
      continue;
    }
    const texts: string[] = [];
    const toolCalls: ToolCall[] = [];
    for (const part of message.content) {
      if (part.type === 'text') texts.push(part.text);
      else if (part.type === 'tool-call')
        toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: parsedInput(part.input) });
      else
        warnings.push({
          type: 'other',
          message: `a ${part.type} part was left out: a cascade takes text and tool calls`,
        });
    }
    messages.push({ role: message.role, content: texts.join(''), ...(toolCalls.length > 0 && { toolCalls }) });
  }
  return messages;
}

/** A tool call's input as an object when it is JSON text (the AI SDK passes either). */
function parsedInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

/** The AI SDK's function tools and tool choice as the request's; provider tools are left out with a warning. */
function toolsOf(
  options: LanguageModelV3CallOptions,
  warnings: SharedV3Warning[],
): Pick<CascadeRequest, 'tools' | 'toolChoice'> {
  const tools: ToolDefinition[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type === 'function')
      tools.push({
        name: tool.name,
        ...(tool.description !== undefined && { description: tool.description }),
        parameters: tool.inputSchema as Record<string, unknown>,
      });
    else warnings.push({ type: 'unsupported', feature: `provider tool ${tool.name}` });
  }
  if (tools.length === 0) return {};
  const choice = options.toolChoice;
  const toolChoice: ToolChoice | undefined =
    choice === undefined ? undefined : choice.type === 'tool' ? { name: choice.toolName } : choice.type;
  return { tools, ...(toolChoice !== undefined && { toolChoice }) };
}

function requestOf(options: LanguageModelV3CallOptions, warnings: SharedV3Warning[]): CascadeRequest {
  const params: RequestParams = {};
  if (options.temperature !== undefined) params.temperature = options.temperature;
  if (options.topP !== undefined) params.topP = options.topP;
  if (options.maxOutputTokens !== undefined) params.maxTokens = options.maxOutputTokens;
  if (options.stopSequences !== undefined) params.stop = options.stopSequences;
  const request: CascadeRequest = {
    messages: messagesOf(options.prompt, warnings),
    ...(Object.keys(params).length > 0 && { params }),
    ...toolsOf(options, warnings),
  };
  // generateObject's schema becomes the output schema: an answer that breaks it escalates.
  if (options.responseFormat?.type === 'json' && options.responseFormat.schema) {
    request.outputSchema = options.responseFormat.schema as Record<string, unknown>;
  }
  return request;
}

/** The answer's tool calls as the AI SDK's content parts (input as JSON text, as the specification has it). */
function toolCallParts(result: CascadeResult) {
  return (result.toolCalls ?? []).map((call) => ({
    type: 'tool-call' as const,
    toolCallId: call.id,
    toolName: call.name,
    input: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
  }));
}

const finishOf = (result: CascadeResult) => ({
  unified: result.toolCalls?.length ? ('tool-calls' as const) : ('stop' as const),
  raw: result.stop,
});

function usageOf(result: CascadeResult): LanguageModelV3Usage {
  const { input, output } = traceUsage(result);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

/** What the cascade did, as `providerMetadata.cascade`: tier, model, cost, stop reason and the trace. */
function metadataOf(result: CascadeResult) {
  return {
    cascade: {
      tier: result.tier ?? null,
      model: result.model ?? null,
      costUsd: result.costUsd,
      stop: result.stop,
      ...(result.message !== undefined && { message: result.message }),
      trace: JSON.parse(JSON.stringify(result.trace)),
    },
  };
}

/**
 * A cascade as a language model of the Vercel AI SDK (specification v3, `ai` 6): `generateText`,
 * `streamText` and `generateObject` run through the cascade. `usage` sums every attempt; the result's
 * `providerMetadata.cascade` says which tier answered and what it cost. A streamed answer is sent once its
 * tier's gates passed, so no rejected draft is ever streamed.
 */
export function cascadeModel(source: Cascade | string): LanguageModelV3 {
  let loaded: Promise<Cascade> | undefined;
  const cascade = () => {
    loaded ??= typeof source === 'string' ? loadCascadeFile(source) : Promise.resolve(source);
    return loaded;
  };
  const answer = async (options: LanguageModelV3CallOptions) => {
    const warnings: SharedV3Warning[] = [];
    const request = requestOf(options, warnings);
    const result = await (await cascade()).run(request, options.abortSignal ? { signal: options.abortSignal } : {});
    if (result.text === undefined) {
      throw new Error(`the cascade gave no answer: ${result.message ?? result.stop}`);
    }
    return { result, warnings };
  };
  return {
    specificationVersion: 'v3',
    provider: 'frugal-cascade',
    modelId: typeof source === 'string' ? source : source.name,
    supportedUrls: {},
    async doGenerate(options): Promise<LanguageModelV3GenerateResult> {
      const { result, warnings } = await answer(options);
      return {
        content: [...(result.text ? [{ type: 'text' as const, text: result.text }] : []), ...toolCallParts(result)],
        finishReason: finishOf(result),
        usage: usageOf(result),
        providerMetadata: metadataOf(result),
        response: { ...(result.model !== undefined && { modelId: result.model }), timestamp: new Date() },
        warnings,
      };
    },
    async doStream(options) {
      const { result, warnings } = await answer(options);
      const parts: LanguageModelV3StreamPart[] = [
        { type: 'stream-start', warnings },
        {
          type: 'response-metadata',
          ...(result.model !== undefined && { modelId: result.model }),
          timestamp: new Date(),
        },
        ...(result.text
          ? ([
              { type: 'text-start', id: 'answer' },
              { type: 'text-delta', id: 'answer', delta: result.text },
              { type: 'text-end', id: 'answer' },
            ] as const)
          : []),
        ...toolCallParts(result),
        {
          type: 'finish',
          usage: usageOf(result),
          finishReason: finishOf(result),
          providerMetadata: metadataOf(result),
        },
      ];
      return {
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  };
}
