import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactSecrets } from '../common/secrets.js';
import { CascadeError } from '../errors/index.js';

/** Writing the output failed (a full disk, a lost mount): names the file; what was written before stays. */
export class OutputWriteError extends CascadeError {
  override name = 'OutputWriteError' as const;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOSPC' ? 'no space left on the device' : ((cause as Error).message ?? String(cause));
    super(`cannot write to ${file}: ${reason}`, { cause });
  }
}

/**
 * Appends one result line per call with a single write(2) of the whole line, so a process killed at any
 * moment leaves complete lines and at most one torn last line (which resume detects and redoes). A write
 * that fails part-way is cut back to the last whole line, so a later write cannot leave a torn line in
 * the middle of the file.
 */
export class ResultSink {
  private readonly descriptor: number | undefined;
  private size = 0;
  private readonly regularFile: boolean = false;

  constructor(
    private readonly path: string,
    private readonly toStdout: (text: string) => void,
  ) {
    if (path === '-') return;
    mkdirSync(dirname(path), { recursive: true });
    this.descriptor = openSync(path, 'a');
    const stats = fstatSync(this.descriptor);
    this.regularFile = stats.isFile();
    this.size = stats.size;
  }

  /** Write one record; `rawId` (the id's JSON source as the input wrote it) is written first, verbatim. */
  write(record: Record<string, unknown>, rawId?: string): void {
    let line: string;
    if (rawId === undefined) line = `${JSON.stringify(record)}\n`;
    else {
      const { id: _id, ...rest } = record;
      const body = JSON.stringify(rest);
      line = `{"id":${rawId}${body === '{}' ? '}' : `,${body.slice(1)}`}\n`;
    }
    // No form of an API key is ever written, whatever a server echoed into an answer or an error.
    line = redactSecrets(line);
    if (this.descriptor === undefined) {
      this.toStdout(line);
      return;
    }
    try {
      // One write of the whole line; the rare short write (a full disk) finishes from a buffer.
      const length = Buffer.byteLength(line, 'utf8');
      let written = writeSync(this.descriptor, line);
      if (written < length) {
        const bytes = Buffer.from(line, 'utf8');
        while (written < length) written += writeSync(this.descriptor, bytes, written);
      }
      this.size += length;
    } catch (error) {
      if (this.regularFile) {
        try {
          ftruncateSync(this.descriptor, this.size);
        } catch {
          // The file keeps a torn last line; resume cuts it.
        }
      }
      throw new OutputWriteError(this.path, error);
    }
  }

  close(): void {
    if (this.descriptor === undefined) return;
    try {
      if (this.regularFile) fsyncSync(this.descriptor);
    } finally {
      closeSync(this.descriptor);
    }
  }
}
