// An OpenAI chat-completions server on 127.0.0.1 that answers every call with "B" after a fixed
// latency, in a child process of its own so it does not share the measured process's event loop.
// Run as a child by `startStubOpenAIServer`; standalone: node dist/bench/stub-openai-server.js <latencyMs>
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

/** Start the server in a child process; resolves with its port and a way to stop it. */
export async function startStubOpenAIServer(latencyMs: number): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(self, [String(latencyMs)]);
  const port = await new Promise<number>((resolve) => child.once('message', (message) => resolve(message as number)));
  return { port, child };
}

/**
 * A one-tier cascade on the stub server and `items` one-line questions, in `folder`: the job the
 * throughput benches run. `tierFields` are added to the tier's flow mapping.
 */
export function writeStubJob(
  folder: string,
  name: string,
  port: number,
  items: number,
  tierFields: string,
): { cascade: string; input: string } {
  const cascade = join(folder, 'cascade.yaml');
  writeFileSync(
    cascade,
    `name: ${name}\ntiers:\n  - { name: only, provider: openai, model: bench, baseURL: "http://127.0.0.1:${port}/v1", ${tierFields} }\n`,
  );
  const input = join(folder, 'items.jsonl');
  writeFileSync(
    input,
    Array.from({ length: items }, (_, index) => JSON.stringify({ id: `i${index}`, prompt: `Question ${index}` })).join(
      '\n',
    ) + '\n',
  );
  return { cascade, input };
}

if (process.argv[1] === self) {
  const latencyMs = Number(process.argv[2] ?? 100);
  const body = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1,
    model: 'bench',
    choices: [{ index: 0, message: { role: 'assistant', content: 'B' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 30, completion_tokens: 1, total_tokens: 31 },
  });
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () =>
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(body);
      }, latencyMs),
    );
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
  process.on('disconnect', () => process.exit(0));
}
