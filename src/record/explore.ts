import { createHash } from 'node:crypto';
import { answersAgree } from '../../gates/normalize-answer.js';
import type { Cascade } from '../engine/cascade.js';
import type { CascadeResult } from '../spec/result.js';
import { percent } from '../common/format-percent.js';
import { wilsonInterval } from '../statistics/statistics.js';

/**
 * Whether an item is in the explored sample. Decided by a hash of its id, not a random draw, so a
 * resumed run explores the same items and a rerun gives the same fixture.
 */
export function isExplored(id: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  const hash = createHash('sha256').update(`explore:${id}`).digest();
  return hash.readUInt32BE(0) / 2 ** 32 < rate;
}

/** JSON answers compare as parsed values (key order and spacing aside); other answers by `auto` normalisation. */
export function sameAnswer(a: string, b: string): boolean {
  return answersAgree(a, b, asJson(a) !== undefined && asJson(b) !== undefined ? 'json' : 'auto');
}

/** The answer as a JSON object or array, when it is one. */
export function asJson(text: string): object | undefined {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What exploring found: its cost (kept apart from the job's), and how often an answer accepted below the
 * top tier disagrees with the top tier's answer on the same item, an estimate of the false-accept rate.
 */
export class ExploreStats {
  items = 0;
  /** Items sampled for exploring that the explore file already held: not asked again. */
  alreadyHeld = 0;
  costUsd = 0;
  /** Explored items accepted below the top tier, whose top-tier answer is known. */
  compared = 0;
  disagreed = 0;

  constructor(private readonly cascade: Cascade) {}

  add(result: CascadeResult, explored: { tier: string; completion: { text: string; costUsd: number } }[]): void {
    this.items++;
    for (const { completion } of explored) this.costUsd += completion.costUsd;
    const top = this.cascade.tiers[this.cascade.tiers.length - 1]!.name;
    if (!result.accepted || result.tier === undefined || result.tier === top || result.text === undefined) return;
    const topAnswer = explored.find((entry) => entry.tier === top)?.completion.text;
    if (topAnswer === undefined) return;
    this.compared++;
    if (!sameAnswer(result.text, topAnswer)) this.disagreed++;
  }

  format(file: string): string {
    const interval = wilsonInterval(this.disagreed, this.compared);
    const falseAccepts =
      this.compared === 0
        ? 'no explored item was accepted below the top tier'
        : `${this.disagreed} of ${this.compared} answers accepted below the top tier disagree with it: ${percent(this.disagreed / this.compared)} (95% CI ${percent(interval.low)}-${percent(interval.high)})`;
    return [
      `explored:      ${this.items} items, $${this.costUsd.toFixed(6)} extra (not in the cost above) -> ${file}${this.alreadyHeld > 0 ? ` (${this.alreadyHeld} sampled items it already held were not asked again)` : ''}`,
      `false accepts: ${falseAccepts}`,
    ].join('\n');
  }
}
