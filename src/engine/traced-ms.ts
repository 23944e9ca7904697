import type { Provider } from '../spec/provider.js';

/**
 * How long a step took, as the trace counts it. A provider that answers from a recording is given what
 * was recorded (`recordedMs`; none for a request the recording lacks): the wall time would differ from
 * run to run, and a replay gives the same figures every time. Any other, the wall time since `started`.
 */
export function tracedMs(provider: Provider, started: number, recordedMs = 0): number {
  return provider.answersFromMemory ? recordedMs : performance.now() - started;
}
