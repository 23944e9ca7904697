import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { readFixtures } from '../../src/fixtures/read-fixtures.js';
import { captureIo } from '../helpers/capture-io.js';
import { startFakeOllama, type FakeOllamaServer } from '../helpers/fake-ollama-server.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { openAIChat } from '../helpers/wire.js';

const openAIKey = 'sk-loopback-record-0123456789abcdef';
const schema = resolve('cascades/schemas/ticket.json');
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const tickets = Array.from({ length: 12 }, (_, index) => ({
  id: `t${index + 1}`,
  prompt:
    index % 3 === 0 ? `Ticket ${index + 1}: please refund my order` : `Ticket ${index + 1}: the app crashes on start`,
}));

function ticketJson(category: string, summary: string): string {
  return JSON.stringify({ category, priority: 'normal', summary });
}

/** Ollama answers refund tickets as JSON and everything else in prose (fails the schema); OpenAI answers and judges. */
async function startServers(): Promise<{ ollama: FakeOllamaServer; openai: LoopbackServer }> {
  const ollama = await startFakeOllama({
    models: ['llama3.2:3b'],
    answer: (_model, messages) => {
      const user = messages.at(-1)!.content;
      return /refund/.test(user)
        ? ticketJson('billing', 'Customer asks for a refund.')
        : 'This looks like a crash report, probably a bug.';
    },
  });
  const openai = await startLoopbackServer((incoming) => {
    const messages: { role: string; content: string }[] = incoming.body.messages;
    if (/strict grader/.test(messages[0]!.content))
      return {
        json: openAIChat('{"score": 9, "reason": "fits the ticket"}', { promptTokens: 300, completionTokens: 12 }),
      };
    const user = messages.at(-1)!.content;
    return {
      json: openAIChat(ticketJson(/refund/.test(user) ? 'billing' : 'bug', `Summary of ${user.slice(0, 9)}`), {
        promptTokens: 90,
        completionTokens: 20,
      }),
    };
  });
  servers.push(ollama, openai);
  return { ollama, openai };
}

function writeCascade(folder: string, ollamaUrl: string, openaiUrl: string): string {
  const file = join(folder, 'cascade.yaml');
  writeFileSync(
    file,
    `name: tickets
system: Classify the support ticket. Answer with JSON only.
tiers:
  - name: local
    provider: ollama
    model: llama3.2:3b
    host: ${ollamaUrl}
    gates:
      - type: json-schema
        schema: ${schema}
  - name: cheap
    provider: openai
    model: gpt-4o-mini
    baseURL: ${openaiUrl}/v1
    apiKeyEnv: LOOPBACK_OPENAI_KEY
    gates:
      - type: json-schema
        schema: ${schema}
      - type: judge
        provider: openai
        model: gpt-4o-mini
        baseURL: ${openaiUrl}/v1
        apiKeyEnv: LOOPBACK_OPENAI_KEY
        rubric: Does the JSON describe the ticket?
retry: { baseDelayMs: 1, maxDelayMs: 5 }
`,
  );
  return file;
}

function writeItems(folder: string, items: { id: string; prompt: string }[], name = 'items.jsonl'): string {
  const file = join(folder, name);
  writeFileSync(file, items.map((item) => JSON.stringify(item)).join('\n') + '\n');
  return file;
}

