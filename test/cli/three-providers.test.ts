import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/capture-io.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { anthropicMessage, ollamaChat, openAIChat, openAIError } from '../helpers/wire.js';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const openAIKey = 'sk-loopback-openai-0123456789abcdef';
const anthropicKey = 'sk-ant-loopback-0123456789abcdef';
const ticket = '{"category":"billing","priority":"high","summary":"Charged twice for March."}';

async function setUp(openAIStatus: number) {
  const ollama = await startLoopbackServer(() => ({
    json: ollamaChat('Sure! The category is billing.\nConfidence: 0.9'),
  }));
  const openai = await startLoopbackServer((incoming) =>
    openAIStatus === 200
      ? { json: openAIChat(ticket) }
      : {
          status: openAIStatus,
          json: openAIError(`failure for key ${String(incoming.headers.authorization).slice(7)}`),
        },
  );
  const anthropic = await startLoopbackServer(() => ({
    json: anthropicMessage(ticket, { inputTokens: 120, outputTokens: 30 }),
  }));
  servers.push(ollama, openai, anthropic);
  const folder = tempDir();
  const cascade = join(folder, 'cascade.yaml');
  writeFileSync(
    cascade,
    `name: ticket-triage
tiers:
  - name: local
    provider: ollama
    model: llama3.2:3b
    host: ${ollama.url}
    gates:
      - type: json-schema
        schema: ${resolve('cascades/schemas/ticket.json')}
  - name: cheap
    provider: openai
    model: gpt-4o-mini
    baseURL: ${openai.url}/v1
    apiKeyEnv: LOOPBACK_OPENAI_KEY
    maxRetries: 1
    gates:
      - type: json-schema
        schema: ${resolve('cascades/schemas/ticket.json')}
  - name: strong
    provider: anthropic
    model: claude-haiku-4-5
    baseURL: ${anthropic.url}
    apiKeyEnv: LOOPBACK_ANTHROPIC_KEY
    gates:
      - type: json-schema
        schema: ${resolve('cascades/schemas/ticket.json')}
retry: { baseDelayMs: 1, maxDelayMs: 5 }
`,
  );
  const input = join(folder, 'items.jsonl');
  writeFileSync(input, `${JSON.stringify({ id: 't1', prompt: 'I was charged twice in March.' })}\n`);
  return { ollama, openai, anthropic, cascade, input, output: join(folder, 'results.jsonl') };
}

describe('a cascade over Ollama, OpenAI and Anthropic protocol servers on loopback', () => {
  it('escalates on a failed json-schema gate, falls back on a 500, and writes the full trace', async () => {
    const setup = await setUp(500);
    const io = captureIo({ LOOPBACK_OPENAI_KEY: openAIKey, LOOPBACK_ANTHROPIC_KEY: anthropicKey });
    expect(await runCli(['run', setup.cascade, '--input', setup.input, '--output', setup.output], io)).toBe(0);
    const [result] = readFileSync(setup.output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(result).toMatchObject({
      id: 't1',
      tier: 'strong',
      model: 'claude-haiku-4-5',
      stop: 'accepted',
      accepted: true,
      value: JSON.parse(ticket),
    });
    expect(result.trace).toHaveLength(3);
    expect(result.trace[0]).toMatchObject({
      tier: 'local',
      provider: 'ollama',
      accepted: false,
      gates: [{ name: 'json-schema', pass: false }],
    });
    expect(result.trace[1]).toMatchObject({
      tier: 'cheap',
      provider: 'openai',
      retries: 1,
      error: { statusCode: 500 },
    });
    expect(result.trace[2]).toMatchObject({
      tier: 'strong',
      provider: 'anthropic',
      usage: { inputTokens: 120, outputTokens: 30 },
      accepted: true,
    });
    expect(result.trace[2].costUsd).toBeCloseTo((120 * 1 + 30 * 5) / 1e6, 12);
    expect(setup.ollama.requests[0]!.body.format).toMatchObject({ required: ['category', 'priority', 'summary'] });
    expect(setup.openai.requests).toHaveLength(2);
    expect(setup.anthropic.requests[0]!.headers.authorization).toBe(`Bearer ${anthropicKey}`);

    // The OpenAI server echoed the key in its error: it must appear nowhere we write.
    const everything = readFileSync(setup.output, 'utf8') + io.out() + io.err();
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(openAIKey);
    expect(everything).not.toContain(anthropicKey);
  });

  it('stops at the OpenAI tier when it answers well, never calling Anthropic', async () => {
    const setup = await setUp(200);
    const io = captureIo({ LOOPBACK_OPENAI_KEY: openAIKey, LOOPBACK_ANTHROPIC_KEY: anthropicKey });
    expect(await runCli(['run', setup.cascade, '--input', setup.input, '--output', setup.output], io)).toBe(0);
    const result = JSON.parse(readFileSync(setup.output, 'utf8'));
    expect(result).toMatchObject({ tier: 'cheap', stop: 'accepted' });
    expect(setup.anthropic.requests).toHaveLength(0);
    expect(setup.openai.requests[0]!.headers.authorization).toBe(`Bearer ${openAIKey}`);
  });
});
