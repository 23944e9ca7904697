import { AbortedError, GateError } from '../errors/index.js';
import type { Completion } from '../spec/completion.js';
import type { EarlierAnswer, Gate } from '../spec/gate.js';
import type { CascadeRequest } from '../spec/request.js';
import type { GateRecord } from '../spec/result.js';

export interface GatesOutcome {
  passed: boolean;
  records: GateRecord[];
  /** The answer after gate rewrites. */
  text: string;
  value?: unknown;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** What the gates' own calls took, as they reported it (see GateVerdict.latencyMs). */
  callsMs: number;
}

/**
 * Run the gates in order (the tier holds them cheapest first) and stop at the first failure.
 * A gate that throws is broken: its answer is not trusted, so it counts as a failed verdict.
 */
export async function runGates(
  gates: readonly Gate[],
  request: CascadeRequest,
  completion: Completion,
  tierName: string,
  earlier: readonly EarlierAnswer[],
  signal: AbortSignal | undefined,
  onGateEnd?: (record: GateRecord, ms: number) => void,
): Promise<GatesOutcome> {
  const outcome: GatesOutcome = {
    passed: true,
    records: [],
    text: completion.text,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    callsMs: 0,
  };
  for (const gate of gates) {
    // Each gate's time is read only for a listener: the tier's trace times its gates as a whole.
    const started = onGateEnd ? performance.now() : 0;
    let record: GateRecord;
    try {
      const verdict = await gate.check(
        { request, completion, text: outcome.text, tierName, earlier },
        signal ? { signal } : {},
      );
      record = { name: gate.name, pass: verdict.pass, reason: verdict.reason, costUsd: verdict.costUsd ?? 0 };
      if (verdict.score !== undefined) record.score = verdict.score;
      if (verdict.text !== undefined) outcome.text = verdict.text;
      if (verdict.value !== undefined) outcome.value = verdict.value;
      outcome.inputTokens += verdict.usage?.inputTokens ?? 0;
      outcome.outputTokens += verdict.usage?.outputTokens ?? 0;
      outcome.callsMs += verdict.latencyMs ?? 0;
    } catch (error) {
      if (signal?.aborted) throw new AbortedError();
      record = {
        name: gate.name,
        pass: false,
        reason: `gate failed to run: ${error instanceof Error ? error.message : String(error)}`,
        costUsd: GateError.isInstance(error) ? error.costUsd : 0,
      };
    }
    if (gate.threshold !== undefined) record.threshold = gate.threshold;
    outcome.records.push(record);
    if (onGateEnd) onGateEnd(record, performance.now() - started);
    outcome.costUsd += record.costUsd;
    if (!record.pass) {
      outcome.passed = false;
      break;
    }
  }
  return outcome;
}
