import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Appends one result line per call with a single write(2) of the whole line, so a process killed at any
 * moment leaves complete lines and at most one torn last line (which resume detects and redoes).
 */
export class ResultSink {
  private readonly descriptor: number | undefined;

  constructor(
    path: string,
    private readonly toStdout: (text: string) => void,
  ) {
    if (path === '-') return;
    mkdirSync(dirname(path), { recursive: true });
    this.descriptor = openSync(path, 'a');
  }

  write(record: unknown): void {
    const line = `${JSON.stringify(record)}\n`;
    if (this.descriptor === undefined) this.toStdout(line);
    else writeSync(this.descriptor, line);
  }

  close(): void {
    if (this.descriptor === undefined) return;
    fsyncSync(this.descriptor);
    closeSync(this.descriptor);
  }
}
