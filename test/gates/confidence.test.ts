import { describe, expect, it } from 'vitest';
import { createConfidenceGate, parseStatedConfidence, selfReportInstruction } from '../../gates/confidence.js';
import type { Completion } from '../../src/spec/completion.js';
import { gateInput } from '../helpers/gate-input.js';

const input = (text: string, extra: Partial<Completion> = {}) => gateInput(text, { completion: extra });

describe('confidence gate', () => {
  it('parses a stated confidence and strips it from the answer', async () => {
    expect(parseStatedConfidence('B\nConfidence: 0.85')).toEqual({ answer: 'B', confidence: 0.85 });
    expect(parseStatedConfidence('{"a":1}\n**Confidence:** .9')).toEqual({ answer: '{"a":1}', confidence: 0.9 });
    expect(parseStatedConfidence('Yes.\nconfidence = 85%')).toEqual({ answer: 'Yes.', confidence: 0.85 });
    expect(parseStatedConfidence('Confidence is key to this answer')).toBeUndefined();
    expect(parseStatedConfidence('B\nConfidence: 7')).toBeUndefined();
    const verdict = await createConfidenceGate({ source: 'self-report', min: 0.8 }).check(
      input('Paris\nConfidence: 0.95'),
    );
    expect(verdict).toMatchObject({ pass: true, score: 0.95, text: 'Paris' });
  });

  it('fails below the minimum and when no confidence was stated', async () => {
    const gate = createConfidenceGate({ source: 'self-report', min: 0.8 });
    expect(await gate.check(input('Paris\nConfidence: 0.6'))).toMatchObject({ pass: false, score: 0.6, text: 'Paris' });
    expect(await gate.check(input('Paris'))).toMatchObject({ pass: false, reason: 'the answer states no confidence' });
  });

  it('asks for a stated confidence in the system message', () => {
    const gate = createConfidenceGate({ source: 'self-report', min: 0.5 });
    const prepared = gate.prepareRequest!({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'q' },
      ],
    });
    expect(prepared.messages[0]!.content).toBe(`Be brief.\n\n${selfReportInstruction}`);
    const withoutSystem = gate.prepareRequest!({ messages: [{ role: 'user', content: 'q' }] });
    expect(withoutSystem.messages[0]).toEqual({ role: 'system', content: selfReportInstruction });
  });

  it('uses log-probabilities and asks the provider for them', async () => {
    const gate = createConfidenceGate({ source: 'logprobs', min: 0.9 });
    expect(gate.prepareRequest!({ messages: [] }).params?.logprobs).toBe(true);
    expect(await gate.check(input('B', { confidence: 0.93, confidenceSource: 'logprobs' }))).toMatchObject({
      pass: true,
      score: 0.93,
    });
    expect(await gate.check(input('B', { confidence: 0.5, confidenceSource: 'logprobs' }))).toMatchObject({
      pass: false,
    });
    expect(await gate.check(input('B'))).toMatchObject({
      pass: false,
      reason: 'the provider gave no log-probabilities',
    });
  });

  it('uses a recorded confidence when replaying, and falls back to a stated one in auto mode', async () => {
    const selfReport = createConfidenceGate({ source: 'self-report', min: 0.7 });
    expect(await selfReport.check(input('B', { confidence: 0.72, confidenceSource: 'recorded' }))).toMatchObject({
      pass: true,
      score: 0.72,
    });
    const auto = createConfidenceGate({ min: 0.7 });
    expect(await auto.check(input('B\nConfidence: 0.4'))).toMatchObject({ pass: false, score: 0.4 });
  });

  it('refuses a minimum outside [0,1], naming the option and the value', () => {
    expect(() => createConfidenceGate({ min: 1.5 })).toThrow(
      'Expected `min` to be a number from 0 to 1, got `1.5` (number)',
    );
  });
});
