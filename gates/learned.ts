import { readFileSync } from 'node:fs';
import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';
import { predictProbability, type LogisticModel } from '../src/statistics/logistic-regression.js';
import { learnedFeatureNames, learnedFeatures } from './learned-features.js';
import type { AnswerComparison } from './normalize-answer.js';

/** What `cascade tune` saves beside a tuned cascade: one classifier per (model, previous model). */
export interface LearnedGateFile {
  version: 1;
  comparison: AnswerComparison;
  features: string[];
  classifiers: Record<string, LogisticModel>;
}

/** The key of the classifier for `model` answering after `previous` (or first). */
export function classifierKey(model: string, previous: string | undefined): string {
  return `${model} <- ${previous ?? '(first)'}`;
}

export interface LearnedGateOptions {
  /** The classifiers, or the path of the JSON file `cascade tune` wrote. */
  classifiers: LearnedGateFile | string;
  /** Pass when the predicted probability that the answer is right reaches this. */
  min: number;
}

export function readLearnedGateFile(path: string): LearnedGateFile {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as LearnedGateFile;
  if (parsed.version !== 1 || parsed.features.join() !== learnedFeatureNames.join()) {
    throw new Error(
      `${path} was written for other features (${parsed.features?.join(', ')}); run \`cascade tune\` again`,
    );
  }
  return parsed;
}

/**
 * A small classifier, trained by `cascade tune` on labelled fixtures, predicts whether the answer is
 * right from its confidence, its agreement with the previous tier, and its and the question's shape.
 */
export function createLearnedGate(options: LearnedGateOptions): Gate {
  const file = typeof options.classifiers === 'string' ? readLearnedGateFile(options.classifiers) : options.classifiers;
  return {
    specificationVersion: 'v1',
    name: 'learned',
    costRank: 3,
    threshold: options.min,
    async check(input: GateInput): Promise<GateVerdict> {
      const previous = input.earlier.at(-1);
      const key = classifierKey(input.completion.model, previous?.model);
      const classifier = file.classifiers[key];
      if (!classifier) return { pass: false, reason: `no classifier for ${key}; failing closed` };
      const features = learnedFeatures({
        answer: input.text,
        confidence: input.completion.confidence,
        previous: previous?.text,
        messages: input.request.sourceMessages ?? input.request.messages,
        comparison: file.comparison,
      });
      const probability = predictProbability(classifier, features);
      const pass = probability >= options.min;
      return {
        pass,
        score: probability,
        reason: `predicted correct with p=${probability.toFixed(3)} ${pass ? '>=' : '<'} ${options.min}`,
      };
    },
  };
}
