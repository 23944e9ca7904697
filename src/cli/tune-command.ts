import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { describeQuality, loadDataset, type Dataset } from '../evaluation/dataset.js';
import type { ScoreComparison } from '../evaluation/score-answer.js';
import {
  agreementTolerance,
  defaultMargin,
  defaultObjective,
  objectiveForQuality,
  usesFittedGains,
  type Objective,
} from '../tune/objective.js';
import { renderTuneReport } from '../tune/report-html.js';
import { whyNoCascade } from '../tune/why-no-cascade.js';
import { tuneCascade, type TuneResult } from '../tune/tune.js';
import { writeTunedCascade } from '../tune/write-tuned-cascade.js';
import type { CliIo } from './io.js';
import { numberOption } from './number-option.js';
import { percent as pct } from '../common/format-percent.js';
import { plural } from '../common/plural.js';

export interface TuneCommandOptions {
  fixtures: string;
  out: string;
  report?: string;
  json?: boolean;
  targetAccuracy?: string;
  maxCostPerItem?: string;
  tradeoff?: string;
  guarantee?: boolean;
  delta?: string;
  margin?: string;
  tolerance?: string;
  reference?: string;
  maxTiers?: string;
  compare?: ScoreComparison;
  scorer?: string;
}

export function objectiveFrom(options: TuneCommandOptions): Objective {
  const delta = numberOption('delta', options.delta, { min: 1e-6, max: 0.5 }) ?? 0.05;
  const margin = numberOption('margin', options.margin, { min: 0, max: 5 });
  const tolerance = numberOption('tolerance', options.tolerance, { min: 0, max: 0.5 });
  if (options.delta !== undefined && !options.guarantee)
    throw new ConfigError(
      '--delta applies only with --guarantee (the promise it makes); add --guarantee, or drop --delta',
    );
  if (options.guarantee && margin !== undefined)
    throw new ConfigError(
      'Give --guarantee (with --delta) or --margin, not both: the guarantee sets the margin from delta',
    );
  const z = margin ?? defaultMargin;
  const target = numberOption('target-accuracy', options.targetAccuracy, { min: 0, max: 1 });
  const maxCost = numberOption('max-cost-per-item', options.maxCostPerItem, { min: 0 });
  const weight = numberOption('tradeoff', options.tradeoff, { min: 0, max: 1000 });
  const chosen = [target !== undefined, maxCost !== undefined, weight !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new ConfigError('Give at most one of --target-accuracy, --max-cost-per-item and --tradeoff');
  if (chosen === 1 && (tolerance !== undefined || options.guarantee)) {
    throw new ConfigError(
      "--tolerance and --guarantee apply to the default objective (the best single model's accuracy); with --target-accuracy, --max-cost-per-item or --tradeoff, set the bound with --margin",
    );
  }
  if (target !== undefined) return { kind: 'target-accuracy', target, z };
  if (maxCost !== undefined) return { kind: 'max-cost', maxCost, z };
  if (weight !== undefined) return { kind: 'tradeoff', weight, z };
  // Guarantee mode and an explicit margin hold the paired lower bound; by default, the blend of observed
  // and fitted gains (the setting bench/cost-quality measures best on unseen items).
  if (options.guarantee) return { kind: 'match-best', z: 0, estimate: 'guarantee', delta, tolerance: tolerance ?? 0 };
  if (margin !== undefined)
    return { kind: 'match-best', z, estimate: 'paired-bound', ...(tolerance !== undefined && { tolerance }) };
  return { ...defaultObjective, ...(tolerance !== undefined && { tolerance }) };
}

/** `toleranceDefaulted`: `objectiveForQuality` gave the objective the agreement tolerance. */
function qualityNote(dataset: Dataset, toleranceDefaulted: boolean): string[] {
  const described = describeQuality(dataset);
  if (!described) return [];
  const allowed = toleranceDefaulted
    ? [
        `  it agrees with itself on every item, so up to ${plural(100 * agreementTolerance, 'point')} of disagreement with it is allowed (the default when quality is agreement; --tolerance sets it)`,
      ]
    : [];
  return [`${described}; accuracy below means "agrees with ${dataset.quality!.agreementWith}"`, ...allowed];
}

/** What to expect on new items: the whole tuning cross-validated (tune on 4/5, measure on the 5th). */
function heldOutLines(result: TuneResult, objective: Objective): string[] {
  const heldOut = result.heldOut;
  if (!heldOut && usesFittedGains(objective) && result.items < 20)
    return [
      `expected on new items: not estimated, ${plural(result.items, 'item')} are too few to cross-validate (20 or more)`,
    ];
  if (!heldOut) return [];
  const points = (value: number) => `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)}`;
  return [
    `expected on new items (${heldOut.folds}-fold cross-validation of this tuning): accuracy ${pct(heldOut.accuracy)}, ${points(heldOut.accuracyDifference)} points (±${(100 * heldOut.standardError).toFixed(1)}) against the best single model, savings ${pct(heldOut.savings)}`,
  ];
}

function guaranteeLines(result: TuneResult, objective: Objective): string[] {
  const calibration = result.guarantee;
  if (!calibration || objective.kind !== 'match-best') return [];
  if (calibration.passed === 0) {
    return [
      `guarantee: no proposed cascade passed its test on ${calibration.items} calibration items, so the best single model is kept. Label more items or allow more --tolerance.`,
    ];
  }
  return [
    `guarantee: accuracy >= ${result.bestSingle.model}'s - ${(100 * (objective.tolerance ?? 0)).toFixed(1)} points with probability ${1 - (objective.delta ?? 0.05)}: ${plural(calibration.wins, 'win')} and ${plural(calibration.losses, 'loss', 'losses')} against it in ${calibration.items} calibration items, difference >= ${(100 * calibration.differenceBound).toFixed(2)} points (${calibration.passed} of the proposals, strict to loose, passed)`,
  ];
}

/** `cascade tune`: choose models, order, gates and thresholds on a labelled fixture; write the cascade. */
export async function tuneCommand(options: TuneCommandOptions, io: CliIo): Promise<number> {
  const asked = objectiveFrom(options);
  const maxTiers = numberOption('max-tiers', options.maxTiers, { min: 1, max: 6, integer: true }) ?? 4;
  const dataset = await loadDataset(options.fixtures, {
    ...(options.compare && { compare: options.compare }),
    ...(options.scorer && { scorer: options.scorer }),
    ...(options.reference && { reference: options.reference }),
  });
  const objective = objectiveForQuality(asked, dataset, options.tolerance !== undefined);
  const result = await tuneCascade(dataset, {
    objective,
    maxTiers,
    baseline: true,
    heldOut: usesFittedGains(objective),
    ...(options.compare && options.compare !== 'exact' && { comparison: options.compare }),
  });
  const written = await writeTunedCascade(result, dataset, options.out);
  if (options.report) {
    await mkdir(dirname(resolve(options.report)), { recursive: true });
    await writeFile(options.report, renderTuneReport(result, options.fixtures));
    written.push(options.report);
  }
  if (options.json) {
    const { classifiers: _classifiers, ...summary } = result;
    io.stdout(
      `${JSON.stringify({ ...summary, ...(dataset.quality && { quality: dataset.quality }), written }, null, 2)}\n`,
    );
    return 0;
  }
  const predicted = result.predicted;
  io.stdout(
    [
      `tuned on ${options.fixtures} (${result.items} items, ${dataset.models.length} models) in ${result.seconds.toFixed(1)} s`,
      ...qualityNote(dataset, objective !== asked),
      `cascade: ${result.tiers.map((tier) => `${tier.model}${tier.gate === 'witness' ? ' [witness]' : tier.gate ? ` [${tier.gate.kind} >= ${tier.gate.threshold.toFixed(3)}]` : ''}`).join(' -> ')}`,
      `on the training file: accuracy ${pct(predicted.accuracy)} (95% CI ${pct(predicted.accuracyInterval.low)}-${pct(predicted.accuracyInterval.high)}), $${predicted.costPerItem.toPrecision(3)} per item (95% CI $${predicted.costInterval.low.toPrecision(3)}-$${predicted.costInterval.high.toPrecision(3)})`,
      `best single model: ${result.bestSingle.model} ${pct(result.bestSingle.accuracy)}, $${result.bestSingle.costPerItem.toPrecision(3)} per item; savings ${pct(result.savingsVsBest)}, escalation rate ${pct(result.escalationRate)}`,
      ...heldOutLines(result, objective),
      ...guaranteeLines(result, objective),
      ...whyNoCascade(result, objective),
      `wrote ${written.join(', ')}`,
      `check it on held-out data: cascade eval ${options.out} --fixtures <test.jsonl>`,
    ].join('\n') + '\n',
  );
  return 0;
}
