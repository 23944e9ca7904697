import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { OfflineViolationError } from '../../src/errors/index.js';
import { createLocalEmbedder } from '../../src/embed/local-embedder.js';
import { createEmbedder } from '../../src/config/create-embedder.js';
import { isLoopbackHost, loopbackOnlyFetch } from '../../src/network/loopback-only.js';
import { nodeHttpFetch } from '../../src/providers/node-http-fetch.js';
import { captureIo } from '../helpers/capture-io.js';
import { startFakeOllama, type FakeOllamaServer } from '../helpers/fake-ollama-server.js';
import { tempDir } from '../helpers/replay-fixture.js';

let ollama: FakeOllamaServer | undefined;
afterEach(async () => ollama?.close());

function writeCloudCascade(folder: string, offline: string): string {
  const file = join(folder, 'cascade.yaml');
  writeFileSync(
    file,
    `name: cloud
tiers:
  - name: cheap
    provider: openai
    model: gpt-4o-mini
    gates:
      - type: contains
        text: "OK"
  - name: strong
    provider: anthropic
    model: claude-sonnet-4-6
    pricing: { inputPerMTok: 3, outputPerMTok: 15 }
${offline}`,
  );
  return file;
}

describe('offline mode', () => {
  it('replaces a semantic cache embedder that would leave the machine with the local one', () => {
    expect(
      createEmbedder({ provider: 'openai', model: 'text-embedding-3-small' }, { offline: true, env: {} }).name,
    ).toBe(createLocalEmbedder().name);
    expect(
      createEmbedder(
        { provider: 'ollama', model: 'nomic-embed-text', host: 'http://gpu-box:11434' },
        { offline: true, env: {} },
      ).name,
    ).toBe(createLocalEmbedder().name);
    expect(createEmbedder({ provider: 'ollama', model: 'nomic-embed-text' }, { offline: true, env: {} }).name).toBe(
      'ollama:nomic-embed-text',
    );
    expect(createEmbedder({ provider: 'openai', model: 'text-embedding-3-small' }, { env: {} }).name).toBe(
      'openai:text-embedding-3-small',
    );
  });

  it('runs every cloud tier on the local model the offline mapping names, with no API key', async () => {
    ollama = await startFakeOllama({
      models: ['llama3.2:3b', 'qwen2.5:7b'],
      answer: (model) => (model === 'llama3.2:3b' ? 'not sure' : 'OK from qwen'),
    });
    const folder = tempDir();
    const cascade = writeCloudCascade(folder, 'offline:\n  tiers:\n    strong: qwen2.5:7b\n');
    const io = captureIo({ OLLAMA_HOST: ollama.url });
    expect(await runCli(['ask', cascade, 'Say OK', '--offline', '--json'], io)).toBe(0);
    const result = JSON.parse(io.out());
    expect(result).toMatchObject({ text: 'OK from qwen', tier: 'strong', costUsd: 0 });
    expect(result.trace.map((entry: any) => [entry.provider, entry.model])).toEqual([
      ['ollama', 'llama3.2:3b'],
      ['ollama', 'qwen2.5:7b'],
    ]);
    expect(ollama.requests.map((request) => request.path)).toEqual(['/api/chat', '/api/chat']);
  });

  it('uses llama3.2:3b when the file has no offline mapping, and names `ollama pull` when it is missing', async () => {
    ollama = await startFakeOllama({ models: ['qwen2.5:7b'], answer: () => 'OK' });
    const folder = tempDir();
    const io = captureIo({ OLLAMA_HOST: ollama.url });
    expect(await runCli(['ask', writeCloudCascade(folder, ''), 'Say OK', '--offline', '--json'], io)).toBe(1);
    expect(JSON.parse(io.out()).message).toContain('ollama pull llama3.2:3b');
  });

  it('refuses a non-loopback OLLAMA_HOST before any call', async () => {
    // A listener on a routable-looking address would never be reached: the refusal comes first.
    const io = captureIo({ OLLAMA_HOST: 'http://203.0.113.7:11434' });
    expect(await runCli(['ask', writeCloudCascade(tempDir(), ''), 'hi', '--offline'], io)).toBe(2);
    expect(io.err()).toContain('offline mode allows only loopback hosts, but OLLAMA_HOST is http://203.0.113.7:11434');
  });

  it('refuses, without connecting, any fetch to a host that is not loopback', async () => {
    let connections = 0;
    const listener = createServer(() => connections++);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const guarded = loopbackOnlyFetch(nodeHttpFetch, 'tier "cheap"');
    await expect(
      guarded('https://api.openai.com/v1/chat/completions', { method: 'POST', body: '{}' }),
    ).rejects.toBeInstanceOf(OfflineViolationError);
    await expect(guarded('http://[2001:db8::1]/x')).rejects.toThrow(/offline mode refused a call to \[?2001:db8::1/);
    const port = (listener.address() as { port: number }).port;
    await guarded(`http://localhost:${port}/`, { signal: AbortSignal.timeout(200) }).catch(() => undefined);
    expect(connections).toBe(1);
    listener.close();
    expect(['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', 'LOCALHOST'].every(isLoopbackHost)).toBe(true);
    expect(
      ['10.0.0.1', '0.0.0.0', 'example.com', '128.0.0.1', 'localhost.example.com', '::ffff:10.0.0.1'].some(
        isLoopbackHost,
      ),
    ).toBe(false);
  });

  it('keeps an OpenAI-compatible tier on loopback, and refuses one on another host even with a mapping', async () => {
    const folder = tempDir();
    const file = join(folder, 'cascade.yaml');
    writeFileSync(
      file,
      'name: c\ntiers:\n  - name: a\n    provider: ollama\n    model: m\n    host: http://gpu-box.internal:11434\n',
    );
    const io = captureIo({});
    expect(await runCli(['ask', file, 'hi', '--offline'], io)).toBe(2);
    expect(io.err()).toContain(
      `${file}: tiers[0]: offline mode allows only loopback hosts, but ${file}: tiers[0].host is http://gpu-box.internal:11434`,
    );
  });

  it('refuses an offline mapping for a tier that does not exist', async () => {
    const file = writeCloudCascade(tempDir(), 'offline:\n  tiers:\n    strongest: qwen2.5:7b\n');
    const io = captureIo({});
    expect(await runCli(['ask', file, 'hi', '--offline'], io)).toBe(2);
    expect(io.err()).toContain('No tier is named "strongest"; the tiers are "cheap", "strong"');
  });
});
