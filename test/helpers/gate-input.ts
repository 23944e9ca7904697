import type { Completion } from '../../src/spec/completion.js';
import type { EarlierAnswer, GateInput } from '../../src/spec/gate.js';

/** What a gate sees for `text`, answered to `prompt`, with optional completion fields and earlier answers. */
export function gateInput(
  text: string,
  options: { prompt?: string; completion?: Partial<Completion>; earlier?: EarlierAnswer[] } = {},
): GateInput {
  return {
    request: { messages: [{ role: 'user', content: options.prompt ?? 'q' }] },
    completion: {
      text,
      model: 'm',
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd: 0,
      latencyMs: 0,
      ...options.completion,
    },
    text,
    tierName: 'local',
    earlier: options.earlier ?? [],
  };
}
