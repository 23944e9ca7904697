import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { dotProduct, type Embedder } from '../spec/embedder.js';
import type { CascadeRequest } from '../spec/request.js';
import type { CacheOutcome, CascadeResult } from '../spec/result.js';
import { cacheKeys } from './cache-keys.js';
import { canonicalQuestion } from './canonical-question.js';
import { CacheStore, type CacheEntry, type CachedAnswer } from './cache-store.js';
import { defaultGuards, refusingGuard, type Guard } from './guards.js';
import { VectorIndex } from './vector-index.js';

export interface ResponseCacheOptions {
  /** Keeps tenants or jobs apart: entries are found only under the namespace they were stored in. */
  namespace: string;
  /** A folder for the persistent store; memory only when omitted. */
  store?: string;
  ttlSeconds?: number;
  /** Most entries kept per namespace (checked every 1% of it); the oldest go first. @default 100000 */
  maxEntries?: number;
  /** Serve identical requests. @default true */
  exact?: boolean;
  semantic?: { embedder: Embedder; threshold: number; guards?: Record<string, Guard> };
  /** Identifies the cascade (tiers, models, gates, system prompt): another cascade's answers are not served. */
  cascadeFingerprint: string;
  /** Entries held in memory in front of the store. @default 10000 */
  memoryEntries?: number;
  now?: () => number;
  /** Told when a damaged store or saved index was set aside and rebuilt. @default process.emitWarning */
  onNotice?: (message: string) => void;
}

export type CacheLookup =
  | { hit: CascadeResult }
  | { miss: CacheOutcome; keys: ReturnType<typeof cacheKeys>; vector?: Float32Array };

// Candidates looked at past the threshold: a refused nearest one may hide a good second.
const candidatesPerLookup = 4;
/**
 * How far a graph's similarity can be from the exact one. Half precision rounds each component by at most
 * 2^-11 of itself, in the stored vector and in the query, so the dot product of two unit vectors moves by
 * at most about 0.001 (measured: 0.00075 at most over 8,000 neighbours of bench/cache's questions).
 */
const graphSimilarityError = 0.0015;

/**
 * Exact and semantic response caching in front of a cascade. Only accepted answers are stored. A
 * semantic hit needs the same context, a similarity at or above the threshold, and every guard's
 * consent; the result says which kind of hit it was, or why the nearest candidates were refused.
 */
export class ResponseCache {
  readonly store: CacheStore;
  private readonly memory: LRUCache<string, CacheEntry>;
  private index: VectorIndex | undefined;
  private readonly now: () => number;
  private savesSinceTrim = 0;
  private readonly inFlight = new Map<string, Promise<CascadeResult>>();
  private indexChanged = false;
  private readonly notice: (message: string) => void;

  constructor(private readonly options: ResponseCacheOptions) {
    this.now = options.now ?? Date.now;
    this.notice = options.onNotice ?? ((message) => process.emitWarning(message, 'CascadeCacheWarning'));
    this.store = new CacheStore(options.store, this.notice);
    // Answers whose save was not committed must not be found through the index or the memory in front.
    this.store.onSavesLost = (ids) => {
      for (const id of ids) this.index?.remove(id);
      if (this.index) this.indexChanged = true;
      this.memory.clear();
    };
    this.memory = new LRUCache({ max: options.memoryEntries ?? 10_000 });
    this.store.purgeExpired(this.now());
  }

