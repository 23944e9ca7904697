import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';
import type { CascadeRequest } from '../src/spec/request.js';
import { copyWith } from '../src/common/copy-with.js';
import { parseStatedConfidence } from './stated-confidence.js';

export { parseStatedConfidence } from './stated-confidence.js';

export interface ConfidenceGateOptions {
  /**
   * `logprobs`: from token log-probabilities (OpenAI, Ollama) or a recording.
   * `self-report`: the model is asked to end with `Confidence: <0..1>`; the line is parsed and stripped.
   * `auto`: log-probabilities or a recording when present, else a stated confidence.
   * @default 'auto'
   */
  source?: 'auto' | 'logprobs' | 'self-report';
  /** Pass at or above this confidence, in [0,1]. */
  min: number;
}

export const selfReportInstruction =
  'After your answer, add one final line of the form "Confidence: X", where X is a number from 0 to 1 giving the probability that your answer is correct.';

export function createConfidenceGate(options: ConfidenceGateOptions): Gate {
  const source = options.source ?? 'auto';
  if (!(options.min >= 0 && options.min <= 1)) {
    throw new RangeError(`Expected \`min\` to be a number from 0 to 1, got \`${options.min}\` (${typeof options.min})`);
  }
  return {
    specificationVersion: 'v1',
    name: 'confidence',
    // Parsing is free and it strips its trailer, which later gates must not see.
    costRank: 0,
    threshold: options.min,
    prepareRequest(request: CascadeRequest): CascadeRequest {
      if (source === 'self-report') return withInstruction(request);
      // Not `{ ...request, params }`: see src/common/copy-with.ts.
      return copyWith(request, { params: copyWith(request.params ?? {}, { logprobs: true }) });
    },
    async check(input: GateInput): Promise<GateVerdict> {
      const stated = parseStatedConfidence(input.text);
      const measured = input.completion.confidence;
      let confidence: number | undefined;
      let from = '';
      if (source === 'self-report') {
        // A recording carries the confidence the model gave when it was recorded.
        confidence = stated?.confidence ?? (input.completion.confidenceSource === 'recorded' ? measured : undefined);
        from = stated ? 'stated' : 'recorded';
      } else {
        confidence = measured ?? (source === 'auto' ? stated?.confidence : undefined);
        from = measured !== undefined ? (input.completion.confidenceSource ?? 'provider') : 'stated';
      }
      const text = stated?.answer;
      if (confidence === undefined) {
        const missing =
          source === 'logprobs' ? 'the provider gave no log-probabilities' : 'the answer states no confidence';
        return { pass: false, reason: missing, ...(text !== undefined && { text }) };
      }
      const pass = confidence >= options.min;
      return {
        pass,
        score: confidence,
        reason: `${from} confidence ${confidence.toFixed(3)} ${pass ? '>=' : '<'} ${options.min}`,
        ...(text !== undefined && { text }),
      };
    },
  };
}

function withInstruction(request: CascadeRequest): CascadeRequest {
  const messages = [...request.messages];
  const systemIndex = messages.findIndex((message) => message.role === 'system');
  if (systemIndex >= 0) {
    const system = messages[systemIndex]!;
    messages[systemIndex] = { role: 'system', content: `${system.content}\n\n${selfReportInstruction}` };
  } else {
    messages.unshift({ role: 'system', content: selfReportInstruction });
  }
  return copyWith(request, { messages });
}
