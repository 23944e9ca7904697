import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegexGate } from '../../gates/regex.js';
import { createCascade } from '../../src/config/load-cascade.js';
import { MockProvider } from '../../src/testing/index.js';
import { startLoopbackServer } from '../helpers/loopback-server.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';
import { spawnCli } from '../helpers/spawn-cli.js';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});
afterAll(() => trace.disable());

describe('OpenTelemetry spans', () => {
  it('one span per item, per tier attempt and per gate, with GenAI and cascade attributes', async () => {
    exporter.reset();
    const cascade = await createCascade({
      name: 'mcq',
      tiers: [
        {
          name: 'small',
          provider: new MockProvider({
            name: 'openai',
            model: 'gpt-4o-mini',
            answers: { text: 'maybe B', usage: { inputTokens: 12, outputTokens: 3 } },
          }),
          gates: [createRegexGate({ pattern: '^[A-D]$' })],
        },
        { name: 'large', provider: new MockProvider({ name: 'openai', model: 'gpt-4o', answers: 'B' }) },
      ],
    });
    await cascade.run({ id: 'q1', messages: [{ role: 'user', content: 'Which?' }] });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name).sort()).toEqual([
      'cascade mcq',
      'chat gpt-4o',
      'chat gpt-4o-mini',
      'gate regex',
    ]);
    const item = spans.find((span) => span.name === 'cascade mcq')!;
    const small = spans.find((span) => span.name === 'chat gpt-4o-mini')!;
    const gate = spans.find((span) => span.name === 'gate regex')!;
    expect(item.attributes).toMatchObject({
      'cascade.item': 'q1',
      'cascade.stop': 'accepted',
      'cascade.tier': 'large',
    });
    expect(small.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'cascade.tier': 'small',
      'cascade.accepted': false,
    });
    expect(gate.attributes).toMatchObject({ 'cascade.gate': 'regex', 'cascade.gate.pass': false });
    // Tier attempts are children of the item, gates of their tier.
    expect(small.parentSpanContext?.spanId).toBe(item.spanContext().spanId);
    expect(gate.parentSpanContext?.spanId).toBe(small.spanContext().spanId);
  });

  it("print as trees in the README's receiver, scripts/print-otlp-spans.mjs, sent by the CLI", async () => {
    const { spawn } = await import('node:child_process');
    const printer = spawn(process.execPath, ['scripts/print-otlp-spans.mjs', '0', '--exit-after', '1']);
    let printed = '';
    printer.stdout.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
    const exited = new Promise<number | null>((resolve) => printer.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        printer.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk);
          if (found) resolve(found[1]!);
        });
        printer.on('error', reject);
      });
      const fixtures = writeFixture([{ id: 'q', prompt: 'Say A', responses: { only: { text: 'A' } } }]);
      const cascade = join(tempDir(), 'c.yaml');
      writeFileSync(
        cascade,
        `name: printed\ntiers:\n  - { name: only, provider: replay, model: only, fixtures: ${fixtures} }\n`,
      );
      const done = await spawnCli(['ask', cascade, 'Say A'], { OTEL_EXPORTER_OTLP_ENDPOINT: url }).done;
      expect(done.code, done.stderr).toBe(0);
      expect(await exited).toBe(0);
      expect(printed).toMatch(
        /^trace [0-9a-f]{32}\ncascade printed \([\d.]+ ms\) .*cascade\.tier=only.*\n  chat only \(/m,
      );
    } finally {
      printer.kill();
    }
  });

  it('reach an OTLP/HTTP receiver from the CLI when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const receiver = await startLoopbackServer(() => ({ json: {} }));
    try {
      const folder = tempDir();
      const fixtures = writeFixture([{ id: 'q', prompt: 'Say A', responses: { only: { text: 'A' } } }]);
      const cascade = join(folder, 'c.yaml');
      writeFileSync(
        cascade,
        `name: traced\ntiers:\n  - { name: only, provider: replay, model: only, fixtures: ${fixtures} }\n`,
      );
      const cli = spawnCli(['ask', cascade, 'Say A'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      const done = await cli.done;
      expect(done.code, done.stderr).toBe(0);
      const posted = receiver.requests.filter((request) => request.path === '/v1/traces');
      expect(posted.length).toBeGreaterThan(0);
      const names = JSON.stringify(posted.map((request) => request.body));
      expect(names).toContain('cascade traced');
      expect(names).toContain('chat only');
    } finally {
      await receiver.close();
    }
  });
});