  async lookup(request: CascadeRequest, signal?: AbortSignal): Promise<CacheLookup> {
    const started = performance.now();
    const now = this.now();
    const keys = cacheKeys(request, this.options.cascadeFingerprint);
    if (this.options.exact !== false) {
      const entry = this.exactEntry(keys.exact, now);
      if (entry)
        return {
          hit: this.hitResult(entry, { kind: 'exact', storedAt: new Date(entry.createdAt).toISOString() }, started),
        };
    }
    const semantic = this.options.semantic;
    if (!semantic || keys.query === '') return { miss: { kind: 'miss' }, keys };
    const embedded = await semantic.embedder.embed([canonicalQuestion(keys.query)], signal ? { signal } : {});
    const vector = embedded.vectors[0];
    const embedCostUsd = embedded.costUsd;
    const refused: NonNullable<CacheOutcome['refused']> = [];
    for (const candidate of this.vectorIndex(vector!.length).search(vector!, keys.context, candidatesPerLookup)) {
      // A large context's graph holds half-precision vectors, so its similarity is close, not exact: the
      // entry's stored vector decides, for any candidate close enough to the threshold.
      if (candidate.similarity < semantic.threshold - graphSimilarityError) break;
      const stored = this.store.getWithVector(candidate.id, now);
      if (!stored) continue;
      const { entry } = stored;
      if (entry.context !== keys.context) continue;
      const similarity =
        stored.vector?.length === vector!.length ? dotProduct(vector!, stored.vector) : candidate.similarity;
      if (similarity < semantic.threshold) continue;
      const refusal = refusingGuard(keys.query, entry.query, semantic.guards ?? defaultGuards);
      if (refusal) {
        refused.push({ ...refusal, similarity: round(similarity) });
        continue;
      }
      return {
        hit: this.hitResult(
          entry,
          {
            kind: 'semantic',
            similarity: round(similarity),
            storedAt: new Date(entry.createdAt).toISOString(),
            matched: entry.query,
            ...(embedCostUsd > 0 && { embedCostUsd }),
          },
          started,
        ),
      };
    }
    return {
      miss: { kind: 'miss', ...(refused.length > 0 && { refused }), ...(embedCostUsd > 0 && { embedCostUsd }) },
      keys,
      vector: vector!,
    };
  }

  /** Keep an accepted answer under the request's keys. Anything else is not stored. */
  save(lookup: Extract<CacheLookup, { miss: unknown }>, result: CascadeResult): void {
    if (!result.accepted || result.stop !== 'accepted' || result.text === undefined) return;
    const now = this.now();
    const { namespace, ttlSeconds, semantic } = this.options;
    const answer = answerOf(result);
    let id: number;
    try {
      id = this.store.put(
        {
          namespace,
          key: lookup.keys.exact,
          context: lookup.keys.context,
          query: lookup.keys.query,
          answer,
          expiresAt: ttlSeconds === undefined ? undefined : now + ttlSeconds * 1000,
          ...(semantic && lookup.vector && { embedder: semantic.embedder.name, vector: lookup.vector }),
        },
        now,
      );
    } catch (error) {
      // A cache loses answers to ask again, never the run: the answer was paid for and is returned.
      this.notice(`the cache did not keep an answer: ${(error as Error).message}`);
      return;
    }
    this.memory.delete(lookup.keys.exact);
    if (semantic && lookup.vector) {
      this.vectorIndex(lookup.vector.length).add(id, lookup.keys.context, lookup.vector);
      this.indexChanged = true;
    }
    // Counting is a scan: check the size every hundredth of the limit, so a full cache stays within 1% of it.
    const maxEntries = this.options.maxEntries ?? 100_000;
    if (++this.savesSinceTrim >= Math.max(1, Math.floor(maxEntries / 100))) {
      this.savesSinceTrim = 0;
      for (const removed of this.store.trim(namespace, maxEntries)) {
        this.index?.remove(removed);
        this.indexChanged = true;
      }
    }
  }

  /** Save the vector graph beside a persistent store (when it changed), and close the store. */
  close(): void {
    const file = this.indexFile();
    if (file && this.index && this.indexChanged) this.index.save(file);
    this.store.close();
  }

  private exactEntry(key: string, now: number): CacheEntry | undefined {
    const remembered = this.memory.get(key);
    if (remembered && (remembered.expiresAt === undefined || remembered.expiresAt > now)) return remembered;
    const stored = this.store.get(this.options.namespace, key, now);
    if (stored) this.memory.set(key, stored);
    return stored;
  }

