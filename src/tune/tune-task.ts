import type { AnswerComparison } from '../../gates/normalize-answer.js';
import type { Dataset } from '../evaluation/dataset.js';
import { plainBaseline, type BaselineResult } from './baseline.js';
import { chooseCascade } from './choose-cascade.js';
import type { FoldChoice } from './cross-validate.js';
import type { ExpectedGain } from './expected-gain.js';
import type { Objective } from './objective.js';

/**
 * A part of `cascade tune` that needs nothing of the others once it starts, so it may run on another
 * thread: one cross-validation fold (the search on its training part, its fits started from the whole
 * file's), or the plain grid search kept as the baseline.
 */
export type TuneTask =
  | {
      kind: 'fold';
      train: Dataset;
      objective: Objective;
      maxTiers: number;
      comparison: AnswerComparison;
      start?: Map<string, ExpectedGain>;
    }
  | { kind: 'baseline'; dataset: Dataset; maxTiers: number; comparison: AnswerComparison };

export type TuneTaskResult<T extends TuneTask> = T extends { kind: 'fold' } ? FoldChoice : BaselineResult;

export function runTuneTask(task: TuneTask): FoldChoice | BaselineResult {
  if (task.kind === 'baseline') return plainBaseline(task.dataset, task.maxTiers, task.comparison);
  const picked = chooseCascade(task.train, task.objective, task.maxTiers, task.comparison, false, task.start);
  return { candidate: picked.candidate, reference: picked.best.index };
}

/** A task as it crosses to a worker: of the whole file's fitted gains, only the fits are read. */
export function portableTask(task: TuneTask): TuneTask {
  if (task.kind !== 'fold' || !task.start) return task;
  const start = new Map<string, ExpectedGain>();
  for (const [key, value] of task.start)
    if (value.fits) start.set(key, { gain: new Float64Array(0), fits: value.fits });
  return { ...task, start };
}
