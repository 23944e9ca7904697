import type { ProviderMiddleware } from '../spec/middleware.js';
import { wrapProvider } from '../middleware/wrap-provider.js';
import { ReplayMissError } from '../errors/index.js';
import { FixtureFile } from '../fixtures/fixture-file.js';
import type { FixtureItem, RecordedResponse } from '../fixtures/fixture-schema.js';
import { requestKey } from '../fixtures/request-key.js';
import { recordedCostUsd, replayedUsage } from '../fixtures/recorded-cost.js';
import { pricingOnFirstUse, type Pricing } from '../pricing/price-table.js';
import type { Completion } from '../spec/completion.js';
import type { Provider, ProviderCallOptions } from '../spec/provider.js';
import { abortableSleep } from '../common/abortable-sleep.js';
import type { CascadeRequest } from '../spec/request.js';

/** Items of a fixture file, found by id or by their messages. Shared by every replay tier of a run. */
export class FixtureIndex {
  private readonly byId = new Map<string, FixtureItem>();
  /** Built at the first lookup by messages: a run whose items carry their ids never hashes the fixture. */
  private byRequestKey?: Map<string, string>;
  /** A file read by offsets (`load`), instead of items held in memory. */
  private source?: FixtureFile;

  constructor(
    readonly file: string,
    private readonly items: readonly FixtureItem[] = [],
  ) {
    for (const item of items) this.byId.set(item.id, item);
  }

  /** The file indexed by id and read record by record as asked for: memory does not grow with its size. */
  static async load(file: string): Promise<FixtureIndex> {
    const index = new FixtureIndex(file);
    index.source = await FixtureFile.open(file);
    return index;
  }

  /** Close the file it reads records from (it also closes when the index is collected). */
  close(): void {
    this.source?.close();
  }

  private item(id: string): FixtureItem | undefined {
    return this.source ? this.source.get(id) : this.byId.get(id);
  }

  private get byRequest(): Map<string, string> {
    if (!this.byRequestKey) {
      // Kept only once whole: a record that breaks the format stops the lookup, and the next one too.
      const built = new Map<string, string>();
      const ids = this.source ? [...this.source.ids()] : this.items.map((item) => item.id);
      for (const id of ids) built.set(requestKey(this.item(id)!.input.messages), id);
      this.byRequestKey = built;
    }
    return this.byRequestKey;
  }

  /** The item with the request's id, else the item whose messages equal the request's (before or after gates adjusted them). */
  find(request: CascadeRequest): FixtureItem | undefined {
    const byId = request.id !== undefined ? this.item(request.id) : undefined;
    if (byId) return byId;
    const bySource = request.sourceMessages ? this.byRequest.get(requestKey(request.sourceMessages)) : undefined;
    const id = bySource ?? this.byRequest.get(requestKey(request.messages));
    return id === undefined ? undefined : this.item(id);
  }
}

export interface ReplayProviderOptions {
  model: string;
  /** The fixture file, or an index already loaded from it. */
  fixtures: string | FixtureIndex | Promise<FixtureIndex>;
  pricing?: Pricing;
  /** The provider the recording stands in for, to find a price when the recording has no cost. */
  pricedAs?: string;
  /** The name its answers are recorded under when two tiers share a model name (`model@tier`); the model's own name is tried next. */
  recordedAs?: string;
  /** Wait each answer's recorded latency before giving it, as the live call took (for load tests and demos). */
  paced?: boolean;
}

/**
 * Answers from recorded responses (docs/fixtures.md format) with their text, usage, cost, latency
 * and confidence. No network. A request it has no recording for fails with ReplayMissError.
 */
export function createReplayProvider(options: ReplayProviderOptions): Provider {
  const index =
    typeof options.fixtures === 'string' ? FixtureIndex.load(options.fixtures) : Promise.resolve(options.fixtures);
  // Looked up when a record without costUsd is first costed.
  const pricing = pricingOnFirstUse(options.pricedAs ?? 'replay', options.model, options.pricing);
  let loaded: FixtureIndex | undefined;
  void index.then(
    (value) => (loaded = value),
    () => undefined,
  );

  function lookup(fixtures: FixtureIndex, request: CascadeRequest): { item: FixtureItem; response: RecordedResponse } {
    const item = fixtures.find(request);
    if (!item) {
      const what = request.id !== undefined ? `item "${request.id}" nor its messages` : 'these messages';
      throw new ReplayMissError(
        `replay: ${fixtures.file} has ${request.id !== undefined ? 'neither ' : 'no record of '}${what}. Record the item first, replay from the file that has it, or add \`--on-miss live\` to call the live provider for what the recording lacks.`,
      );
    }
    const response = (options.recordedAs && item.responses[options.recordedAs]) || item.responses[options.model];
    if (!response) {
      throw new ReplayMissError(
        `replay: ${fixtures.file} item "${item.id}" has no answer of model "${options.model}"; it has ${Object.keys(
          item.responses,
        )
          .map((name) => `"${name}"`)
          .join(', ')}.`,
      );
    }
    return { item, response };
  }

  // Priced on the item's recorded input, so a cost does not change with what gates added to the request.
  const recordedCost = (item: FixtureItem, response: RecordedResponse) =>
    recordedCostUsd(item.input.messages, response, pricing);

  return {
    specificationVersion: 'v1',
    name: 'replay',
    model: options.model,
    // A paced recording waits, so it can be timed out and cancelled like a live call.
    answersFromMemory: !options.paced,
    async complete(request: CascadeRequest, call: ProviderCallOptions = {}): Promise<Completion> {
      // The index, once loaded, is used without waiting a turn for its promise.
      const { item, response } = lookup(loaded ?? (await index), request);
      if (options.paced && response.latencyMs) await abortableSleep(response.latencyMs, call.signal);
      const { usage, estimated } = replayedUsage(item.input.messages, response);
      const completion: Completion = {
        text: response.text,
        model: options.model,
        usage,
        costUsd: recordedCost(item, response),
        latencyMs: response.latencyMs ?? 0,
      };
      if (estimated) completion.usageEstimated = estimated;
      if (response.toolCalls?.length) completion.toolCalls = response.toolCalls;
      if (response.confidence !== undefined) {
        completion.confidence = response.confidence;
        completion.confidenceSource = 'recorded';
      }
      return completion;
    },
    knownCostUsd(request: CascadeRequest): number | undefined {
      if (!loaded) return undefined;
      try {
        const { item, response } = lookup(loaded, request);
        return recordedCost(item, response);
      } catch {
        return undefined;
      }
    },
  };
}

/** Answer from the recording when it has the request; otherwise call `live` (`--on-miss live`). */
export function withLiveOnMiss(replay: Provider, live: Provider): Provider {
  return wrapProvider(replay, [liveOnMissMiddleware(live)]);
}

/** Calls `live` for a request the recording below has no answer for. */
export function liveOnMissMiddleware(live: Provider): ProviderMiddleware {
  return {
    name: 'live-on-miss',
    async wrapComplete(next, request, options) {
      try {
        return await next(request, options);
      } catch (error) {
        if (!(error instanceof ReplayMissError)) throw error;
        return live.complete(request, options);
      }
    },
  };
}
