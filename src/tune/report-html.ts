import { describeObjective } from './objective.js';
import type { TuneResult } from './tune.js';
import { percent as pct } from '../common/format-percent.js';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const usd = (value: number) => `$${value.toPrecision(3)}`;

interface Point {
  cost: number;
  accuracy: number;
}

/** The cost-accuracy plane as inline SVG: log cost across, accuracy up. */
function plot(result: TuneResult): string {
  const width = 760;
  const height = 440;
  const margin = { left: 64, right: 24, top: 20, bottom: 48 };
  // Labels of points in the right-hand third go to their left, so none runs off the plot.
  const label = (px: number, py: number, text: string) =>
    px > width * 0.66
      ? `<text x="${px - 7}" y="${py - 6}" text-anchor="end" class="label">${escapeHtml(text)}</text>`
      : `<text x="${px + 7}" y="${py - 6}" class="label">${escapeHtml(text)}</text>`;
  const singles = Object.entries(result.singleModels).map(([model, figures]) => ({
    model,
    cost: figures.costPerItem,
    accuracy: figures.accuracy,
  }));
  const all: Point[] = [
    ...singles,
    ...result.frontier.map((point) => ({ cost: point.costPerItem, accuracy: point.accuracy })),
    { cost: result.predicted.costPerItem, accuracy: result.predicted.accuracy },
  ];
  const positive = all.map((point) => point.cost).filter((cost) => cost > 0);
  const low = Math.log10(positive.length > 0 ? Math.min(...positive) : 1e-6) - 0.15;
  const high = Math.log10(positive.length > 0 ? Math.max(...positive) : 1e-6) + 0.15;
  const accuracyLow = Math.max(0, Math.min(...all.map((point) => point.accuracy)) - 0.03);
  const accuracyHigh = Math.min(1, Math.max(...all.map((point) => point.accuracy)) + 0.03);
  const x = (cost: number) =>
    margin.left + ((Math.log10(Math.max(cost, 10 ** low)) - low) / (high - low)) * (width - margin.left - margin.right);
  const y = (accuracy: number) =>
    height -
    margin.bottom -
    ((accuracy - accuracyLow) / (accuracyHigh - accuracyLow || 1)) * (height - margin.top - margin.bottom);
  const ticks: string[] = [];
  // Powers of ten, and 2 and 5 times them when the costs span less than two and a half decades.
  const steps = high - low < 2.5 ? [1, 2, 5] : [1];
  for (let exponent = Math.floor(low); exponent <= Math.ceil(high); exponent++) {
    for (const step of steps) {
      const cost = step * 10 ** exponent;
      if (Math.log10(cost) < low || Math.log10(cost) > high) continue;
      ticks.push(
        `<line x1="${x(cost)}" x2="${x(cost)}" y1="${margin.top}" y2="${height - margin.bottom}" class="grid"/><text x="${x(cost)}" y="${height - margin.bottom + 16}" text-anchor="middle">${step}e${exponent}</text>`,
      );
    }
  }
  for (let step = 0; step <= 5; step++) {
    const accuracy = accuracyLow + ((accuracyHigh - accuracyLow) * step) / 5;
    ticks.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(accuracy)}" y2="${y(accuracy)}" class="grid"/><text x="${margin.left - 6}" y="${y(accuracy) + 4}" text-anchor="end">${pct(accuracy)}</text>`,
    );
  }
  const frontier = result.frontier
    .map((point) => `${x(point.costPerItem).toFixed(1)},${y(point.accuracy).toFixed(1)}`)
    .join(' ');
  const frontierDots = result.frontier
    .map(
      (point) =>
        `<circle cx="${x(point.costPerItem)}" cy="${y(point.accuracy)}" r="3" class="frontier"><title>${escapeHtml(point.chain.join(' -> '))}: ${pct(point.accuracy)}, ${usd(point.costPerItem)}</title></circle>`,
    )
    .join('');
  const singleDots = singles
    .map(
      (point) =>
        `<circle cx="${x(point.cost)}" cy="${y(point.accuracy)}" r="5" class="single"><title>${escapeHtml(point.model)}</title></circle>${label(x(point.cost), y(point.accuracy), point.model)}`,
    )
    .join('');
  const chosenX = x(result.predicted.costPerItem);
  const chosenY = y(result.predicted.accuracy);
  const baseline = result.baseline
    ? `<rect x="${x(result.baseline.costPerItem) - 5}" y="${y(result.baseline.accuracy) - 5}" width="10" height="10" class="baseline"><title>plain grid search: ${pct(result.baseline.accuracy)}, ${usd(result.baseline.costPerItem)}</title></rect>`
    : '';
  // The styles live inside the SVG, so the plot looks the same when saved or opened on its own.
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="cost against accuracy">
<style>
text { font: 11px system-ui, sans-serif; fill: #444; } .grid { stroke: #eee; } .single { fill: #888; } .label { font-size: 10px; fill: #666; }
.frontier { fill: #1f6feb; } .frontier-line { fill: none; stroke: #1f6feb; stroke-width: 1.5; } .chosen { fill: #d1242f; } .baseline { fill: #e8a33d; }
</style>
${ticks.join('\n')}
<polyline points="${frontier}" class="frontier-line"/>
${frontierDots}
${singleDots}
${baseline}
<path d="M ${chosenX} ${chosenY - 9} L ${chosenX + 3} ${chosenY - 3} L ${chosenX + 9} ${chosenY - 3} L ${chosenX + 4} ${chosenY + 2} L ${chosenX + 6} ${chosenY + 9} L ${chosenX} ${chosenY + 5} L ${chosenX - 6} ${chosenY + 9} L ${chosenX - 4} ${chosenY + 2} L ${chosenX - 9} ${chosenY - 3} L ${chosenX - 3} ${chosenY - 3} Z" class="chosen"><title>chosen: ${pct(result.predicted.accuracy)}, ${usd(result.predicted.costPerItem)}</title></path>
<text x="${(width + margin.left) / 2}" y="${height - 8}" text-anchor="middle">cost per item (USD, log scale)</text>
<text x="14" y="${height / 2}" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">accuracy</text>
</svg>`;
}

/** A self-contained HTML report: no script, no network, the plot inline. */
export function renderTuneReport(result: TuneResult, fixtures: string): string {
  const tierRows = result.tiers
    .map(
      (tier, index) =>
        `<tr><td>${index + 1}</td><td>${escapeHtml(tier.model)}</td><td>${tier.gate === 'witness' ? 'witness (second opinion)' : tier.gate ? `${tier.gate.kind} &ge; ${tier.gate.threshold.toFixed(4)}` : 'accepts'}</td><td>${pct(tier.share)}</td><td>${tier.passRate === undefined ? '-' : pct(tier.passRate)}</td></tr>`,
    )
    .join('\n');
  const singleRows = Object.entries(result.singleModels)
    .sort(([, a], [, b]) => a.costPerItem - b.costPerItem)
    .map(
      ([model, figures]) =>
        `<tr><td>${escapeHtml(model)}</td><td>${pct(figures.accuracy)}</td><td>${usd(figures.costPerItem)}</td></tr>`,
    )
    .join('\n');
  const predicted = result.predicted;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cascade tune report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 820px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } td, th { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
</style></head><body>
<h1>Tuned cascade</h1>
<p>Tuned on <code>${escapeHtml(fixtures)}</code> (${result.items} items) with the objective: ${escapeHtml(describeObjective(result.objective))}.</p>
${result.heldOut ? `<p><strong>Expected on new items</strong> (${result.heldOut.folds}-fold cross-validation of this tuning: tuned on four fifths, measured on the fifth it did not see): accuracy ${pct(result.heldOut.accuracy)}, ${(100 * result.heldOut.accuracyDifference).toFixed(1)} points (&plusmn;${(100 * result.heldOut.standardError).toFixed(1)}) against the best single model, ${pct(result.heldOut.savings)} saved. Figures on the training data below look better than this: they are where the thresholds were chosen.</p>` : ''}
<p><strong>On the training data:</strong> accuracy ${pct(predicted.accuracy)} (95% CI ${pct(predicted.accuracyInterval.low)}&ndash;${pct(predicted.accuracyInterval.high)}),
cost ${usd(predicted.costPerItem)} per item (95% CI ${usd(predicted.costInterval.low)}&ndash;${usd(predicted.costInterval.high)});
the best single model, ${escapeHtml(result.bestSingle.model)}, scores ${pct(result.bestSingle.accuracy)} at ${usd(result.bestSingle.costPerItem)}: ${pct(result.savingsVsBest)} saved.</p>
${plot(result)}
<p>Grey: single models. Blue: the Pareto frontier of every cascade the search tried, on the training data. Red star: the chosen cascade, which must also meet the objective. Orange square: the plain grid search (no margin).</p>
<h2>Tiers</h2>
<table><tr><th>#</th><th>model</th><th>gate</th><th>answers</th><th>gate passes</th></tr>
${tierRows}
</table>
<h2>Single models</h2>
<table><tr><th>model</th><th>accuracy</th><th>cost per item</th></tr>
${singleRows}
</table>
</body></html>
`;
}
