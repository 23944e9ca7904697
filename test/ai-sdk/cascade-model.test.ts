import { generateObject, generateText, streamText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cascadeModel } from '../../src/ai-sdk/index.js';
import { createCascade } from '../../src/config/load-cascade.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { openAIChat } from '../helpers/wire.js';

let small: LoopbackServer | undefined;
let large: LoopbackServer | undefined;
afterEach(async () => {
  await small?.close();
  await large?.close();
});

/** Two OpenAI-protocol tiers on loopback: the small one answers loosely, the large one as asked. */
async function cascade(smallAnswer: string, largeAnswer: string) {
  small = await startLoopbackServer(() => ({
    json: openAIChat(smallAnswer, { promptTokens: 20, completionTokens: 5, model: 'small' }),
  }));
  large = await startLoopbackServer(() => ({
    json: openAIChat(largeAnswer, { promptTokens: 20, completionTokens: 5, model: 'large' }),
  }));
  return createCascade({
    name: 'sdk',
    tiers: [
      {
        name: 'small',
        provider: 'openai',
        model: 'gpt-4o-mini',
        baseURL: `${small.url}/v1`,
        gates: [{ type: 'regex', pattern: '^[A-D]$|^[{]' }],
      },
      { name: 'large', provider: 'openai', model: 'gpt-4o', baseURL: `${large.url}/v1` },
    ],
  });
}

describe('a cascade as an AI SDK model', () => {
  it('generateText escalates past a rejected answer; usage sums the attempts and metadata names the tier', async () => {
    const result = await generateText({
      model: cascadeModel(await cascade('Probably B', 'B')),
      prompt: 'Which letter?',
    });
    expect(result.text).toBe('B');
    expect(result.usage.inputTokens).toBe(40);
    expect(result.usage.outputTokens).toBe(10);
    expect(result.providerMetadata?.['cascade']).toMatchObject({ tier: 'large', model: 'gpt-4o', stop: 'accepted' });
  });

  it('streamText streams only the answer that passed: no rejected draft', async () => {
    const result = streamText({ model: cascadeModel(await cascade('Probably B', 'B')), prompt: 'Which letter?' });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('B');
    expect((await result.providerMetadata)?.['cascade']).toMatchObject({ tier: 'large' });
  });

  it('generateObject with a zod schema escalates when an answer breaks the schema', async () => {
    const model = cascadeModel(await cascade('{"category": 7}', '{"category":"billing"}'));
    const result = await generateObject({
      model,
      schema: z.object({ category: z.string() }),
      prompt: 'Classify: I was charged twice',
    });
    expect(result.object).toEqual({ category: 'billing' });
    expect(result.providerMetadata?.['cascade']).toMatchObject({ tier: 'large' });
    expect(small!.requests).toHaveLength(1);
  });
});
