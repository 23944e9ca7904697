import { describe, expect, it } from 'vitest';
import { createCascade } from '../../src/config/load-cascade.js';
import type { Gate } from '../../src/spec/gate.js';
import { MockProvider } from '../../src/testing/index.js';
import { traceUsage } from '../../src/common/trace-usage.js';

/** A gate that, like a judge, makes a call of its own and reports its tokens and cost. */
const judgeLike: Gate = {
  specificationVersion: 'v1',
  name: 'judge',
  costRank: 10,
  async check() {
    return { pass: true, score: 9, reason: 'scored 9', costUsd: 0.002, usage: { inputTokens: 300, outputTokens: 20 } };
  },
};

describe("a tier's tokens", () => {
  it("are its model's own; its gates' calls are counted apart, and in the totals", async () => {
    const cascade = await createCascade({
      tiers: [
        {
          name: 'only',
          provider: new MockProvider({
            model: 'm',
            answers: { text: 'answer', usage: { inputTokens: 40, outputTokens: 5 }, costUsd: 0.001 },
          }),
          gates: [judgeLike],
        },
      ],
    });
    const result = await cascade.run({ messages: [{ role: 'user', content: 'q' }] });
    const entry = result.trace[0]!;
    expect(entry.usage).toEqual({ inputTokens: 40, outputTokens: 5 });
    expect(entry.gateUsage).toEqual({ inputTokens: 300, outputTokens: 20 });
    // The cost of the item is the tier's call and its judge's together.
    expect(entry.costUsd).toBeCloseTo(0.003, 12);
    expect(traceUsage(result)).toEqual({ input: 340, output: 25 });
  });
});