  /**
   * Built on first use: from the graph a previous process saved, when it covers exactly the live
   * entries, else from the stored vectors. A restarted process serves what an earlier one stored.
   */
  private vectorIndex(dimensions: number): VectorIndex {
    if (this.index) return this.index;
    const embedder = this.options.semantic!.embedder.name;
    const now = this.now();
    const file = this.indexFile();
    if (file) {
      const loaded = VectorIndex.load(
        file,
        dimensions,
        this.store.vectorContexts(this.options.namespace, embedder, now),
      );
      if (loaded.index) {
        this.index = loaded.index;
        return loaded.index;
      }
      if (loaded.damaged) {
        this.notice(`the saved vector index ${file} is damaged (${loaded.damaged}); it is rebuilt from the store`);
      }
    }
    // Entries of another size (the embedder's model changed under the same name) cannot be compared.
    const stored = [...this.store.vectors(this.options.namespace, embedder, now)].filter(
      (entry) => entry.vector.length === dimensions,
    );
    this.index = VectorIndex.build(dimensions, stored);
    this.indexChanged = stored.length > 0;
    return this.index;
  }

  private indexFile(): string | undefined {
    if (!this.store.folder || !this.options.semantic) return undefined;
    const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_');
    return join(
      this.store.folder,
      `vectors-${safe(this.options.namespace)}-${safe(this.options.semantic.embedder.name)}.hnsw`,
    );
  }

  private hitResult(entry: CacheEntry, cache: CacheOutcome, started: number): CascadeResult {
    this.store.recordHit(entry.id);
    return servedResult(entry.answer, cache, performance.now() - started);
  }

  /**
   * Run `climb` for a request that missed, unless the same request (exact key) is already running:
   * then wait for that one and serve its answer, so a batch with repeated items pays once even when
   * the repeats are in flight together. If the first run's answer is not accepted, this one climbs too.
   */
  async coalesce(
    lookup: Extract<CacheLookup, { miss: unknown }>,
    climb: () => Promise<CascadeResult>,
  ): Promise<CascadeResult> {
    const key = lookup.keys.exact;
    const running = this.options.exact === false ? undefined : this.inFlight.get(key);
    if (running) {
      const started = performance.now();
      const first = await running.catch(() => undefined);
      if (first && first.accepted && first.stop === 'accepted' && first.text !== undefined) {
        const embedCostUsd = lookup.miss.embedCostUsd;
        return servedResult(
          answerOf(first),
          { kind: 'exact', storedAt: new Date(this.now()).toISOString(), ...(embedCostUsd && { embedCostUsd }) },
          performance.now() - started,
        );
      }
    }
    const own = climb();
    this.inFlight.set(key, own);
    try {
      const result = await own;
      this.save(lookup, result);
      return { ...result, costUsd: result.costUsd + (lookup.miss.embedCostUsd ?? 0), cache: lookup.miss };
    } finally {
      if (this.inFlight.get(key) === own) this.inFlight.delete(key);
    }
  }
}

function answerOf(result: CascadeResult): CachedAnswer {
  return {
    text: result.text!,
    ...(result.value !== undefined && { value: result.value }),
    ...(result.tier !== undefined && { tier: result.tier }),
    ...(result.model !== undefined && { model: result.model }),
    costUsd: result.costUsd,
  };
}

/** A result served from the cache: the stored answer, at no cost, with what it saved. */
function servedResult(answer: CachedAnswer, cache: CacheOutcome, latencyMs: number): CascadeResult {
  return {
    text: answer.text,
    ...(answer.value !== undefined && { value: answer.value }),
    ...(answer.tier !== undefined && { tier: answer.tier }),
    ...(answer.model !== undefined && { model: answer.model }),
    accepted: true,
    stop: 'accepted',
    // A hit costs only the embedding that found it, if the embedder charges.
    costUsd: cache.embedCostUsd ?? 0,
    latencyMs,
    trace: [],
    cache: { ...cache, savedUsd: answer.costUsd },
  };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
