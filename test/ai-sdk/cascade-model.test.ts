import { generateObject, generateText, streamText, tool, type ToolSet } from 'ai';
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

  it('passes tools through: a local tier calling a wrong tool escalates, the tool call and its result go both ways', async () => {
    const toolCallAnswer = (name: string, args: string) => ({
      id: 'chatcmpl-tools',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: `call-${name}`, type: 'function', function: { name, arguments: args } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 30, completion_tokens: 8, total_tokens: 38 },
    });
    small = await startLoopbackServer(() => ({ json: toolCallAnswer('weather', '{}') }));
    large = await startLoopbackServer((request) =>
      request.body.messages.some((message: { role: string }) => message.role === 'tool')
        ? { json: openAIChat('It is 4 degrees in Oslo.', { model: 'large' }) }
        : { json: toolCallAnswer('get_weather', '{"city":"Oslo"}') },
    );
    const model = cascadeModel(
      await createCascade({
        name: 'agent',
        tiers: [
          {
            name: 'small',
            provider: 'openai',
            model: 'small',
            baseURL: `${small.url}/v1`,
            maxRetries: 0,
            gates: [{ type: 'tool-call', require: true }],
          },
          { name: 'large', provider: 'openai', model: 'large', baseURL: `${large.url}/v1`, maxRetries: 0 },
        ],
      }),
    );
    // A tool without execute: the call comes back to the caller. (The AI SDK's Tool type and this project's
    // exactOptionalPropertyTypes disagree on optional fields, hence the cast.)
    const tools = {
      get_weather: tool({ description: 'The weather in a city', inputSchema: z.object({ city: z.string() }) }),
    } as unknown as ToolSet;
    const first = await generateText({ model, tools, prompt: 'Weather in Oslo?' });
    expect(first.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'Oslo' } }]);
    expect(first.finishReason).toBe('tool-calls');
    expect(first.providerMetadata?.['cascade']).toMatchObject({ tier: 'large' });
    // The tool schema reached the providers as OpenAI tools.
    expect(small.requests[0]!.body.tools[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    // The next turn carries the call and its result back through the cascade.
    const second = await generateText({
      model,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        ...first.response.messages,
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'call-get_weather',
              toolName: 'get_weather',
              output: { type: 'json', value: { celsius: 4 } },
            },
          ],
        },
      ],
    });
    expect(second.text).toBe('It is 4 degrees in Oslo.');
    const sent = large.requests[large.requests.length - 1]!.body.messages;
    expect(sent.find((message: { role: string }) => message.role === 'tool')).toMatchObject({
      tool_call_id: 'call-get_weather',
      content: '{"celsius":4}',
    });
  });
});
