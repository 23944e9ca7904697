import { loadCascadeFile } from '../config/load-cascade.js';
import type { ChatMessage } from '../spec/request.js';
import type { CascadeResult } from '../spec/result.js';
import { requestKey } from '../fixtures/request-key.js';
import { FixtureWriter } from '../record/fixture-writer.js';
import { runRecorded } from '../record/run-recorded.js';
import { loadOptionsFrom, type SourceOptions } from './source-options.js';
import { formatTrace } from './format-trace.js';
import type { CliIo } from './io.js';

export interface AskOptions extends SourceOptions {
  json?: boolean;
  system?: string;
  /** Append the calls of this request to a fixture file. */
  record?: string;
}

/** `cascade ask <cascade.yaml> "<prompt>"`: one request, the answer on stdout, then a short trace. */
export async function askCommand(file: string, prompt: string, options: AskOptions, io: CliIo): Promise<number> {
  const cascade = await loadCascadeFile(
    file,
    loadOptionsFrom(options, io.env, options.record !== undefined, (message) => io.stderr(`cascade: ${message}\n`)),
  );
  cascade.checkEnvironment(io.env);
  const messages: ChatMessage[] = options.system ? [{ role: 'system', content: options.system }] : [];
  messages.push({ role: 'user', content: prompt });
  const record = options.record ? await FixtureWriter.open(options.record) : undefined;
  let result: CascadeResult;
  try {
    // A prompt has no id; the recording names it by its messages, which is also how replay finds it.
    result = await runRecorded(
      cascade,
      `ask-${requestKey(messages).slice(0, 16)}`,
      { messages },
      {},
      record ? { record } : {},
    );
  } finally {
    record?.close();
    cascade.close();
  }
  if (options.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout(`${result.text ?? '(no answer)'}\n\n`);
    io.stdout(`${formatTrace(result)}\n`);
  }
  return result.stop === 'error' ? 1 : 0;
}