function readResults(file: string): any[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** A result without what differs between a live run and its replay: wall-clock latency, and the trace's provider (`replay`). */
function withoutLatency(result: any): any {
  return JSON.parse(
    JSON.stringify(result, (key, value) => (key === 'latencyMs' || key === 'provider' ? undefined : value)),
  );
}

describe('record a live run, replay it with the network off, explore it into fixtures for tune', () => {
  it('records every call (judges too) as fixtures and replays them to the same results with no server', async () => {
    const { ollama, openai } = await startServers();
    const folder = tempDir();
    const cascade = writeCascade(folder, ollama.url, openai.url);
    const input = writeItems(folder, tickets);
    const recording = join(folder, 'recording.jsonl');
    const io = captureIo({ LOOPBACK_OPENAI_KEY: openAIKey });
    expect(
      await runCli(
        ['run', cascade, '--input', input, '--output', join(folder, 'live.jsonl'), '--record', recording],
        io,
      ),
    ).toBe(0);
    const live = readResults(join(folder, 'live.jsonl'));
    expect(live.filter((result) => result.tier === 'local')).toHaveLength(4);
    expect(live.filter((result) => result.tier === 'cheap')).toHaveLength(8);

    // The recording is a fixture: it loads as one, and holds the item's answers and each judge call.
    const records = await readFixtures(recording);
    const escalated = records.find((record) => record.id === 't2')!;
    expect(Object.keys(escalated.responses).sort()).toEqual(['gpt-4o-mini', 'llama3.2:3b']);
    expect(escalated.input.messages[0]).toEqual({
      role: 'system',
      content: 'Classify the support ticket. Answer with JSON only.',
    });
    expect(escalated.responses['gpt-4o-mini']).toMatchObject({
      usage: { inputTokens: 90, outputTokens: 20 },
      costUsd: expect.any(Number),
      latencyMs: expect.any(Number),
    });
    const judgeRecords = records.filter((record) => record.id.includes('~call'));
    expect(judgeRecords).toHaveLength(8);
    expect(judgeRecords[0]!.input.messages[0]!.content).toContain('strict grader');
    expect(io.out()).toContain(`recorded:      ${records.length} fixture records`);
    expect(readFileSync(recording, 'utf8')).not.toContain(openAIKey);
    const callsMade = ollama.requests.length + openai.requests.length;

    // Network off: both servers gone. The replay needs no key and reproduces every result.
    await Promise.all(servers.splice(0).map((server) => server.close()));
    const replayIo = captureIo({});
    const replayed = join(folder, 'replayed.jsonl');
    expect(
      await runCli(['run', cascade, '--input', input, '--output', replayed, '--replay', recording], replayIo),
    ).toBe(0);
    expect(readResults(replayed).map(withoutLatency)).toEqual(live.map(withoutLatency));
    expect(ollama.requests.length + openai.requests.length).toBe(callsMade);

    // Same input, same output, every time, recorded latencies included.
    const firstReplay = readResults(replayed);
    expect(
      await runCli(
        ['run', cascade, '--input', input, '--output', replayed, '--replay', recording, '--overwrite'],
        captureIo({}),
      ),
    ).toBe(0);
    expect(readResults(replayed).map(withoutLatency)).toEqual(live.map(withoutLatency));
    expect(readResults(replayed)).toEqual(firstReplay);
  });

  it('ask records a prompt without an id, and replays it by its messages', async () => {
    const { ollama, openai } = await startServers();
    const folder = tempDir();
    const cascade = writeCascade(folder, ollama.url, openai.url);
    const recording = join(folder, 'asked.jsonl');
    const live = captureIo({ LOOPBACK_OPENAI_KEY: openAIKey });
    expect(
      await runCli(['ask', cascade, 'Ticket 9: the app crashes on start', '--record', recording, '--json'], live),
    ).toBe(0);
    const [record] = await readFixtures(recording);
    expect(record!.id).toMatch(/^ask-[0-9a-f]{16}$/);
    await Promise.all(servers.splice(0).map((server) => server.close()));
    const replayed = captureIo({});
    expect(
      await runCli(['ask', cascade, 'Ticket 9: the app crashes on start', '--replay', recording, '--json'], replayed),
    ).toBe(0);
    expect(withoutLatency(JSON.parse(replayed.out()))).toEqual(withoutLatency(JSON.parse(live.out())));
  });

  it('fails clearly on a request the recording lacks, and calls the live tier with --on-miss live', async () => {
    const { ollama, openai } = await startServers();
    const folder = tempDir();
    const cascade = writeCascade(folder, ollama.url, openai.url);
    const recording = join(folder, 'recording.jsonl');
    const env = { LOOPBACK_OPENAI_KEY: openAIKey };
    expect(
      await runCli(
        [
          'run',
          cascade,
          '--input',
          writeItems(folder, tickets.slice(0, 1)),
          '--output',
          join(folder, 'a.jsonl'),
          '--record',
          recording,
        ],
        captureIo(env),
      ),
    ).toBe(0);
    const newItem = writeItems(folder, [{ id: 'new', prompt: 'Ticket new: please refund me' }], 'new.jsonl');

    expect(
      await runCli(
        ['run', cascade, '--input', newItem, '--output', join(folder, 'miss.jsonl'), '--replay', recording],
        captureIo({}),
      ),
    ).toBe(0);
    const [missed] = readResults(join(folder, 'miss.jsonl'));
    expect(missed.stop).toBe('error');
    expect(missed.trace[0].error).toMatchObject({ kind: 'replay-miss' });
    expect(missed.trace[0].error.message).toContain(recording);

    const before = ollama.requests.length;
    expect(
      await runCli(
        [
          'run',
          cascade,
          '--input',
          newItem,
          '--output',
          join(folder, 'live.jsonl'),
          '--replay',
          recording,
          '--on-miss',
          'live',
        ],
        captureIo(env),
      ),
    ).toBe(0);
    expect(readResults(join(folder, 'live.jsonl'))[0]).toMatchObject({ tier: 'local', stop: 'accepted' });
    expect(ollama.requests.length).toBe(before + 1);
  });

  it('explores every remaining tier on a share of items, estimates false accepts, and tune turns the fixtures into a cascade', async () => {
    const { ollama, openai } = await startServers();
    const folder = tempDir();
    const cascade = writeCascade(folder, ollama.url, openai.url);
    const explored = join(folder, 'explored.jsonl');
    const io = captureIo({ LOOPBACK_OPENAI_KEY: openAIKey });
    const args = [
      'run',
      cascade,
      '--input',
      writeItems(folder, tickets),
      '--output',
      join(folder, 'out.jsonl'),
      '--explore',
      '1',
      '--explore-out',
      explored,
    ];
    expect(await runCli(args, io)).toBe(0);
    const fixtures = await readFixtures(explored);
    expect(fixtures).toHaveLength(12);
    for (const fixture of fixtures) {
      expect(Object.keys(fixture.responses).sort()).toEqual(['gpt-4o-mini', 'llama3.2:3b']);
      expect(fixture.expected).toEqual(JSON.parse(fixture.responses['gpt-4o-mini']!.text));
    }
    // Refund tickets are accepted locally; the top tier agrees on the category but not the summary.
    expect(io.out()).toMatch(/explored: +12 items, \$0\.0\d+ extra/);
    expect(io.out()).toContain(
      '4 of 4 answers accepted below the top tier disagree with it: 100.0% (95% CI 51.0%-100.0%)',
    );

    const same = captureIo({});
    expect(await runCli([...args.slice(0, -2), '--explore-out', explored, '--record', explored], same)).toBe(2);
    expect(same.err()).toContain('`--explore-out` and `--record` are the same file');

    const tuned = join(folder, 'tuned.yaml');
    const tuneIo = captureIo({});
    expect(await runCli(['tune', '--fixtures', explored, '--out', tuned], tuneIo)).toBe(0);
    expect(tuneIo.out()).toContain("quality: agreement with gpt-4o-mini's answer (an --explore file");
    expect(tuneIo.out()).toContain('expected on new items: not estimated, 12 items are too few to cross-validate');
    const evalIo = captureIo({});
    expect(await runCli(['eval', tuned, '--fixtures', explored, '--json'], evalIo)).toBe(0);
    expect(JSON.parse(evalIo.out())).toMatchObject({ items: 12, accuracy: 1 });
    // Run again: the sampled items the file already holds are not asked again, and the summary says so.
    const again = captureIo({ LOOPBACK_OPENAI_KEY: openAIKey });
    expect(await runCli([...args, '--overwrite'], again), again.err()).toBe(0);
    expect(again.out()).toMatch(/explored: +0 items, .* \(12 sampled items it already held were not asked again\)/);
    expect(await readFixtures(explored)).toHaveLength(12);
  });
});
