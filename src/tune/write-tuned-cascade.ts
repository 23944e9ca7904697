import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { learnedFeatureNames } from '../../gates/learned-features.js';
import type { LearnedGateFile } from '../../gates/learned.js';
import type { Dataset } from '../evaluation/dataset.js';
import { describeObjective } from './objective.js';
import type { TuneResult } from './tune.js';
import { percent } from '../common/format-percent.js';

/**
 * Write the tuned cascade as a cascade file `cascade eval` runs as it is: tiers on the replay provider,
 * models named as in the fixture. Pointing a tier at a live provider means changing only its
 * `provider` and `model` lines. A learned gate's classifiers go beside it.
 */
export async function writeTunedCascade(result: TuneResult, dataset: Dataset, out: string): Promise<string[]> {
  const outDir = dirname(resolve(out));
  await mkdir(outDir, { recursive: true });
  const written = [out];
  const classifierFile = `${basename(out).replace(/\.ya?ml$/i, '')}.learned.json`;
  const usesLearned = result.tiers.some((tier) => typeof tier.gate === 'object' && tier.gate.kind === 'learned');
  const fixtures = relative(outDir, resolve(dataset.file)) || basename(dataset.file);
  const tiers = result.tiers.map((tier, index) => {
    const entry: Record<string, unknown> = {
      name: `t${index + 1}-${tier.model.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-|-$/g, '')}`,
      provider: 'replay',
      model: tier.model,
      fixtures,
    };
    const price = dataset.pricing[tier.model];
    if (price) entry['pricing'] = price;
    // Thresholds are written exactly: rounding one would move items across it and change the figures.
    if (tier.gate === 'witness') entry['witness'] = true;
    else if (tier.gate?.kind === 'confidence')
      entry['gates'] = [{ type: 'confidence', source: 'auto', min: tier.gate.threshold }];
    else if (tier.gate?.kind === 'agreement') entry['gates'] = [{ type: 'agreement', compare: result.comparison }];
    else if (tier.gate?.kind === 'learned')
      entry['gates'] = [{ type: 'learned', classifiers: `./${classifierFile}`, min: tier.gate.threshold }];
    return entry;
  });
  const predicted = result.predicted;
  const header = [
    `Tuned by \`cascade tune\` on ${dataset.file} (${result.items} items), ${new Date().toISOString().slice(0, 10)}.`,
    `Objective: ${describeObjective(result.objective)}.`,
    `On the training file: accuracy ${percent(predicted.accuracy)} (95% CI ${percent(predicted.accuracyInterval.low)}-${percent(predicted.accuracyInterval.high)}),`,
    `cost $${predicted.costPerItem.toPrecision(4)} per item (95% CI $${predicted.costInterval.low.toPrecision(3)}-$${predicted.costInterval.high.toPrecision(3)}),`,
    `${percent(result.savingsVsBest)} cheaper than always using ${result.bestSingle.model} (accuracy ${percent(result.bestSingle.accuracy)}).`,
    ...(result.heldOut
      ? [
          `Expected on new items (${result.heldOut.folds}-fold cross-validation of the tuning): accuracy ${percent(result.heldOut.accuracy)}, ${(100 * result.heldOut.accuracyDifference).toFixed(1)} points against the best single model, ${percent(result.heldOut.savings)} cheaper.`,
        ]
      : []),
    "To run it live, change each tier's provider and model lines (and add apiKeyEnv).",
  ];
  const document = {
    name: `tuned-${basename(dataset.file).replace(/\.jsonl$/i, '')}`,
    tiers,
    onExhausted: 'accept-last',
  };
  await writeFile(out, `${header.map((line) => `# ${line}`).join('\n')}\n${stringify(document)}`);
  if (usesLearned) {
    const file: LearnedGateFile = {
      version: 1,
      comparison: result.comparison,
      features: [...learnedFeatureNames],
      classifiers: result.classifiers,
    };
    const path = resolve(outDir, classifierFile);
    await writeFile(path, `${JSON.stringify(file)}\n`);
    written.push(path);
  }
  return written;
}
