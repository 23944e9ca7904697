// A queued run on 1, 2 and 4 `cascade worker` processes (each at concurrency 64), 20,000 items against a
// loopback OpenAI-protocol server that answers each call after 100 ms: wall time against the ideal
// (items x latency / (workers x 64)), the speed-up per worker, and beside it the floor, a local
// `cascade run` at the same concurrency as one worker, so the per-item overhead of the queue shows.
// Redis is a redis-server of the bench's own on a free loopback port; the server runs in a child process.
// Run: npm run bench:queue-scaling [-- items latencyMs]
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStubOpenAIServer, writeStubJob } from './stub-openai-server.js';

const items = Number(process.argv[2] ?? 20_000);
const latencyMs = Number(process.argv[3] ?? 100);
const perWorker = 64;
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

{
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('queue-scaling: skipped, redis-server is not installed (apt-get install -y redis-server)');
    process.exit(0);
  }
  const folder = mkdtempSync(join(tmpdir(), 'queue-scaling-'));
  const redisPort = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await waitFor(redis, 'Ready to accept connections');
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const { port, child: server } = await startStubOpenAIServer(latencyMs);
  const { cascade, input } = writeStubJob(
    folder,
    'scaling',
    port,
    items,
    'timeoutMs: 30000, pricing: { inputPerMTok: 1, outputPerMTok: 1 }',
  );
  // Wall time, and the CPU the process used, read just before it exits (its summary is the last line).
  const run = (args: string[]) =>
    new Promise<{ wall: number; cpu: number }>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let cpu = Number.NaN;
      child.stdout!.on('data', () => {
        cpu = cpuSeconds(child.pid);
      });
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      child.on('exit', (code) =>
        code === 0
          ? resolve({ wall: (performance.now() - started) / 1000, cpu })
          : reject(new Error(`${args[0]} exited ${code}: ${stderr}`)),
      );
    });
  const rows: { label: string; workers: number; wall: number; ideal: number; cpuMsPerItem: string }[] = [];
  try {
    // The floor: the same items in one local process at one worker's concurrency (a warm-up first).
    await run([
      'run',
      cascade,
      '--input',
      input,
      '--output',
      join(folder, 'warm.jsonl'),
      '--concurrency',
      String(perWorker),
    ]);
    const local = await run([
      'run',
      cascade,
      '--input',
      input,
      '--output',
      join(folder, 'local.jsonl'),
      '--concurrency',
      String(perWorker),
    ]);
    rows.push({
      label: 'local run (floor)',
      workers: 1,
      wall: local.wall,
      ideal: (items * latencyMs) / 1000 / perWorker,
      cpuMsPerItem: `run ${((local.cpu * 1000) / items).toFixed(2)}`,
    });
    for (const workers of [1, 2, 4]) {
      const started = await Promise.all(
        Array.from({ length: workers }, () =>
          startWorker(['worker', cascade, '--queue', redisUrl, '--concurrency', String(perWorker)]),
        ),
      );
      const redisBefore = cpuSeconds(redis.pid);
      const workersBefore = started.map((worker) => cpuSeconds(worker.pid));
      const { wall, cpu: collectorCpu } = await run([
        'run',
        cascade,
        '--queue',
        redisUrl,
        '--run-id',
        `scaling-${workers}`,
        '--input',
        input,
        '--output',
        join(folder, `queued-${workers}.jsonl`),
      ]);
      const workerCpu = started.reduce((sum, worker, index) => sum + cpuSeconds(worker.pid) - workersBefore[index]!, 0);
      const redisCpu = cpuSeconds(redis.pid) - redisBefore;
      const perItem = (seconds: number) => ((seconds * 1000) / items).toFixed(2);
      const cpuMsPerItem = `workers ${perItem(workerCpu)}, redis ${perItem(redisCpu)}, collector ${perItem(collectorCpu)}`;
      for (const worker of started) {
        worker.kill('SIGTERM');
        await new Promise((resolve) => worker.once('exit', resolve));
      }
      rows.push({
        label: `queue, ${workers} worker${workers > 1 ? 's' : ''}`,
        workers,
        wall,
        ideal: (items * latencyMs) / 1000 / perWorker / workers,
        cpuMsPerItem,
      });
    }
  } finally {
    server.kill();
    redis.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
  const one = rows.find((row) => row.label.startsWith('queue, 1 '))!;
  const floor = rows[0]!;
  console.log(
    `queue-scaling, ${new Date().toISOString().slice(0, 10)}: ${items} items, ${latencyMs} ms a call, ${perWorker} in flight per worker, ${(await import('node:os')).cpus().length} cores`,
  );
  console.log('setup                 wall s   ideal s   over ideal   speed-up   vs floor   CPU ms per item');
  for (const row of rows) {
    console.log(
      `${row.label.padEnd(20)} ${row.wall.toFixed(2).padStart(7)} ${row.ideal.toFixed(2).padStart(9)} ${`${(((row.wall - row.ideal) / row.ideal) * 100).toFixed(1)}%`.padStart(12)} ${row.label.startsWith('queue') ? `${(one.wall / row.wall).toFixed(2)}x`.padStart(10) : ''.padStart(10)} ${`${(row.wall / floor.wall).toFixed(2)}x`.padStart(10)}   ${row.cpuMsPerItem}`,
    );
  }
  console.log(
    `queue overhead over the local run at one worker: ${(((one.wall - floor.wall) * 1000) / items).toFixed(3)} ms of wall per item (${((((one.wall - floor.wall) * 1000) / items) * perWorker).toFixed(1)} ms added to each item's latency at ${perWorker} in flight)`,
  );
  const cores = (await import('node:os')).cpus().length;
  console.log(
    `target: within 25% of ideal at 4 workers. A core gives 1000 ms of CPU a second: with the CPU per item above, ${cores} cores can finish at most ${cores} x 1000 / (CPU ms per item) items a second, whatever the worker count (the test server's CPU not counted).`,
  );
}

/** User plus system CPU seconds a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function waitFor(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before: ${text}`)));
  });
}

async function startWorker(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('taking jobs')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${seen}`)));
  });
  return child;
}
