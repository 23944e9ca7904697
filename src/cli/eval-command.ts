import { loadCascadeFile } from '../config/load-cascade.js';
import { describeQuality, loadDataset } from '../evaluation/dataset.js';
import { evaluateCascade, type EvalReport } from '../evaluation/evaluate.js';
import type { ScoreComparison } from '../evaluation/score-answer.js';
import type { CliIo } from './io.js';
import { percent as pct } from '../common/format-percent.js';

export interface EvalOptions {
  fixtures: string;
  json?: boolean;
  compare?: ScoreComparison;
  scorer?: string;
  reference?: string;
}

const usd = (value: number) => `$${value.toPrecision(3)}`;
const points = (value: number) => `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)}`;

/** `cascade eval`: the cascade over a fixture, every tier answered from its recordings, through the engine. */
export async function evalCommand(file: string, options: EvalOptions, io: CliIo): Promise<number> {
  const dataset = await loadDataset(options.fixtures, {
    ...(options.compare && { compare: options.compare }),
    ...(options.scorer && { scorer: options.scorer }),
    ...(options.reference && { reference: options.reference }),
  });
  const cascade = await loadCascadeFile(file, {
    env: io.env,
    replay: options.fixtures,
    replayPricing: dataset.pricing,
  });
  const report = await evaluateCascade(cascade, dataset);
  const quality = dataset.quality;
  if (options.json) io.stdout(`${JSON.stringify({ ...report, ...(quality && { quality }) }, null, 2)}\n`);
  else {
    const described = describeQuality(dataset);
    if (described) io.stdout(`${described}\n`);
    io.stdout(formatReport(cascade.name, options.fixtures, report));
  }
  return 0;
}

function formatReport(name: string, fixtures: string, report: EvalReport): string {
  // Columns as wide as their longest name: a tier's name and model, a model, are never cut.
  const tierLabel = (tier: EvalReport['tiers'][number]) => `${tier.name} (${tier.model})`;
  const tierWidth = Math.max(28, ...report.tiers.map((tier) => tierLabel(tier).length));
  const modelWidth = Math.max(38, ...Object.keys(report.singleModels).map((model) => model.length));
  const lines = [
    `cascade ${name} on ${fixtures} (${report.items} items)`,
    `accuracy ${pct(report.accuracy)} (95% CI ${pct(report.accuracyInterval.low)}-${pct(report.accuracyInterval.high)}), cost ${usd(report.costPerItem)} per item (95% CI ${usd(report.costInterval.low)}-${usd(report.costInterval.high)})`,
    `best single model ${report.bestSingle.model}: ${pct(report.bestSingle.accuracy)}, ${usd(report.bestSingle.costPerItem)} per item; the cascade saves ${pct(report.savingsVsBest)}, accuracy ${points(report.versusBest.accuracyDifference)} points (95% CI ${points(report.versusBest.interval.low)} to ${points(report.versusBest.interval.high)})`,
    '',
    `${'tier'.padEnd(tierWidth)} answered  reached  gate pass rates`,
    ...report.tiers.map(
      (tier) =>
        `${tierLabel(tier).padEnd(tierWidth)} ${pct(tier.share).padStart(8)} ${pct(tier.reached).padStart(8)}  ${
          Object.entries(tier.gatePassRates)
            .map(([gate, rate]) => `${gate} ${pct(rate)}`)
            .join(', ') || '-'
        }`,
    ),
    '',
    `${'single models'.padEnd(modelWidth)} accuracy  cost/item`,
    ...Object.entries(report.singleModels)
      .sort(([, a], [, b]) => a.costPerItem - b.costPerItem)
      .map(
        ([model, figures]) =>
          `${model.padEnd(modelWidth)} ${pct(figures.accuracy).padStart(8)}  ${usd(figures.costPerItem)}`,
      ),
  ];
  return `${lines.join('\n')}\n`;
}
