import { Counter, Histogram, Registry } from 'prom-client';
import type { EventListener } from '../spec/events.js';

/** The server's Prometheus metrics, fed by the cascades' run events (prom-client, one registry per server). */
export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'cascade_requests_total',
    help: 'Chat completion requests, by cascade and HTTP status',
    labelNames: ['cascade', 'status'],
    registers: [this.registry],
  });
  private readonly answers = new Counter({
    name: 'cascade_answers_total',
    help: 'Answers, by cascade and the tier that gave them',
    labelNames: ['cascade', 'tier'],
    registers: [this.registry],
  });
  private readonly escalations = new Counter({
    name: 'cascade_escalations_total',
    help: 'Tier attempts that escalated, by cascade, tier and the gate that failed (or error / skipped)',
    labelNames: ['cascade', 'tier', 'gate'],
    registers: [this.registry],
  });
  private readonly cacheHits = new Counter({
    name: 'cascade_cache_hits_total',
    help: 'Requests served from the cache, by cascade and kind',
    labelNames: ['cascade', 'kind'],
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'cascade_cost_usd_total',
    help: 'What answering cost, in USD, by cascade',
    labelNames: ['cascade'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'cascade_request_seconds',
    help: 'Time to answer a request, by cascade',
    labelNames: ['cascade'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  /** A run listener that counts what happens to one request, under the name the client used for the cascade. */
  listener(served: string): EventListener {
    let started = 0;
    return (event) => {
      switch (event.type) {
        case 'item-start':
          started = event.at;
          return;
        case 'cache-hit':
          this.cacheHits.inc({ cascade: served, kind: event.cache.kind });
          return;
        case 'tier-end': {
          const { entry } = event;
          if (entry.accepted) return;
          const gate =
            entry.skipped ?? (entry.error ? 'error' : (entry.gates.find((record) => !record.pass)?.name ?? 'none'));
          this.escalations.inc({ cascade: served, tier: event.tier, gate });
          return;
        }
        case 'item-end':
          if (event.result.tier) this.answers.inc({ cascade: served, tier: event.result.tier });
          this.cost.inc({ cascade: served }, event.result.costUsd);
          this.latency.observe({ cascade: served }, (event.at - started) / 1000);
      }
    };
  }

  request(cascade: string, status: number): void {
    this.requests.inc({ cascade, status: String(status) });
  }
}
