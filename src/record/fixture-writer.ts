import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { prepareResume } from '../batch/resume.js';
import type { FixtureItem } from '../fixtures/fixture-schema.js';

/**
 * Appends fixture records to a JSON Lines file, one write(2) per line. Opening a file a killed run
 * left behind cuts its torn last line and remembers the ids it has, so a resumed run never writes an
 * id twice (ids must be unique in a fixture).
 */
export class FixtureWriter {
  private readonly descriptor: number;
  private readonly ids: Set<string>;
  written = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    const state = existsSync(path) ? prepareResume(path) : { done: new Set<string>() };
    this.ids = new Set([...state.done].filter((key) => key.startsWith('id:')).map((key) => key.slice(3)));
    this.descriptor = openSync(path, 'a');
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  write(record: FixtureItem): void {
    if (this.ids.has(record.id)) return;
    this.ids.add(record.id);
    writeSync(this.descriptor, `${JSON.stringify(record)}\n`);
    this.written++;
  }

  close(): void {
    fsyncSync(this.descriptor);
    closeSync(this.descriptor);
  }
}
