import { traceUsage } from '../common/trace-usage.js';
import type { CascadeResult } from '../spec/result.js';

/** What the answer cost in tokens, over every attempt (judges included), as OpenAI's `usage`. */
export function usageOf(result: CascadeResult): {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
} {
  const { input, output } = traceUsage(result);
  return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
}

/** The cascade's own account of the answer, in the `cascade` field and the `x-cascade-*` headers. */
export function cascadeField(result: CascadeResult, cascade: string, traceId: string) {
  return {
    cascade,
    tier: result.tier ?? null,
    cost_usd: result.costUsd,
    stop: result.stop,
    trace_id: traceId,
    ...(result.message !== undefined && { message: result.message }),
    ...(result.cache && { cache: result.cache.kind }),
    trace: result.trace,
  };
}

export function cascadeHeaders(result: CascadeResult, traceId: string): Record<string, string> {
  return {
    'x-cascade-tier': result.tier ?? '',
    'x-cascade-model': result.model ?? '',
    'x-cascade-cost-usd': String(result.costUsd),
    'x-cascade-stop': result.stop,
    'x-cascade-trace-id': traceId,
  };
}

/** A standard chat completion whose `model` is the model that answered. */
export function chatCompletion(result: CascadeResult, cascade: string, id: string, created: number) {
  return {
    id,
    object: 'chat.completion' as const,
    created,
    model: result.model ?? cascade,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: result.text ?? '', refusal: null },
        logprobs: null,
        finish_reason: 'stop' as const,
      },
    ],
    usage: usageOf(result),
    cascade: cascadeField(result, cascade, id),
  };
}

/** The chunks of one streamed answer, as OpenAI sends them: a role, content pieces, the finish, the usage. */
export class ChunkWriter {
  constructor(
    private readonly id: string,
    private readonly created: number,
    private readonly model: string,
  ) {}

  private base(model = this.model) {
    return { id: this.id, object: 'chat.completion.chunk' as const, created: this.created, model };
  }

  role() {
    return {
      ...this.base(),
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    };
  }

  content(text: string) {
    return { ...this.base(), choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }] };
  }

  finish(result: CascadeResult, cascade: string) {
    return {
      ...this.base(result.model ?? this.model),
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
      cascade: cascadeField(result, cascade, this.id),
    };
  }

  usage(result: CascadeResult) {
    return { ...this.base(result.model ?? this.model), choices: [], usage: usageOf(result) };
  }
}

/** The SSE chunks OpenAI streams for one answer given whole: the role, the content, the finish, and the usage if asked. */
export function completionChunks(
  result: CascadeResult,
  cascade: string,
  id: string,
  created: number,
  includeUsage: boolean,
) {
  const writer = new ChunkWriter(id, created, result.model ?? cascade);
  const chunks: unknown[] = [writer.role(), writer.content(result.text ?? ''), writer.finish(result, cascade)];
  if (includeUsage) chunks.push(writer.usage(result));
  return chunks;
}
