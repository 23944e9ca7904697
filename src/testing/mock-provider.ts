import { ProviderError } from '../errors/index.js';
import type { Completion } from '../spec/completion.js';
import type { Provider, ProviderCallOptions } from '../spec/provider.js';
import type { CascadeRequest } from '../spec/request.js';

/** What a mock answers: a text, a partial completion, an error to throw, or a function of the request. */
export type MockAnswer =
  | string
  | Partial<Completion>
  | Error
  | ((request: CascadeRequest, call: number) => string | Partial<Completion> | Promise<string | Partial<Completion>>);

export interface MockProviderOptions {
  model: string;
  /** @default 'mock' */
  name?: string;
  /** One answer for every call, or one per call in order (the last repeats). */
  answers: MockAnswer | readonly MockAnswer[];
  /** Cost of each answer that sets none. @default 0 */
  costUsd?: number;
  /** Latency reported for each answer that sets none. @default 0 */
  latencyMs?: number;
}

/** One call the mock received. */
export interface MockCall {
  request: CascadeRequest;
  signal?: AbortSignal;
}

/**
 * A provider that answers from a script and records every call, for unit tests of code built on the
 * engine (the network edge is where the project's own tests use loopback servers instead). Errors it is
 * given are thrown as they are, so a `ProviderError` with `isRetryable` exercises the retry policy.
 */
export class MockProvider implements Provider {
  readonly specificationVersion = 'v1';
  readonly name: string;
  readonly model: string;
  readonly calls: MockCall[] = [];
  private readonly answers: readonly MockAnswer[];

  constructor(private readonly options: MockProviderOptions) {
    this.name = options.name ?? 'mock';
    this.model = options.model;
    this.answers = Array.isArray(options.answers) ? options.answers : [options.answers as MockAnswer];
    if (this.answers.length === 0) throw new RangeError('MockProvider needs at least one answer');
  }

  async complete(request: CascadeRequest, options: ProviderCallOptions = {}): Promise<Completion> {
    const call = this.calls.length;
    this.calls.push({ request, ...(options.signal && { signal: options.signal }) });
    if (options.signal?.aborted) throw new ProviderError('aborted', { isRetryable: false });
    const scripted = this.answers[Math.min(call, this.answers.length - 1)]!;
    if (scripted instanceof Error) throw scripted;
    const answer = typeof scripted === 'function' ? await scripted(request, call) : scripted;
    const partial = typeof answer === 'string' ? { text: answer } : answer;
    return {
      text: '',
      model: this.model,
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: this.options.costUsd ?? 0,
      latencyMs: this.options.latencyMs ?? 0,
      ...partial,
    };
  }
}
