import type { Tier } from './tier.js';

/** How many recent calls of a tier its typical latency is read from. */
const window = 50;

/**
 * Each tier's latency over its recent calls (recorded latencies under replay, wall time live), so a
 * deadline can tell whether a tier fits in the time an item has left. A tier not called yet has none.
 */
export class LatencyHistory {
  private readonly recent = new Map<Tier, number[]>();

  record(tier: Tier, latencyMs: number): void {
    let values = this.recent.get(tier);
    if (!values) {
      values = [];
      this.recent.set(tier, values);
    }
    values.push(latencyMs);
    if (values.length > window) values.shift();
  }

  /** The 90th percentile of the tier's recent latencies, or undefined before its first call. */
  p90(tier: Tier): number | undefined {
    const values = this.recent.get(tier);
    if (!values?.length) return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
  }
}
