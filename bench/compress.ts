// Prompt compression on the prompts of ../shared/data: tokens saved (o200k) and throughput.
// Steps: whitespace, dedupe, few-shot (keep 2). Target: at least 5 MB/s.
// Run: npm run bench:compress [keep]
import { existsSync, readdirSync } from 'node:fs';
import { compressText } from '../src/compress/compress-messages.js';
import type { CompressStep } from '../src/config/schema.js';
import { readFixtures } from '../src/fixtures/read-fixtures.js';
import type { ChatMessage } from '../src/spec/request.js';
import { countMessageTokens } from '../src/tokens/count-tokens.js';

const dataDir = new URL('../../../shared/data/', import.meta.url).pathname;
const keep = Number(process.argv[2] ?? 2);
const steps: CompressStep[] = [{ type: 'whitespace', markup: true }, { type: 'dedupe' }, { type: 'few-shot', keep }];

if (!existsSync(dataDir)) {
  console.log(`bench/compress: skipped, ${dataDir} is absent`);
  process.exit(0);
}

const bytesOf = (messages: readonly ChatMessage[]) =>
  messages.reduce((sum, message) => sum + Buffer.byteLength(message.content), 0);

console.log(
  `prompt compression: ${steps.map((step) => step.type).join(' -> ')} (few-shot keep ${keep}); tokens counted with o200k`,
);
console.log(
  'data set                 | prompts |     MB | tokens before |  after | saved | compress MB/s | incl. counting MB/s',
);
let allBytes = 0;
let allSeconds = 0;
for (const name of readdirSync(dataDir)
  .filter((entry) => existsSync(`${dataDir}${entry}/train.jsonl`))
  .sort()) {
  const prompts: ChatMessage[][] = [];
  for (const split of ['train', 'test']) {
    for (const item of await readFixtures(`${dataDir}${name}/${split}.jsonl`)) prompts.push(item.input.messages);
  }
  const bytes = prompts.reduce((sum, messages) => sum + bytesOf(messages), 0);
  // Warm up, then time the compression alone, three rounds.
  for (const messages of prompts.slice(0, 50)) compressText(messages, steps);
  let compressed: ChatMessage[][] = [];
  const started = performance.now();
  for (let round = 0; round < 3; round++) compressed = prompts.map((messages) => compressText(messages, steps));
  const seconds = (performance.now() - started) / 1000 / 3;
  const countStarted = performance.now();
  let before = 0;
  let after = 0;
  for (let index = 0; index < prompts.length; index++) {
    before += countMessageTokens(prompts[index]!);
    after += countMessageTokens(compressed[index]!);
  }
  const countSeconds = (performance.now() - countStarted) / 1000;
  allBytes += bytes;
  allSeconds += seconds;
  const megabytes = bytes / 1e6;
  console.log(
    `${name.padEnd(24)} | ${String(prompts.length).padStart(7)} | ${megabytes.toFixed(2).padStart(6)} | ${String(before).padStart(13)} | ${String(after).padStart(6)} | ${`${((100 * (before - after)) / before).toFixed(1)}%`.padStart(5)} | ${(megabytes / seconds).toFixed(1).padStart(13)} | ${(megabytes / (seconds + countSeconds)).toFixed(1).padStart(19)}`,
  );
}
console.log(
  `all: ${(allBytes / 1e6).toFixed(2)} MB compressed at ${(allBytes / 1e6 / allSeconds).toFixed(1)} MB/s (target: at least 5 MB/s)`,
);
