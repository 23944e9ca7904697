import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { loadCascadeFile } from '../config/load-cascade.js';
import { readItems } from './read-items.js';
import type { CliIo } from './io.js';
import { RunSummary } from './summary.js';
import { topTierCostUsd } from './top-tier-cost.js';

export interface RunOptions {
  input: string;
  output: string;
  replay?: string;
}

/**
 * `cascade run`: every item of the input through the cascade, one result line per item (with its id)
 * written as it finishes, then a summary. A bad input line becomes an error result; the run goes on.
 */
export async function runCommand(file: string, options: RunOptions, io: CliIo): Promise<number> {
  const cascade = await loadCascadeFile(file, { env: io.env, ...(options.replay && { replay: options.replay }) });
  cascade.checkEnvironment(io.env);
  const tierNames = cascade.tiers.map((tier) => tier.name);
  const summary = new RunSummary(tierNames, tierNames[tierNames.length - 1]!);
  const toStdout = options.output === '-';
  if (!toStdout) await mkdir(dirname(options.output), { recursive: true });
  const out = toStdout ? undefined : createWriteStream(options.output, { encoding: 'utf8' });
  const write = async (record: unknown) => {
    const line = `${JSON.stringify(record)}\n`;
    if (!out) return void io.stdout(line);
    if (!out.write(line)) await once(out, 'drain');
  };

  const started = performance.now();
  for await (const item of readItems(options.input)) {
    if ('error' in item) {
      summary.addInputError();
      await write({ ...(item.id !== undefined && { id: item.id }), line: item.line, stop: 'error', error: item.error });
      continue;
    }
    const result = await cascade.run(item.request);
    summary.add(result, topTierCostUsd(cascade, item.request, result));
    await write({ ...item.extra, id: item.id, ...result });
  }
  if (out) {
    out.end();
    await once(out, 'finish');
  }
  const report = summary.format(toStdout ? '(stdout)' : options.output, (performance.now() - started) / 1000);
  (toStdout ? io.stderr : io.stdout)(`cascade ${cascade.name}\n${report}\n`);
  return 0;
}
