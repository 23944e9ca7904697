import { describe, expect, it } from 'vitest';
import { createAgreementGate } from '../../gates/agreement.js';
import { classifierKey, createLearnedGate, type LearnedGateFile } from '../../gates/learned.js';
import { learnedFeatureNames, learnedFeatures } from '../../gates/learned-features.js';
import { answersAgree, finalNumber, normalizeAnswer } from '../../gates/normalize-answer.js';
import type { GateInput } from '../../src/spec/gate.js';
import { fitLogistic, predictProbability } from '../../src/statistics/logistic-regression.js';

const input = (text: string, earlier: { model: string; text: string }[] = [], confidence?: number): GateInput => ({
  request: { messages: [{ role: 'user', content: 'Which letter?' }] },
  completion: {
    text,
    model: 'big',
    usage: { inputTokens: 1, outputTokens: 1 },
    costUsd: 0,
    latencyMs: 0,
    ...(confidence !== undefined && { confidence }),
  },
  text,
  tierName: 't2',
  earlier: earlier.map((answer) => ({ tier: 't1', ...answer })),
});

describe('answer normalisation', () => {
  it('compares letters, final numbers, folded text and JSON', () => {
    expect(normalizeAnswer(' (b) ', 'letter')).toBe('B');
    expect(normalizeAnswer('The answer is C because...', 'letter')).toBe('C');
    expect(finalNumber('so 3 + 4 = 7 eggs.\n#### 1,234')).toBe(1234);
    expect(finalNumber('She makes $18 every day.')).toBe(18);
    expect(answersAgree('#### 18', 'Total: 18.0', 'number')).toBe(true);
    expect(answersAgree('Hello  World', 'hello world', 'text')).toBe(true);
    expect(answersAgree('{"a":1,"b":2}', '{"b":2, "a":1}', 'json')).toBe(true);
    expect(answersAgree('no number here', 'none here', 'number')).toBe(false);
  });

  it('compares the same texts again under another comparison by that comparison (canonical forms are memoised per comparison)', () => {
    expect(answersAgree('The answer is B', 'B', 'letter')).toBe(true);
    expect(answersAgree('The answer is B', 'B', 'text')).toBe(false);
    expect(answersAgree('The answer is B', 'B', 'letter')).toBe(true);
    // A stated confidence line is not part of the answer, memoised or not.
    expect(answersAgree('B\nConfidence: 0.9', 'b', 'text')).toBe(true);
    expect(answersAgree('B\nConfidence: 0.9', 'b', 'text')).toBe(true);
  });
});

describe('agreement gate', () => {
  const gate = createAgreementGate({ compare: 'letter' });
  it('passes when the previous tier gave the same answer, and fails otherwise', async () => {
    expect(await gate.check(input('B', [{ model: 'small', text: 'b.' }]))).toMatchObject({ pass: true, score: 1 });
    expect(await gate.check(input('B', [{ model: 'small', text: 'C' }]))).toMatchObject({ pass: false, score: 0 });
  });
  it('fails on the first tier, with nothing to agree with', async () => {
    expect(await gate.check(input('B'))).toMatchObject({ pass: false, reason: 'no earlier answer to agree with' });
  });
});

describe('learned gate', () => {
  // Train on a signal where agreeing with the previous tier means a right answer.
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let index = 0; index < 200; index++) {
    const agrees = index % 2 === 0;
    rows.push(
      learnedFeatures({
        answer: 'B',
        previous: agrees ? 'B' : 'C',
        confidence: 0.5 + (index % 7) / 20,
        messages: [{ role: 'user', content: 'Which letter?' }],
        comparison: 'letter',
      }),
    );
    labels.push(agrees ? (index % 10 === 0 ? 0 : 1) : index % 10 === 1 ? 1 : 0);
  }
  const classifier = fitLogistic(rows, labels);
  const file: LearnedGateFile = {
    version: 1,
    comparison: 'letter',
    features: [...learnedFeatureNames],
    classifiers: { [classifierKey('big', 'small')]: classifier },
  };

  it('scores an answer with the classifier of its model and previous model', async () => {
    const gate = createLearnedGate({ classifiers: file, min: 0.5 });
    const agreeing = await gate.check(input('B', [{ model: 'small', text: 'B' }], 0.7));
    const disagreeing = await gate.check(input('B', [{ model: 'small', text: 'C' }], 0.7));
    expect(agreeing.pass).toBe(true);
    expect(disagreeing.pass).toBe(false);
    expect(agreeing.score).toBeCloseTo(
      predictProbability(
        classifier,
        rows[0]!.map((value, index) => (index === 0 ? 0.7 : value)),
      ),
      12,
    );
  });

  it('fails closed when it has no classifier for the pair', async () => {
    const gate = createLearnedGate({ classifiers: file, min: 0.5 });
    expect(await gate.check(input('B'))).toMatchObject({
      pass: false,
      reason: 'no classifier for big <- (first); failing closed',
    });
  });
});
