import { prepareResume } from '../output/resume.js';
import { ResultSink } from '../output/result-sink.js';
import { ConfigError } from '../errors/index.js';
import type { FixtureItem } from '../fixtures/fixture-schema.js';

/**
 * Appends fixture records to a JSON Lines file, one write(2) per line. Opening a file a killed run
 * left behind cuts its torn last line and remembers the ids it has, so a resumed run never writes an
 * id twice (ids must be unique in a fixture).
 */
export class FixtureWriter {
  private readonly sink: ResultSink;
  private readonly ids: Set<string>;
  written = 0;

  private constructor(
    readonly path: string,
    ids: Set<string>,
  ) {
    this.ids = ids;
    // The same line-at-a-time appender as results: a fixture file is JSON Lines too.
    this.sink = new ResultSink(path, () => undefined);
  }

  /** Open (and resume) a fixture file. */
  static async open(path: string): Promise<FixtureWriter> {
    // `-` means standard output to the result sink; a recording needs a file it can resume.
    if (path === '-')
      throw new ConfigError('A fixture file to record or explore into must be a file, not `-` (standard output)');
    const { done } = await prepareResume(path);
    // Fixture ids are strings: a key is the id's JSON text.
    const ids = new Set(
      [...done.keys()].filter((key) => key.startsWith('id:"')).map((key) => JSON.parse(key.slice(3)) as string),
    );
    return new FixtureWriter(path, ids);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  write(record: FixtureItem): void {
    if (this.ids.has(record.id)) return;
    this.ids.add(record.id);
    this.sink.write(record);
    // Written now, before the item's result line: a resumed run skips items by their results, so a
    // recording held for a later write could be lost (kill -9) for an item the next run never redoes.
    this.sink.flush();
    this.written++;
  }

  close(): void {
    this.sink.close();
  }
}
