import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// Every folder a test file made is removed when the file's tests are done, so runs leave no litter.
const made: string[] = [];
afterAll(() => {
  for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file's tests. */
function madeFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-test-'));
  made.push(folder);
  return folder;
}

export interface RecordedAnswer {
  text: string;
  costUsd?: number;
  confidence?: number;
  latencyMs?: number;
  usage?: { inputTokens: number; outputTokens: number };
}

/** Write a fixture file (docs/fixtures.md format) to a fresh temporary folder and return its path. */
export function writeFixture(
  items: { id: string; prompt?: string; responses: Record<string, RecordedAnswer> }[],
): string {
  const file = join(madeFolder(), 'fixture.jsonl');
  const lines = items.map((item) =>
    JSON.stringify({
      id: item.id,
      input: { messages: [{ role: 'user', content: item.prompt ?? `question ${item.id}` }] },
      responses: item.responses,
    }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export function tempDir(): string {
  return madeFolder();
}
