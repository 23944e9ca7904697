import type { CascadeResult } from '../spec/result.js';
import { isAnswered } from './top-tier-cost.js';

/** Running totals of a batch, printed at the end of `cascade run`. */
export class RunSummary {
  items = 0;
  inputErrors = 0;
  costUsd = 0;
  topTierCostUsd = 0;
  readonly answeredByTier = new Map<string, number>();
  readonly stops = new Map<string, number>();
  /** "local: json-schema" style keys: where an item left a tier, and why. */
  readonly escalations = new Map<string, number>();
  /** Failed calls (after retries) and failed items, by kind. */
  readonly errors = new Map<string, number>();
  /** exact / semantic / miss, when the cascade has a cache. */
  readonly cache = new Map<string, number>();
  cacheSavedUsd = 0;
  /** Items the cascade answered (accepted, or exhausted with an answer). */
  answered = 0;

  constructor(
    private readonly tierNames: readonly string[],
    private readonly topTierName: string,
  ) {}

  add(result: CascadeResult, topTierCost: number): void {
    this.items++;
    this.costUsd += result.costUsd;
    increment(this.stops, result.stop);
    if (isAnswered(result)) {
      increment(this.answeredByTier, result.tier!);
      this.answered++;
      this.topTierCostUsd += topTierCost;
    }
    if (result.cache) {
      increment(this.cache, result.cache.kind);
      this.cacheSavedUsd += result.cache.savedUsd ?? 0;
    }
    for (const entry of result.trace) {
      if (entry.accepted) continue;
      const failedGate = entry.gates.find((gate) => !gate.pass);
      const why =
        entry.skipped ??
        (entry.error ? `error ${entry.error.statusCode ?? entry.error.kind}` : (failedGate?.name ?? 'rejected'));
      increment(this.escalations, `${entry.tier}: ${why}`);
      if (entry.error)
        increment(
          this.errors,
          entry.error.statusCode !== undefined ? `${entry.error.kind} ${entry.error.statusCode}` : entry.error.kind,
        );
    }
  }

  addInputError(): void {
    this.items++;
    this.inputErrors++;
    // The result line says `stop: "error"`; the kind is in the errors line.
    increment(this.stops, 'error');
    increment(this.errors, 'bad input lines:');
  }

  /** An item whose run threw (not a tier failure: those are in its trace). */
  addFailure(kind: string): void {
    this.items++;
    increment(this.stops, 'error');
    increment(this.errors, kind);
  }

  /** Savings against the top tier, what the run cost beyond it, or that nothing was answered to compare. */
  private savingsNote(): string {
    if (this.answered === 0) return ' (no item answered: nothing to compare)';
    if (this.topTierCostUsd <= 0) return '';
    const change = Math.round((100 * (this.topTierCostUsd - this.costUsd)) / this.topTierCostUsd);
    return change >= 0 ? ` (${change}% saved)` : ` (${-change}% more than always using ${this.topTierName})`;
  }

  format(outputPath: string, wallSeconds: number): string {
    const share = (count: number) => `${count} (${this.items === 0 ? 0 : Math.round((100 * count) / this.items)}%)`;
    const perTier = this.tierNames.map((name) => `${name} ${share(this.answeredByTier.get(name) ?? 0)}`).join(', ');
    // Most frequent first, then by name: the same run prints the same line, whatever order items finished in.
    const escalations =
      [...this.escalations]
        .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
        .map(([why, count]) => `${why} ${count}`)
        .join(', ') || 'none';
    const stops = [...this.stops].map(([stop, count]) => `${stop} ${count}`).join(', ');
    const saved = this.savingsNote();
    return [
      `items:         ${this.items} in ${wallSeconds.toFixed(2)} s`,
      `answered by:   ${perTier}`,
      `left a tier:   ${escalations}`,
      `stops:         ${stops}`,
      `errors:        ${[...this.errors].map(([kind, count]) => `${kind} ${count}`).join(', ') || 'none'}`,
      ...(this.cache.size > 0
        ? [
            `cache:         ${['exact', 'semantic', 'miss'].map((kind) => `${kind} ${this.cache.get(kind) ?? 0}`).join(', ')} (hits saved $${this.cacheSavedUsd.toFixed(6)})`,
          ]
        : []),
      `cost:          $${this.costUsd.toFixed(6)} vs $${this.topTierCostUsd.toFixed(6)} always using ${this.topTierName} on the ${this.answered} items answered${saved}`,
      `results:       ${outputPath}`,
    ].join('\n');
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
