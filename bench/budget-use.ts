// How much of a run budget a batch spends before items stop for budget, and that it never spends more.
// 2,000 items through `cascade run` against a loopback OpenAI-protocol server (5 ms per call, 40 prompt
// and 10 answer tokens), one tier at $1/$2 per MTok with `maxTokens: 32`, `--budget-usd` a tenth of the
// job's cost, at concurrency 1, 8, 64 and 256. The floor is the budget itself: the ideal spends all of it.
// Target: spend never above the budget, and at least 95% of it spent, at every concurrency.
// Run: npm run bench:budget-use [-- items]
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/program.js';
import { benchFolder } from './temp-folder.js';

const promptTokens = 40;
const answerTokens = 10;
const callCostUsd = (promptTokens * 1 + answerTokens * 2) / 1e6;

if (process.argv[2] === '--serve') {
  const { createServer } = await import('node:http');
  const body = JSON.stringify({
    id: 'chatcmpl-budget',
    object: 'chat.completion',
    created: 1,
    model: 'budget',
    choices: [{ index: 0, message: { role: 'assistant', content: 'B' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: answerTokens, total_tokens: promptTokens + answerTokens },
  });
  let calls = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls++;
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(body);
      }, 5);
    });
  });
  process.on('message', () => process.send!({ calls }));
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('disconnect', () => process.exit(0));
} else {
  const items = Number(process.argv[2] ?? 2000);
  const server = fork(fileURLToPath(import.meta.url), ['--serve']);
  const next = () =>
    new Promise<{ port?: number; calls?: number }>((resolve) => server.once('message', resolve as never));
  const { port } = await next();
  const folder = benchFolder('budget-use-');
  const cascade = join(folder, 'cascade.yaml');
  writeFileSync(
    cascade,
    `name: budget\ntiers:\n  - { name: only, provider: openai, model: budget, baseURL: "http://127.0.0.1:${port}/v1", pricing: { inputPerMTok: 1, outputPerMTok: 2 }, params: { maxTokens: 32 } }\n`,
  );
  const input = join(folder, 'items.jsonl');
  writeFileSync(
    input,
    `${Array.from({ length: items }, (_, index) => JSON.stringify({ id: `i${index}`, prompt: `Question number ${index}: which letter?` })).join('\n')}\n`,
  );
  const budget = (items * callCostUsd) / 10;
  const quiet = { stdout: () => undefined, stderr: () => undefined, env: { OPENAI_API_KEY: 'bench' } };
  console.log(
    `${items} items, each call $${callCostUsd.toFixed(6)}; budget $${budget.toFixed(4)} (a tenth of the job)`,
  );
  console.log(
    'concurrency | spent | share of budget (floor: 100%) | answered | stopped for budget | server calls | wall s',
  );
  let worstShare = Infinity;
  let overspent = false;
  for (const concurrency of [1, 8, 64, 256]) {
    const output = join(folder, `out-${concurrency}.jsonl`);
    server.send('count');
    const before = (await next()).calls ?? 0;
    const started = performance.now();
    const code = await runCli(
      [
        'run',
        cascade,
        '--input',
        input,
        '--output',
        output,
        '--concurrency',
        String(concurrency),
        '--budget-usd',
        String(budget),
      ],
      quiet,
    );
    const wall = (performance.now() - started) / 1000;
    server.send('count');
    const calls = ((await next()).calls ?? 0) - before;
    const results = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const spent = results.reduce((sum, result) => sum + (result.costUsd ?? 0), 0);
    const answered = results.filter((result) => result.stop === 'accepted').length;
    const stopped = results.filter((result) => result.stop === 'budget').length;
    const share = spent / budget;
    worstShare = Math.min(worstShare, share);
    if (spent > budget + 1e-12) overspent = true;
    console.log(
      `${String(concurrency).padStart(11)} | $${spent.toFixed(6)} | ${(100 * share).toFixed(1).padStart(5)}% (ratio ${share.toFixed(3)}) | ${answered} | ${stopped} | ${calls} | ${wall.toFixed(2)}${code === 0 ? '' : ` (exit ${code})`}`,
    );
  }
  console.log(
    `target: never over the budget (${overspent ? 'FAILED' : 'held'}), at least 95% spent (worst ${(100 * worstShare).toFixed(1)}%: ${worstShare >= 0.95 ? 'met' : 'not met'})`,
  );
  server.kill();
}
