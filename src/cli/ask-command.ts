import { loadCascadeFile } from '../config/load-cascade.js';
import type { ChatMessage } from '../spec/request.js';
import { formatTrace } from './format-trace.js';
import type { CliIo } from './io.js';

export interface AskOptions {
  replay?: string;
  json?: boolean;
  system?: string;
}

/** `cascade ask <cascade.yaml> "<prompt>"`: one request, the answer on stdout, then a short trace. */
export async function askCommand(file: string, prompt: string, options: AskOptions, io: CliIo): Promise<number> {
  const cascade = await loadCascadeFile(file, { env: io.env, ...(options.replay && { replay: options.replay }) });
  cascade.checkEnvironment(io.env);
  const messages: ChatMessage[] = options.system ? [{ role: 'system', content: options.system }] : [];
  messages.push({ role: 'user', content: prompt });
  const result = await cascade.run({ messages });
  if (options.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout(`${result.text ?? '(no answer)'}\n\n`);
    io.stdout(`${formatTrace(result)}\n`);
  }
  return result.stop === 'error' ? 1 : 0;
}
