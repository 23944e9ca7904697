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

/** Lines held before they are written at once, at most: a turn that finishes more writes them early. */
const heldBytesLimit = 1 << 20;
/** The held lines' bytes start in a buffer this large, grown as needed and made anew past twice the limit. */
const startingBufferBytes = 64 * 1024;
/** The byte that ends each line. */
const newline = 0x0a;

/**
 * Appends result lines, the lines of one event-loop turn in a single write(2): `write` holds a line,
 * `flush` writes every held line at once, and the caller flushes at the end of the turn (`flushSoon`)
 * or before it acts on the lines being written (the queue collector, before trimming Redis). A live
 * call's result is held only for the rest of its turn, microseconds; a replay, whose thousands of
 * results finish in a few turns, writes kilobytes per call instead of a line. A process that exits
 * (process.exit, an uncaught error) writes what it held first; one killed at any moment leaves complete
 * lines and at most one torn last line (which resume detects and redoes). A write that fails part-way
 * is cut back to the last whole line, so a later write cannot leave a torn line in the middle of the file.
 */
export class ResultSink {
  private readonly descriptor: number | undefined;
  private size = 0;
  private readonly regularFile: boolean = false;
  /**
   * The held lines, encoded as each is written: flushing writes these bytes as they are (no joining of
   * the lines' strings and encoding them again), and no string is kept for the collector to move.
   */
  private held = Buffer.allocUnsafe(startingBufferBytes);
  private heldBytes = 0;
  private heldCount = 0;
  private flushScheduled = false;
  private closed = false;
  private readonly flushOnExit = () => {
    try {
      this.flush();
    } catch {
      // Exiting already: the lines stay unwritten, and resume runs their items again.
    }
  };

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

  /** Lines held, not yet written. */
  get heldLines(): number {
    return this.heldCount;
  }

  /**
   * Hold one record's line until the next `flush`; `rawId` (the id's JSON source as the input wrote it)
   * is written first, verbatim. More than a megabyte held is written at once (and may throw as `flush`).
   */
  write(record: Record<string, unknown>, rawId?: string): void {
    let line = JSON.stringify(record);
    if (rawId !== undefined) {
      // Records start with their id: its JSON gives way to the id's source, without copying the record.
      const idJson = JSON.stringify(record['id']);
      const written = `{"id":${idJson}`;
      const after = line[written.length];
      if (record['id'] !== undefined && line.startsWith(written) && (after === ',' || after === '}')) {
        // Most ids are written as JSON writes them: the line stays as it is (one flat string to join).
        if (rawId !== idJson) line = `{"id":${rawId}${line.slice(written.length)}`;
      } else {
        const { id: _id, ...rest } = record;
        const body = JSON.stringify(rest);
        line = `{"id":${rawId}${body === '{}' ? '}' : `,${body.slice(1)}`}`;
      }
    }
    // No form of an API key is ever written, whatever a server echoed into an answer or an error.
    line = redactSecrets(line);
    if (this.descriptor === undefined) {
      this.toStdout(`${line}\n`);
      return;
    }
    if (this.closed) throw this.closedError();
    this.hold(line);
    // Only while lines are held: a sink never closed (a run that threw) leaves no listener behind.
    if (this.heldCount === 1) process.on('exit', this.flushOnExit);
    if (this.heldBytes >= heldBytesLimit) this.flush();
  }

  /**
   * Encode `line` and its newline after the held bytes, growing the buffer when it might not fit. The
   * newline is a byte of its own: `line + '\n'` would copy each kilobyte line once more to flatten it.
   */
  private hold(line: string): void {
    // At most three bytes of UTF-8 for each UTF-16 unit of the string, and the newline.
    const room = this.heldBytes + 3 * line.length + 1;
    if (room > this.held.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.held.length, room));
      this.held.copy(grown, 0, 0, this.heldBytes);
      this.held = grown;
    }
    this.heldBytes += this.held.write(line, this.heldBytes);
    this.held[this.heldBytes++] = newline;
    this.heldCount++;
  }

  /**
   * Write the held lines at the end of this turn; `onError` gets an OutputWriteError, whose lines stay
   * held for a later `flush`.
   */
  flushSoon(onError: (error: OutputWriteError) => void): void {
    if (this.flushScheduled || this.heldCount === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      try {
        this.flush();
      } catch (error) {
        if (!(error instanceof OutputWriteError)) throw error;
        onError(error);
      }
    });
  }

  /** Write every held line now, in one write; on failure they stay held and an OutputWriteError is thrown. */
  flush(): void {
    if (this.descriptor === undefined || this.heldCount === 0) return;
    if (this.closed) throw this.closedError();
    try {
      // One write of all the lines; a short write (a full disk) goes on from where it stopped.
      const length = this.heldBytes;
      let written = 0;
      while (written < length) written += writeSync(this.descriptor, this.held, written, length - written);
      this.size += length;
      this.release();
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

  /** Drop the held lines (a write keeps failing and the run ends): how many were dropped. */
  discardHeld(): number {
    const dropped = this.heldCount;
    this.release();
    return dropped;
  }

  private closedError(): OutputWriteError {
    return new OutputWriteError(this.path, new Error('the output was closed before these lines were written'));
  }

  private release(): void {
    // A buffer grown far (lines held through a failing disk) is not kept.
    if (this.held.length > 2 * heldBytesLimit) this.held = Buffer.allocUnsafe(startingBufferBytes);
    this.heldBytes = 0;
    this.heldCount = 0;
    process.off('exit', this.flushOnExit);
  }

  /** Write what is held (throwing as `flush` if that fails) and close. */
  close(): void {
    if (this.descriptor === undefined || this.closed) return;
    try {
      this.flush();
      if (this.regularFile) fsyncSync(this.descriptor);
    } finally {
      // A descriptor number is reused by the next file opened: nothing may write to this one after.
      this.closed = true;
      process.off('exit', this.flushOnExit);
      closeSync(this.descriptor);
    }
  }
}

/**
 * Run `use` with a sink on `path`, closed however `use` ends: what finished is written before the caller
 * lets the output's lock go. A close that fails after `use` threw is left to that error to tell.
 */
export async function withResultSink<T>(
  path: string,
  toStdout: (text: string) => void,
  use: (sink: ResultSink) => Promise<T>,
): Promise<T> {
  const sink = new ResultSink(path, toStdout);
  let value: T;
  try {
    value = await use(sink);
  } catch (error) {
    try {
      sink.close();
    } catch {
      // The error `use` threw says more; what could not be written is redone by the next run.
    }
    throw error;
  }
  sink.close();
  return value;
}
