// 10,000 items through `cascade run` against a loopback OpenAI-protocol server that answers each call
// after 100 ms, at concurrency 256. The ideal wall time is items / concurrency x latency.
// The server runs in a child process so it does not share the runner's event loop.
// Run: npm run bench:batch-throughput [-- items concurrency latencyMs]
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStubOpenAIServer, writeStubJob } from './stub-openai-server.js';
import { runCli } from '../src/cli/program.js';

const items = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 256);
const latencyMs = Number(process.argv[4] ?? 100);

{
  const { port, child: server } = await startStubOpenAIServer(latencyMs);
  const folder = mkdtempSync(join(tmpdir(), 'batch-throughput-'));
  const { cascade, input } = writeStubJob(folder, 'throughput', port, items, 'timeoutMs: 10000');
  const quiet = { stdout: () => undefined, stderr: () => undefined, env: {} };
  // Warm-up: SDK, connection pool and JIT.
  await runCli(
    ['run', cascade, '--input', input, '--output', join(folder, 'warm.jsonl'), '--concurrency', String(concurrency)],
    quiet,
  );
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const code = await runCli(
    ['run', cascade, '--input', input, '--output', join(folder, 'results.jsonl'), '--concurrency', String(concurrency)],
    quiet,
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  server.disconnect();
  const ideal = (items / concurrency) * (latencyMs / 1000);
  console.log(
    `batch-throughput: ${items} items, concurrency ${concurrency}, server latency ${latencyMs} ms (exit ${code})`,
  );
  console.log(
    `wall ${wallSeconds.toFixed(2)} s vs ideal ${ideal.toFixed(2)} s (${((wallSeconds / ideal - 1) * 100).toFixed(1)}% over); ${(items / wallSeconds).toFixed(0)} items/s`,
  );
  console.log(
    `runner CPU ${((cpu.user + cpu.system) / items / 1000).toFixed(3)} ms per item; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  console.log('target: within 15% of ideal');
}
