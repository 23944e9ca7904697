import type { Tier } from './tier.js';

/** How many recent calls of a tier its typical latency is read from. */
const window = 50;

/**
 * Each tier's latency over its recent calls (recorded latencies under replay, wall time live), so a
 * deadline can tell whether a tier fits in the time an item has left. A tier not called yet has none.
 */
export class LatencyHistory {
  /** A ring of the last `window` latencies per tier, and how many were recorded in all. */
  private readonly recent = new Map<Tier, { values: Float64Array; count: number }>();

  record(tier: Tier, latencyMs: number): void {
    let ring = this.recent.get(tier);
    if (!ring) {
      ring = { values: new Float64Array(window), count: 0 };
      this.recent.set(tier, ring);
    }
    ring.values[ring.count % window] = latencyMs;
    ring.count++;
  }

  /** The 90th percentile of the tier's recent latencies, or undefined before its first call. */
  p90(tier: Tier): number | undefined {
    const ring = this.recent.get(tier);
    if (!ring?.count) return undefined;
    const sorted = ring.values.slice(0, Math.min(ring.count, window)).sort();
    return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
  }
}
