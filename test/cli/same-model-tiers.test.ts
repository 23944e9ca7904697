import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { readFixtures } from '../../src/fixtures/read-fixtures.js';
import { captureIo } from '../helpers/capture-io.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { readResultLines } from '../helpers/spawn-cli.js';
import { openAIChat } from '../helpers/wire.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

describe('two tiers of the same model', () => {
  it('are recorded apart, so a replay costs what the live run did', async () => {
    // The same model at two prices (a batch discount, a second account): the first tier's answer fails
    // its gate, the second's passes.
    server = await startLoopbackServer((request) => ({
      json: openAIChat(request.body.temperature === 0 ? 'maybe' : 'B', { promptTokens: 100, completionTokens: 10 }),
    }));
    const folder = tempDir();
    const cascade = join(folder, 'cascade.yaml');
    writeFileSync(
      cascade,
      `name: same-model
tiers:
  - name: cheap
    provider: openai
    model: gpt-4o-mini
    baseURL: ${server.url}/v1
    params: { temperature: 0 }
    pricing: { inputPerMTok: 0.1, outputPerMTok: 0.4 }
    gates: [{ type: regex, pattern: "^[A-D]$" }]
  - name: careful
    provider: openai
    model: gpt-4o-mini
    baseURL: ${server.url}/v1
    params: { temperature: 1 }
    pricing: { inputPerMTok: 1, outputPerMTok: 4 }
`,
    );
    const input = join(folder, 'items.jsonl');
    writeFileSync(input, `${JSON.stringify({ id: 'q1', prompt: 'Which letter?' })}\n`);
    const recording = join(folder, 'recording.jsonl');
    const live = join(folder, 'live.jsonl');
    expect(await runCli(['run', cascade, '--input', input, '--output', live, '--record', recording], captureIo())).toBe(
      0,
    );
    const [record] = await readFixtures(recording);
    expect(Object.keys(record!.responses).sort()).toEqual(['gpt-4o-mini@careful', 'gpt-4o-mini@cheap']);
    const replayed = join(folder, 'replayed.jsonl');
    await server.close();
    server = undefined;
    expect(
      await runCli(['run', cascade, '--input', input, '--output', replayed, '--replay', recording], captureIo()),
    ).toBe(0);
    const [liveResult] = readResultLines(live);
    const [replayedResult] = readResultLines(replayed);
    expect(liveResult.trace.map((entry: { costUsd: number }) => entry.costUsd)).toEqual([0.000014, 0.00014]);
    expect(replayedResult.trace.map((entry: { costUsd: number }) => entry.costUsd)).toEqual(
      liveResult.trace.map((entry: { costUsd: number }) => entry.costUsd),
    );
    expect(replayedResult).toMatchObject({ tier: 'careful', text: 'B' });
  });
});
