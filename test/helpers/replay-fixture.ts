import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  const folder = mkdtempSync(join(tmpdir(), 'cascade-test-'));
  const file = join(folder, 'fixture.jsonl');
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
  return mkdtempSync(join(tmpdir(), 'cascade-test-'));
}
