import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createCascade } from '../../src/config/load-cascade.js';
import { MissingApiKeyError } from '../../src/errors/index.js';
import { createOllamaProvider } from '../../src/providers/ollama.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { captureIo } from '../helpers/capture-io.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir } from '../helpers/replay-fixture.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

const ask = { messages: [{ role: 'user' as const, content: 'q' }] };

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('error messages say what and where', () => {
  it('an OpenAI-protocol connection error names the host', async () => {
    const port = await closedPort();
    const provider = createOpenAIProvider({ model: 'm', label: 'tier "t"', baseURL: `http://127.0.0.1:${port}/v1` });
    const error = await provider.complete(ask).catch((caught) => caught);
    expect(error.name).toBe('ConnectionError');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('an Ollama error status shows the server message, not [object Object]', async () => {
    server = await startLoopbackServer(() => ({ status: 500, json: { error: 'model runner crashed: out of memory' } }));
    const provider = createOllamaProvider({ model: 'llama3.2', label: 'tier "t"', host: server.url });
    const error = await provider.complete(ask).catch((caught) => caught);
    expect(error.message).toContain('model runner crashed: out of memory');
    expect(error.message).not.toContain('[object Object]');
  });

  it('a cut Ollama body is a malformed answer, not "cannot reach the server"', async () => {
    server = await startLoopbackServer(() => ({ raw: '{"model":"llama3.2","message":{"role":"assistant","cont' }));
    const provider = createOllamaProvider({ model: 'llama3.2', label: 'tier "t"', host: server.url });
    const error = await provider.complete(ask).catch((caught) => caught);
    expect(error.name).toBe('MalformedResponseError');
    expect(error.message).not.toContain('ollama serve');
  });

  it('a schema that does not compile is a usage error naming the file and field', async () => {
    const folder = tempDir();
    const cascade = join(folder, 'c.yaml');
    writeFileSync(
      cascade,
      'name: c\ntiers:\n  - { name: t, provider: replay, model: t, fixtures: f.jsonl, gates: [{ type: json-schema, schema: { type: objekt } }] }\n',
    );
    writeFileSync(join(folder, 'f.jsonl'), '');
    const io = captureIo();
    expect(await runCli(['ask', cascade, 'q'], io)).toBe(2);
    expect(io.err()).toContain(`${cascade}: tiers[0].gates[0].schema`);
  });

  it('a missing --input file is a usage error naming the flag and file', async () => {
    const io = captureIo();
    const output = join(tempDir(), 'out.jsonl');
    const code = await runCli(
      [
        'run',
        'cascades/demo.yaml',
        '--input',
        'no/such/items.jsonl',
        '--output',
        output,
        '--replay',
        'fixtures/demo/recorded.jsonl',
      ],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toContain('--input: no/such/items.jsonl does not exist');
  });

  it('every missing API key is listed at once', async () => {
    const cascade = await createCascade({
      name: 'keys',
      tiers: [
        { name: 'a', provider: 'openai', model: 'gpt-4o-mini' },
        { name: 'b', provider: 'anthropic', model: 'claude-haiku-4-5' },
      ],
    });
    const error = (() => {
      try {
        cascade.checkEnvironment({});
      } catch (caught) {
        return caught as MissingApiKeyError;
      }
      return undefined;
    })();
    expect(error?.message).toContain('OPENAI_API_KEY');
    expect(error?.message).toContain('ANTHROPIC_API_KEY');
  });
});

describe('empty answers', () => {
  it('are an error on every provider, so the item falls back, unless the tier allows them', async () => {
    server = await startLoopbackServer((request) =>
      request.path.startsWith('/api/')
        ? { json: { model: 'm', message: { role: 'assistant', content: '' }, done: true } }
        : {
            json: {
              id: 'x',
              object: 'chat.completion',
              created: 1,
              model: 'm',
              choices: [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'stop' }],
            },
          },
    );
    const openai = createOpenAIProvider({ model: 'm', label: 'tier "t"', baseURL: `${server.url}/v1` });
    const ollama = createOllamaProvider({ model: 'm', label: 'tier "t"', host: server.url });
    for (const provider of [openai, ollama]) {
      const error = await provider.complete(ask).catch((caught) => caught);
      expect(error.name).toBe('UnexpectedResponseError');
      expect(error.message).toContain('the answer is empty');
    }
    const allowing = createOpenAIProvider({
      model: 'm',
      label: 'tier "t"',
      baseURL: `${server.url}/v1`,
      allowEmpty: true,
    });
    expect((await allowing.complete(ask)).text).toBe('');
  });
});
