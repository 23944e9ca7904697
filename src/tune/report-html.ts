import { describeObjective } from './objective.js';
import { whyNoCascade } from './why-no-cascade.js';
import type { TuneResult } from './tune.js';
import { percent as pct } from '../common/format-percent.js';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const usd = (value: number) => `$${value.toPrecision(3)}`;

interface Point {
  cost: number;
  accuracy: number;
}

/** A rectangle on the plot, for keeping labels off markers and each other. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** About how wide 10 px system-ui text is per character (the layout only needs to be safe, not exact). */
const charWidth = 6;

/**
 * Where each label goes: beside its point on the first side (right, left, above, below, then the
 * corners) where it covers no marker and no label placed before it and stays inside the plot; the
 * side that covers least when none is free.
 */
export function placeLabels(
  labels: { px: number; py: number; text: string }[],
  markers: readonly Box[],
  bounds: Box,
): { x: number; y: number; anchor: 'start' | 'end' | 'middle'; box: Box }[] {
  const placed: Box[] = [];
  return labels.map(({ px, py, text }) => {
    const width = text.length * charWidth;
    const height = 12;
    // Beside the point first, then further out when everything near is taken.
    const candidates: { x: number; y: number; anchor: 'start' | 'end' | 'middle'; box: Box }[] = [];
    for (const gap of [8, 20, 34]) {
      candidates.push(
        { x: px + gap, y: py + 4, anchor: 'start', box: { x: px + gap, y: py - 8, width, height } },
        { x: px - gap, y: py + 4, anchor: 'end', box: { x: px - gap - width, y: py - 8, width, height } },
        { x: px, y: py - gap - 2, anchor: 'middle', box: { x: px - width / 2, y: py - gap - 14, width, height } },
        { x: px, y: py + gap + 12, anchor: 'middle', box: { x: px - width / 2, y: py + gap, width, height } },
        { x: px + gap, y: py - gap, anchor: 'start', box: { x: px + gap, y: py - gap - 12, width, height } },
        { x: px - gap, y: py - gap, anchor: 'end', box: { x: px - gap - width, y: py - gap - 12, width, height } },
        { x: px + gap, y: py + gap + 8, anchor: 'start', box: { x: px + gap, y: py + gap - 4, width, height } },
        { x: px - gap, y: py + gap + 8, anchor: 'end', box: { x: px - gap - width, y: py + gap - 4, width, height } },
      );
    }
    const inside = (box: Box) =>
      box.x >= bounds.x &&
      box.y >= bounds.y &&
      box.x + box.width <= bounds.x + bounds.width &&
      box.y + box.height <= bounds.y + bounds.height;
    const cost = (box: Box) =>
      (inside(box) ? 0 : 100) + [...markers, ...placed].filter((other) => overlaps(box, other)).length;
    let best = candidates[0]!;
    for (const candidate of candidates) {
      if (cost(candidate.box) < cost(best.box)) best = candidate;
      if (cost(best.box) === 0) break;
    }
    placed.push(best.box);
    return best;
  });
}

