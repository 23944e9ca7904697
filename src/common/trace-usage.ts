import type { CascadeResult } from '../spec/result.js';

/** Input and output tokens over every attempt of a result (judges included). */
export function traceUsage(result: CascadeResult): { input: number; output: number } {
  let input = 0;
  let output = 0;
  for (const entry of result.trace) {
    input += entry.usage.inputTokens + (entry.gateUsage?.inputTokens ?? 0);
    output += entry.usage.outputTokens + (entry.gateUsage?.outputTokens ?? 0);
  }
  return { input, output };
}
