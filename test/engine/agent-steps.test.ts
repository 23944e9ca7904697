import { afterEach, describe, expect, it } from 'vitest';
import { createToolCallGate } from '../../gates/tool-call.js';
import { createCascade } from '../../src/config/load-cascade.js';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import { createOllamaProvider } from '../../src/providers/ollama.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import type { CascadeRequest } from '../../src/spec/request.js';
import { MockProvider } from '../../src/testing/index.js';
import { gateInput } from '../helpers/gate-input.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { anthropicMessage, ollamaChat, openAIChat } from '../helpers/wire.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

const weather = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    required: ['city'],
    properties: { city: { type: 'string' } },
    additionalProperties: false,
  },
};
/** A second turn: the model called the tool, the tool answered, and the model is asked again. */
const conversation: CascadeRequest = {
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
    },
    { role: 'tool', content: '18 C, clear', toolCallId: 'call_1' },
    { role: 'user', content: 'And in Oslo?' },
  ],
  tools: [weather],
  toolChoice: 'auto',
};

function openAIToolAnswer(name: string, args: string) {
  const body = openAIChat('');
  const message = body.choices[0]!.message as Record<string, unknown>;
  message['content'] = null;
  message['tool_calls'] = [{ id: 'call_2', type: 'function', function: { name, arguments: args } }];
  return body;
}

describe('tool calls on every provider, both ways', () => {
  it('OpenAI: tools and the earlier turns go out in its shape; JSON-string arguments come back parsed', async () => {
    server = await startLoopbackServer(() => ({ json: openAIToolAnswer('get_weather', '{"city":"Oslo"}') }));
    const provider = createOpenAIProvider({ model: 'gpt-4o-mini', label: 't', baseURL: `${server.url}/v1` });
    const completion = await provider.complete(conversation);
    expect(completion.toolCalls).toEqual([{ id: 'call_2', name: 'get_weather', arguments: { city: 'Oslo' } }]);
    const sent = server.requests[0]!.body;
    expect(sent.tools[0]).toMatchObject({
      type: 'function',
      function: { name: 'get_weather', parameters: weather.parameters },
    });
    expect(sent.tool_choice).toBe('auto');
    expect(sent.messages[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(sent.messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '18 C, clear' });
  });

  it('Anthropic: tool_use blocks come back as calls; results go out as tool_result blocks', async () => {
    const reply = anthropicMessage('');
    reply.content = [{ type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo' } } as never];
    server = await startLoopbackServer(() => ({ json: reply }));
    const provider = createAnthropicProvider({
      model: 'claude-haiku-4-5',
      label: 't',
      baseURL: server.url,
      env: { ANTHROPIC_API_KEY: 'k' },
    });
    const completion = await provider.complete(conversation);
    expect(completion.toolCalls).toEqual([{ id: 'toolu_2', name: 'get_weather', arguments: { city: 'Oslo' } }]);
    const sent = server.requests[0]!.body;
    expect(sent.tools[0]).toEqual({
      name: 'get_weather',
      description: 'The weather in a city',
      input_schema: weather.parameters,
    });
    expect(sent.tool_choice).toEqual({ type: 'auto' });
    expect(sent.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }],
    });
    expect(sent.messages[2]).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '18 C, clear' }],
    });
  });

  it('Ollama: parsed argument objects come back as calls, with ids', async () => {
    const reply = ollamaChat('');
    (reply.message as Record<string, unknown>)['tool_calls'] = [
      { function: { name: 'get_weather', arguments: { city: 'Oslo' } } },
    ];
    server = await startLoopbackServer(() => ({ json: reply }));
    const provider = createOllamaProvider({ model: 'llama3.2:3b', label: 't', host: server.url });
    const completion = await provider.complete(conversation);
    expect(completion.toolCalls).toMatchObject([{ name: 'get_weather', arguments: { city: 'Oslo' } }]);
    expect(completion.toolCalls![0]!.id).toMatch(/./);
    expect(server.requests[0]!.body.tools[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
  });
});

describe('the tool-call gate', () => {
  const gate = createToolCallGate();
  const check = (toolCalls: unknown[]) =>
    gate.check({
      ...gateInput(''),
      request: conversation,
      completion: { ...gateInput('').completion, toolCalls } as never,
    });
  it('refuses a made-up tool and broken arguments, and passes a call that fits', async () => {
    expect(await check([{ id: 'a', name: 'get_wether', arguments: { city: 'Oslo' } }])).toMatchObject({
      pass: false,
      reason: expect.stringContaining('"get_wether", which is not one of the tools offered (get_weather)'),
    });
    expect(await check([{ id: 'a', name: 'get_weather', arguments: { town: 'Oslo' } }])).toMatchObject({ pass: false });
    expect(await check([{ id: 'a', name: 'get_weather', arguments: '{city: Oslo' }])).toMatchObject({ pass: false });
    expect(await check([{ id: 'a', name: 'get_weather', arguments: { city: 'Oslo' } }])).toMatchObject({ pass: true });
  });
});