/** The cost-accuracy plane as inline SVG: log cost across (free models in a band of their own), accuracy up. */
function plot(result: TuneResult): string {
  const width = 760;
  const height = 440;
  const margin = { left: 64, right: 24, top: 20, bottom: 48 };
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
  // A $0 model (a local one) has no place on a log axis: it gets a band of its own at the left.
  const hasFree = all.some((point) => point.cost <= 0);
  const freeX = margin.left + 14;
  const axisLeft = hasFree ? margin.left + 40 : margin.left;
  const x = (cost: number) =>
    cost <= 0
      ? freeX
      : axisLeft + ((Math.log10(Math.max(cost, 10 ** low)) - low) / (high - low)) * (width - axisLeft - margin.right);
  const y = (accuracy: number) =>
    height -
    margin.bottom -
    ((accuracy - accuracyLow) / (accuracyHigh - accuracyLow || 1)) * (height - margin.top - margin.bottom);
  const ticks: string[] = [];
  if (hasFree) {
    ticks.push(
      `<text x="${freeX}" y="${height - margin.bottom + 16}" text-anchor="middle">$0</text><line x1="${axisLeft - 12}" x2="${axisLeft - 12}" y1="${margin.top}" y2="${height - margin.bottom}" class="break"/>`,
    );
  }
  // Powers of ten, and 2 and 5 times them when the costs span less than two and a half decades.
  const steps = high - low < 2.5 ? [1, 2, 5] : [1];
  for (let exponent = Math.floor(low); exponent <= Math.ceil(high); exponent++) {
    for (const step of steps) {
      const cost = step * 10 ** exponent;
      if (Math.log10(cost) < low || Math.log10(cost) > high) continue;
      ticks.push(
        `<line x1="${x(cost)}" x2="${x(cost)}" y1="${margin.top}" y2="${height - margin.bottom}" class="grid"/><text x="${x(cost)}" y="${height - margin.bottom + 16}" text-anchor="middle">$${Number(cost.toPrecision(2))}</text>`,
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
      (point, index) =>
        `<circle cx="${x(point.costPerItem)}" cy="${y(point.accuracy)}" r="3" class="frontier"><title>${index + 1}: ${escapeHtml(point.chain.join(' -> '))}: ${pct(point.accuracy)}, ${usd(point.costPerItem)}</title></circle>`,
    )
    .join('');
  const singleDots = singles
    .map(
      (point) =>
        `<circle cx="${x(point.cost)}" cy="${y(point.accuracy)}" r="5" class="single"><title>${escapeHtml(point.model)}</title></circle>`,
    )
    .join('');
  const chosenX = x(result.predicted.costPerItem);
  const chosenY = y(result.predicted.accuracy);
  const baseline = result.baseline
    ? `<rect x="${x(result.baseline.costPerItem) - 5}" y="${y(result.baseline.accuracy) - 5}" width="10" height="10" class="baseline"><title>plain grid search: ${pct(result.baseline.accuracy)}, ${usd(result.baseline.costPerItem)}</title></rect>`
    : '';
  // Every marker is kept clear of labels; models by name, frontier cascades by their number in the table.
  const marker = (px: number, py: number, r: number): Box => ({ x: px - r, y: py - r, width: 2 * r, height: 2 * r });
  const markers: Box[] = [
    ...singles.map((point) => marker(x(point.cost), y(point.accuracy), 6)),
    ...result.frontier.map((point) => marker(x(point.costPerItem), y(point.accuracy), 4)),
    marker(chosenX, chosenY, 10),
    ...(result.baseline ? [marker(x(result.baseline.costPerItem), y(result.baseline.accuracy), 6)] : []),
  ];
  const texts = [
    ...singles.map((point) => ({ px: x(point.cost), py: y(point.accuracy), text: point.model, kind: 'label' })),
    ...result.frontier.map((point, index) => ({
      px: x(point.costPerItem),
      py: y(point.accuracy),
      text: String(index + 1),
      kind: 'label frontier-number',
    })),
  ];
  const bounds = {
    x: margin.left,
    y: margin.top,
    width: width - margin.left - margin.right,
    height: height - margin.top - margin.bottom,
  };
  const labels = placeLabels(texts, markers, bounds)
    .map(
      (place, index) =>
        `<text x="${place.x.toFixed(1)}" y="${place.y.toFixed(1)}" text-anchor="${place.anchor}" class="${texts[index]!.kind}" data-box="${[place.box.x, place.box.y, place.box.width, place.box.height].map((value) => value.toFixed(1)).join(',')}">${escapeHtml(texts[index]!.text)}</text>`,
    )
    .join('\n');
  // The styles live inside the SVG, so the plot looks the same when saved or opened on its own.
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="cost against accuracy">
<style>
text { font: 11px system-ui, sans-serif; fill: #444; } .grid { stroke: #eee; } .break { stroke: #bbb; stroke-dasharray: 3 3; } .single { fill: #888; } .label { font-size: 10px; fill: #555; }
.frontier-number { fill: #1f6feb; } .frontier { fill: #1f6feb; } .frontier-line { fill: none; stroke: #1f6feb; stroke-width: 1.5; } .chosen { fill: none; stroke: #d1242f; stroke-width: 2; } .baseline { fill: #e8a33d; fill-opacity: 0.85; }
</style>
${ticks.join('\n')}
<polyline points="${frontier}" class="frontier-line"/>
${frontierDots}
${singleDots}
${baseline}
<path d="M ${chosenX} ${chosenY - 9} L ${chosenX + 3} ${chosenY - 3} L ${chosenX + 9} ${chosenY - 3} L ${chosenX + 4} ${chosenY + 2} L ${chosenX + 6} ${chosenY + 9} L ${chosenX} ${chosenY + 5} L ${chosenX - 6} ${chosenY + 9} L ${chosenX - 4} ${chosenY + 2} L ${chosenX - 9} ${chosenY - 3} L ${chosenX - 3} ${chosenY - 3} Z" class="chosen"><title>chosen: ${pct(result.predicted.accuracy)}, ${usd(result.predicted.costPerItem)}</title></path>
${labels}
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
  const frontierRows = result.frontier
    .map(
      (point, index) =>
        `<tr><td>${index + 1}</td><td>${escapeHtml(point.chain.join(' -> '))}</td><td>${pct(point.accuracy)}</td><td>${usd(point.costPerItem)}</td></tr>`,
    )
    .join('\n');
  // The same words the CLI prints when the objective leaves only the best model.
  const why = whyNoCascade(result, result.objective);
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
<p>Grey: single models. Blue: the Pareto frontier of every cascade the search tried, on the training data, numbered as in the table below. Red star (outlined, so what lies under it shows): the chosen cascade, which must also meet the objective. Orange square: the plain grid search (no margin). A model that costs nothing sits in the $0 band at the left.</p>
${why.length > 0 ? `<p><strong>Why no cascade:</strong> ${why.map((line) => escapeHtml(line.trim())).join(' ')}</p>` : ''}
<h2>Tiers</h2>
<table><tr><th>#</th><th>model</th><th>gate</th><th>answers</th><th>gate passes</th></tr>
${tierRows}
</table>
<h2>Frontier</h2>
<table><tr><th>#</th><th>cascade</th><th>accuracy</th><th>cost per item</th></tr>
${frontierRows}
</table>
<h2>Single models</h2>
<table><tr><th>model</th><th>accuracy</th><th>cost per item</th></tr>
${singleRows}
</table>
</body></html>
`;
}
