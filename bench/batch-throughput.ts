// 10,000 items through `cascade run` against a loopback OpenAI-protocol server that answers each call
// after 100 ms, at concurrency 256. The ideal wall time is items / concurrency x latency.
// The server runs in a child process so it does not share the runner's event loop.
// The floor: a plain script doing the same job with a `node:http` keep-alive agent (read the items,
// post each as a chat completion, parse the answer, write a result line), at the same concurrency.
// Run: npm run bench:batch-throughput [-- items concurrency latencyMs]
import { createWriteStream, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { startStubOpenAIServer, writeStubJob } from './stub-openai-server.js';
import { runCli } from '../src/cli/program.js';
import { median, medianOfEach } from './median.js';
import { benchFolder } from './temp-folder.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const items = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 256);
const latencyMs = Number(process.argv[4] ?? 100);

/** The same job as a plain script: keep-alive posts, `concurrency` at a time, one result line each. */
async function plainClient(port: number, input: string, output: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean);
  const out = createWriteStream(output);
  let next = 0;
  const post = (body: string) =>
    new Promise<string>((resolve, reject) => {
      const call = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/chat/completions',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json' },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(text));
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  const worker = async () => {
    while (next < lines.length) {
      const item = JSON.parse(lines[next++]!) as { id: string; prompt: string };
      const answer = JSON.parse(
        await post(JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: item.prompt }] })),
      ) as { choices: { message: { content: string } }[] };
      out.write(`${JSON.stringify({ id: item.id, text: answer.choices[0]!.message.content })}\n`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await new Promise<void>((resolve) => out.end(resolve));
  agent.destroy();
}

// A full collection before each measured run, so neither run pays for the other's garbage: the two share
// this process, and a collection of what one left fell in the next one's CPU time (the floor's CPU moved
// by half between pairs).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Wall seconds and CPU ms per item of one measured run. */
async function timed(run: () => Promise<unknown>): Promise<{ wall: number; cpuPerItem: number }> {
  collectGarbage();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  await run();
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpuPerItem: (cpu.user + cpu.system) / items / 1000 };
}

{
  const { port, child: server } = await startStubOpenAIServer(latencyMs);
  const folder = benchFolder('batch-throughput-');
  const { cascade, input } = writeStubJob(folder, 'throughput', port, items, 'timeoutMs: 10000');
  const quiet = { stdout: () => undefined, stderr: () => undefined, env: {} };
  // Warm-up: SDK, connection pool and JIT.
  await runCli(
    ['run', cascade, '--input', input, '--output', join(folder, 'warm.jsonl'), '--concurrency', String(concurrency)],
    quiet,
  );
  await plainClient(port, input, join(folder, 'plain-warm.jsonl'));
  // Pairs, the plain client then ours, and the median of each: one run of each gave CPU ratios from
  // 2.05x to 3.24x on the same build, the floor's CPU alone moving by half between runs.
  const pairs = 5;
  let code = 0;
  const runs: { floor: Awaited<ReturnType<typeof timed>>; ours: Awaited<ReturnType<typeof timed>> }[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const floorRun = await timed(() => plainClient(port, input, join(folder, 'plain.jsonl')));
    const oursRun = await timed(async () => {
      code = await runCli(
        [
          'run',
          cascade,
          '--input',
          input,
          '--output',
          join(folder, 'results.jsonl'),
          '--concurrency',
          String(concurrency),
          '--overwrite',
        ],
        quiet,
      );
    });
    runs.push({ floor: floorRun, ours: oursRun });
  }
  const floor = medianOfEach(runs.map((run) => run.floor));
  const ours = medianOfEach(runs.map((run) => run.ours));
  const cpuRatios = runs.map((run) => run.ours.cpuPerItem / run.floor.cpuPerItem);
  server.disconnect();
  const ideal = (items / concurrency) * (latencyMs / 1000);
  const over = (wall: number) => `${((wall / ideal - 1) * 100).toFixed(1)}% over`;
  console.log(
    `batch-throughput: ${items} items, concurrency ${concurrency}, server latency ${latencyMs} ms (exit ${code}); ideal ${ideal.toFixed(2)} s`,
  );
  console.log(
    `floor: plain node:http keep-alive client  wall ${floor.wall.toFixed(2)} s (${over(floor.wall)}), CPU ${floor.cpuPerItem.toFixed(3)} ms per item`,
  );
  console.log(
    `cascade run                              wall ${ours.wall.toFixed(2)} s (${over(ours.wall)}), CPU ${ours.cpuPerItem.toFixed(3)} ms per item, ${(items / ours.wall).toFixed(0)} items/s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  console.log(
    `against the floor (medians of ${pairs} pairs): CPU ${median(cpuRatios).toFixed(2)}x (pair by pair ${cpuRatios.map((ratio) => ratio.toFixed(2)).join(', ')}), wall ${(ours.wall / floor.wall).toFixed(2)}x`,
  );
  console.log('targets: wall within 15% of ideal, CPU per item within 2x of the plain client');
}