describe('an agent step escalates on a bad tool call', () => {
  it('from a local tier that calls a wrong tool to a hosted one that calls the right one', async () => {
    const cascade = await createCascade({
      tiers: [
        {
          name: 'local',
          provider: new MockProvider({
            model: 'llama',
            answers: { text: '', toolCalls: [{ id: '1', name: 'weather', arguments: {} }] },
          }),
          gates: [createToolCallGate({ require: true })],
        },
        {
          name: 'hosted',
          provider: new MockProvider({
            model: 'gpt-4o',
            answers: { text: '', toolCalls: [{ id: '2', name: 'get_weather', arguments: { city: 'Oslo' } }] },
          }),
        },
      ],
    });
    const result = await cascade.run(conversation);
    expect(result).toMatchObject({
      tier: 'hosted',
      stop: 'accepted',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }],
    });
    expect(result.trace[0]!.gates[0]).toMatchObject({ name: 'tool-call', pass: false });
  });
});

describe('start rules', () => {
  const fixtures = [
    { name: 'small', provider: 'ollama', model: 'llama3.2:3b', host: 'http://127.0.0.1:9' },
    { name: 'strong', provider: 'ollama', model: 'qwen', host: 'http://127.0.0.1:9' },
  ];
  it('send a matching request past the cheap tier, or to named tiers only, and say which rule fired', async () => {
    server = await startLoopbackServer((request) => ({ json: ollamaChat(`answer of ${request.body.model}`) }));
    const cascade = await createCascade({
      name: 'routed',
      tiers: fixtures.map((tier) => ({ ...tier, host: server!.url })),
      route: [
        { name: 'planning', when: { pattern: '\\bplan\\b', flags: 'i' }, start: 'strong' },
        { name: 'tools', when: { hasTools: true }, only: ['small'] },
      ],
    });
    const planned = await cascade.run({ messages: [{ role: 'user', content: 'Make a PLAN for the migration' }] });
    expect(planned).toMatchObject({ tier: 'strong', route: { rule: 'planning', tiers: ['strong'] } });
    expect(planned.trace.map((entry) => entry.tier)).toEqual(['strong']);
    const plain = await cascade.run({ messages: [{ role: 'user', content: 'Say hi' }] });
    expect(plain.tier).toBe('small');
    expect(plain.route).toBeUndefined();
  });

  it('ask a classifier model once per item, start where its label says, and count what it cost', async () => {
    // The classifier is an OpenAI-protocol model at $1/$2 per MTok; the tiers are Ollama models.
    const labelFor = (question: string) => (question.includes('migration') ? 'Plan.' : 'lookup');
    server = await startLoopbackServer((request) =>
      request.path.startsWith('/v1/chat')
        ? {
            json: openAIChat(
              request.body.messages.at(-1).content.includes('weather')
                ? 'no idea'
                : labelFor(request.body.messages.at(-1).content),
              { promptTokens: 1000, completionTokens: 1 },
            ),
          }
        : { json: ollamaChat(`answer of ${request.body.model}`) },
    );
    const classifier = {
      provider: 'openai',
      model: 'labeller',
      baseURL: `${server.url}/v1`,
      apiKeyEnv: 'LABEL_KEY',
      pricing: { inputPerMTok: 1, outputPerMTok: 2 },
      labels: ['lookup', 'plan'],
    };
    const cascade = await createCascade(
      {
        name: 'classified',
        tiers: fixtures.map((tier) => ({ ...tier, host: server!.url })),
        route: [
          { name: 'planning', when: { classifier: { ...classifier, is: 'plan' } }, start: 'strong' },
          { name: 'lookups', when: { classifier: { ...classifier, is: ['lookup'] } }, only: ['small'] },
        ],
      },
      { env: { LABEL_KEY: 'sk-test-label' } },
    );
    const planned = await cascade.run({ messages: [{ role: 'user', content: 'Steps for the migration?' }] });
    expect(planned).toMatchObject({
      tier: 'strong',
      route: { rule: 'planning', tiers: ['strong'], classifiers: [{ model: 'labeller', label: 'plan' }] },
    });
    // 1,000 input and 1 output token at $1/$2 per MTok; the Ollama tier is free.
    expect(planned.costUsd).toBeCloseTo(0.001002, 9);
    const labellerCalls = () => server!.requests.filter((request) => request.path.startsWith('/v1/chat')).length;
    expect(labellerCalls()).toBe(1);
    const sent = server.requests[0]!.body;
    expect(sent.messages[0].content).toMatch(/exactly one of these labels.*lookup, plan/);
    expect(sent.messages[1].content).toBe('Steps for the migration?');

    // Two rules asked about one item: still one call; the second rule matched.
    const looked = await cascade.run({ messages: [{ role: 'user', content: 'Who won the final?' }] });
    expect(looked).toMatchObject({ tier: 'small', route: { rule: 'lookups', classifiers: [{ label: 'lookup' }] } });
    expect(labellerCalls()).toBe(2);

    // An answer that names no label holds no rule; the item runs on every tier, and the call still counts.
    const unlabelled = await cascade.run({ messages: [{ role: 'user', content: 'The weather?' }] });
    expect(unlabelled.route).toMatchObject({ tiers: ['small', 'strong'], classifiers: [{ error: /names none of/ }] });
    expect(unlabelled.route!.rule).toBeUndefined();
    expect(unlabelled.costUsd).toBeCloseTo(0.001002, 9);
  });

  it("holds a classifier's worst case from the item's budget first: with no room it is not asked", async () => {
    server = await startLoopbackServer((request) =>
      request.path.startsWith('/v1/chat')
        ? { json: openAIChat('plan', { promptTokens: 50, completionTokens: 1 }) }
        : { json: ollamaChat('fine') },
    );
    const build = (perItemUsd: number) =>
      createCascade(
        {
          name: 'tight',
          budget: { perItemUsd },
          tiers: fixtures.map((tier) => ({
            ...tier,
            host: server!.url,
            pricing: { inputPerMTok: 0, outputPerMTok: 0 },
          })),
          route: [
            {
              name: 'planning',
              when: {
                classifier: {
                  provider: 'openai',
                  model: 'labeller',
                  baseURL: `${server!.url}/v1`,
                  pricing: { inputPerMTok: 100, outputPerMTok: 100 },
                  labels: ['lookup', 'plan'],
                  is: 'plan',
                },
              },
              start: 'strong',
            },
          ],
        },
        { env: {} },
      );
    const item = { messages: [{ role: 'user' as const, content: 'Plan the move' }] };
    // Its worst case (the prompt's bytes and 8 answer tokens at $100 per MTok) passes $0.001: not asked.
    const refused = await (await build(0.001)).run(item);
    expect(refused.route?.classifiers?.[0]?.error).toMatch(/budget cannot cover asking the classifier/);
    expect(refused.tier).toBe('small');
    expect(server.requests.filter((request) => request.path.startsWith('/v1/chat'))).toHaveLength(0);
    // With room it is asked, and what it cost counts toward the item.
    const asked = await (await build(1)).run(item);
    expect(asked).toMatchObject({ tier: 'strong', route: { rule: 'planning' } });
    expect(asked.costUsd).toBeCloseTo(0.0051, 9);
  });

  it('under a downshift cap, a start rule starts at the dearest tier allowed; an only rule keeps to its own tiers', async () => {
    server = await startLoopbackServer((request) => ({ json: ollamaChat(`answer of ${request.body.model}`) }));
    const tiers = fixtures.map((tier) => ({ ...tier, host: server!.url }));
    const planning = { pattern: 'plan' };
    const started = await createCascade({ name: 's', tiers, route: [{ when: planning, start: 'strong' }] });
    const item = { messages: [{ role: 'user' as const, content: 'plan it' }] };
    const held = await started.run(item, { highestTier: () => 0 });
    expect(held).toMatchObject({ tier: 'small', stop: 'accepted' });
    expect(held.trace.map((entry) => [entry.tier, entry.skipped])).toEqual([
      ['strong', 'downshift'],
      ['small', undefined],
    ]);
    const only = await createCascade({ name: 'o', tiers, route: [{ when: planning, only: ['strong'] }] });
    const kept = await only.run(item, { highestTier: () => 0 });
    expect(kept.stop).toBe('budget');
    expect(kept.trace.map((entry) => entry.skipped)).toEqual(['downshift']);
  });

  it('a classifier label that is not among its labels is refused when the cascade loads', async () => {
    await expect(
      createCascade({
        name: 'r',
        tiers: fixtures,
        route: [
          {
            when: { classifier: { provider: 'ollama', model: 'llama3.2:3b', labels: ['a', 'b'], is: 'c' } },
            start: 'strong',
          },
        ],
      }),
    ).rejects.toThrow(/route\[0\]\.when\.classifier\.is: "c" is not one of its labels \(a, b\)/);
  });

  it('naming a tier that does not exist is refused when the cascade loads', async () => {
    await expect(
      createCascade({ name: 'r', tiers: fixtures, route: [{ when: { hasSchema: true }, start: 'huge' }] }),
    ).rejects.toThrow(/route\[0\]: no tier is named "huge"; the tiers are small, strong/);
  });
});
