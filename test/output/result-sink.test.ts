import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OutputWriteError, ResultSink } from '../../src/output/result-sink.js';
import { tempDir } from '../helpers/replay-fixture.js';

const turnEnds = () => new Promise<void>((resolve) => setImmediate(resolve));
const linesOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('ResultSink', () => {
  it('holds the lines of a turn and writes them all when it ends', async () => {
    const file = join(tempDir(), 'out.jsonl');
    const sink = new ResultSink(file, () => undefined);
    const errors: OutputWriteError[] = [];
    for (let index = 0; index < 3; index++) {
      sink.write({ id: `item-${index}`, text: 'A' }, `"item-${index}"`);
      sink.flushSoon((error) => errors.push(error));
    }
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(sink.heldLines).toBe(3);
    await turnEnds();
    expect(linesOf(file).map((line) => line['id'])).toEqual(['item-0', 'item-1', 'item-2']);
    expect(sink.heldLines).toBe(0);
    sink.write({ id: 7, text: 'B' }, '7');
    sink.close();
    expect(linesOf(file).at(-1)).toEqual({ id: 7, text: 'B' });
    expect(errors).toEqual([]);
  });

  it('writes every character as UTF-8, lines longer than its buffer and more than a megabyte held among them', () => {
    const file = join(tempDir(), 'out.jsonl');
    const sink = new ResultSink(file, () => undefined);
    const texts = ['é à ü', '🦀 crab', '中文答案', 'x'.repeat(200_000), `${'ß'.repeat(70_000)}🦀`, 'plain'];
    const records = Array.from({ length: 60 }, (_, index) => ({
      id: `i${index}`,
      text: `${texts[index % texts.length]} ${index}`,
    }));
    for (const record of records) sink.write(record, JSON.stringify(record.id));
    // Past a megabyte the held lines were written at once, without waiting for the turn's end.
    expect(linesOf(file).length).toBeGreaterThan(0);
    expect(sink.heldLines).toBeLessThan(records.length);
    sink.close();
    expect(linesOf(file)).toEqual(records);
    expect(readFileSync(file).length).toBe(
      records.reduce((bytes, record) => bytes + Buffer.byteLength(`${JSON.stringify(record)}\n`), 0),
    );
  });

  it('writes each id as the input wrote it, whatever the record holds as its id', () => {
    const file = join(tempDir(), 'out.jsonl');
    const sink = new ResultSink(file, () => undefined);
    sink.write({ id: 1, text: 'a' }, '12345678901234567891');
    sink.write({ id: '1', text: 'b' }, '1');
    sink.write({ text: 'c', id: 'x' }, '"x"');
    sink.write({ id: 'only' }, '"only"');
    sink.write({ id: 'esc"aped' }, '"esc\\"aped"');
    sink.close();
    expect(readFileSync(file, 'utf8').split('\n')).toEqual([
      '{"id":12345678901234567891,"text":"a"}',
      '{"id":1,"text":"b"}',
      '{"id":"x","text":"c"}',
      '{"id":"only"}',
      '{"id":"esc\\"aped"}',
      '',
    ]);
  });

  it('writes what it holds when the process exits before the turn ends', () => {
    const file = join(tempDir(), 'out.jsonl');
    const sinkModule = fileURLToPath(new URL('../../dist/src/output/result-sink.js', import.meta.url));
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { ResultSink } = await import(${JSON.stringify(sinkModule)});
         const sink = new ResultSink(${JSON.stringify(file)}, () => undefined);
         sink.write({ id: 'a', text: 'paid for' });
         sink.write({ id: 'b', text: 'paid for too' });
         throw new Error('a bug after the results came in');`,
      ],
      { encoding: 'utf8' },
    );
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('a bug after the results came in');
    expect(linesOf(file).map((line) => line['id'])).toEqual(['a', 'b']);
  });

  it('listens for the process exit only while it holds lines, and not after it is closed', async () => {
    const file = join(tempDir(), 'out.jsonl');
    const before = process.listenerCount('exit');
    const sink = new ResultSink(file, () => undefined);
    expect(process.listenerCount('exit')).toBe(before);
    sink.write({ id: 'a' });
    expect(process.listenerCount('exit')).toBe(before + 1);
    sink.flushSoon(() => undefined);
    await turnEnds();
    expect(process.listenerCount('exit')).toBe(before);
    sink.write({ id: 'b' });
    sink.close();
    expect(process.listenerCount('exit')).toBe(before);
    expect(linesOf(file).map((line) => line['id'])).toEqual(['a', 'b']);
    expect(() => sink.write({ id: 'late' })).toThrow(/the output was closed before these lines were written/);
    expect(process.listenerCount('exit')).toBe(before);
  });

  it('keeps the lines a failed write could not take, for a later flush', async () => {
    const sink = new ResultSink('/dev/full', () => undefined);
    const errors: OutputWriteError[] = [];
    sink.write({ id: 'a' });
    sink.flushSoon((error) => errors.push(error));
    await turnEnds();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('cannot write to /dev/full: no space left on the device');
    expect(sink.heldLines).toBe(1);
    expect(() => sink.flush()).toThrow(OutputWriteError);
    expect(sink.discardHeld()).toBe(1);
    sink.close();
  });

  it('writes early when a turn holds more than a megabyte', () => {
    const file = join(tempDir(), 'out.jsonl');
    const sink = new ResultSink(file, () => undefined);
    const text = 'x'.repeat(100_000);
    for (let index = 0; index < 11; index++) sink.write({ id: `item-${index}`, text });
    expect(sink.heldLines).toBe(0);
    expect(linesOf(file)).toHaveLength(11);
    sink.close();
  });
});
