// What `cascade serve` adds over calling the cascade in-process. The server runs in its own process
// (a cascade whose one tier answers at once: a provider that keeps nothing, no network behind it); the client sends
// chat completions, plain and streamed, over keep-alive fetch: one at a time for the added latency
// (p50, p99 over the in-process floor, the same cascade.run() timed here), then 200 at once for
// requests per second and the server's memory. A second floor separates the HTTP round trip itself
// (the client's fetch, the loopback, node:http): a bare node:http server in its own process that reads
// the body, parses it and answers a fixed chat completion.
// Targets: added p50 under 0.5 ms, p99 under 3 ms, flat memory.
// Run: npm run bench:serve-overhead [-- requests]
import { createCascade } from '../src/config/load-cascade.js';
import { startServer } from '../src/serve/start-server.js';
import type { Provider } from '../src/spec/provider.js';

const requests = Number(process.argv[2] === '--serve' ? 0 : (process.argv[2] ?? 20_000));
const clients = 200;
let clientsInFlight = clients;
// Answers at once and keeps nothing (a MockProvider would record every call it gets).
const instant: Provider = {
  specificationVersion: 'v1',
  name: 'bench',
  model: 'm',
  complete: async () => ({
    text: 'B',
    model: 'm',
    usage: { inputTokens: 10, outputTokens: 1 },
    costUsd: 0,
    latencyMs: 0,
  }),
};
const cascade = await createCascade({
  name: 'bench',
  tiers: [{ provider: instant }],
});
const body = (stream: boolean) =>
  JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Which letter? A) a B) b' }], stream });

const percentile = (values: number[], share: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
};

async function inProcess(count: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 1 }, async () => {
      while (next < count) {
        next++;
        const started = performance.now();
        await cascade.run({ messages: [{ role: 'user', content: 'Which letter? A) a B) b' }] });
        times.push(performance.now() - started);
      }
    }),
  );
  return times;
}

async function overHttp(url: string, count: number, stream: boolean): Promise<{ times: number[]; seconds: number }> {
  const times: number[] = [];
  let next = 0;
  const payload = body(stream);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clientsInFlight }, async () => {
      while (next < count) {
        next++;
        const begun = performance.now();
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payload,
        });
        await response.text();
        if (!response.ok) throw new Error(`status ${response.status}`);
        times.push(performance.now() - begun);
      }
    }),
  );
  return { times, seconds: (performance.now() - started) / 1000 };
}

if (process.argv[2] === '--bare') {
  const { createServer } = await import('node:http');
  const answer = JSON.stringify({
    id: 'chatcmpl-bare',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'B' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
  });
  const bare = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      JSON.parse(text);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(answer);
    });
  });
  bare.keepAliveTimeout = 30_000;
  bare.listen(0, '127.0.0.1', () =>
    process.send!({ url: `http://127.0.0.1:${(bare.address() as { port: number }).port}` }),
  );
  process.on('disconnect', () => process.exit(0));
} else if (process.argv[2] === '--serve') {
  const server = await startServer({ cascades: new Map([['bench', cascade]]), port: 0 });
  process.send!({ url: server.url });
  process.on('message', () => process.send!({ rssMiB: process.memoryUsage().rss / 1048576 }));
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
} else {
  const { fork } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const child = fork(fileURLToPath(import.meta.url), ['--serve']);
  const next = () =>
    new Promise<{ url?: string; rssMiB?: number }>((resolve) => child.once('message', resolve as never));
  const { url } = await next();
  const bareChild = fork(fileURLToPath(import.meta.url), ['--bare']);
  const bareUrl = await new Promise<string>((resolve) =>
    bareChild.once('message', (message) => resolve((message as { url: string }).url)),
  );
  const rss = async () => {
    child.send('rss');
    return (await next()).rssMiB!;
  };
  clientsInFlight = 1;
  await overHttp(url!, 2000, false); // warm-up: JIT, connections
  await inProcess(2000);
  const floor = await inProcess(requests);
  console.log(
    `${requests} requests each, keep-alive fetch on 127.0.0.1, the server in its own process; node ${process.version}`,
  );
  console.log(
    `floor (cascade.run in-process, one at a time): p50 ${percentile(floor, 0.5).toFixed(3)} ms, p99 ${percentile(floor, 0.99).toFixed(3)} ms`,
  );
  await overHttp(bareUrl, 2000, false);
  const { times: bareTimes } = await overHttp(bareUrl, requests, false);
  const bare50 = percentile(bareTimes, 0.5);
  const bare99 = percentile(bareTimes, 0.99);
  console.log(
    `floor (a bare node:http server, the same client, one at a time): p50 ${bare50.toFixed(2)} ms, p99 ${bare99.toFixed(2)} ms`,
  );
  for (const stream of [false, true]) {
    const { times } = await overHttp(url!, requests, stream);
    const p50 = percentile(times, 0.5) - percentile(floor, 0.5);
    const p99 = percentile(times, 0.99) - percentile(floor, 0.99);
    console.log(
      `${stream ? 'streamed' : 'plain   '} one at a time: p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms; added p50 ${p50.toFixed(2)} ms (target < 0.5), p99 ${p99.toFixed(2)} ms (target < 3); over the bare server p50 +${(percentile(times, 0.5) - bare50).toFixed(2)} ms (${(percentile(times, 0.5) / bare50).toFixed(2)}x), p99 +${(percentile(times, 0.99) - bare99).toFixed(2)} ms`,
    );
  }
  // 100,000 requests at 200 at once (half plain, half streamed), for the rate and whether memory stays flat.
  clientsInFlight = clients;
  const half = Math.max(requests, 50_000);
  const before = await rss();
  let middle = before;
  for (const stream of [false, true]) {
    const { seconds } = await overHttp(url!, half, stream);
    console.log(`${stream ? 'streamed' : 'plain   '} ${clients} at once: ${(half / seconds).toFixed(0)} requests/s`);
    if (!stream) middle = await rss();
  }
  console.log(
    `server memory over ${2 * half} requests at ${clients} at once: ${before.toFixed(0)} MiB before, ${middle.toFixed(0)} MiB halfway, ${(await rss()).toFixed(0)} MiB after`,
  );
  child.disconnect();
  bareChild.disconnect();
}
