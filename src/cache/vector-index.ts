import { FlatVectors } from './flat-vectors.js';
import { GraphVectors } from './graph-vectors.js';
import { loadVectors, saveVectors } from './saved-vectors.js';
import type { Neighbour, VectorPartition } from './vector-partition.js';

export type { Neighbour } from './vector-partition.js';

/**
 * Nearest neighbours by cosine similarity over unit vectors. Each entry carries the hash of its
 * context (cascade, system prompt, schema, earlier turns), and a search sees only entries of the
 * query's context: a close question asked in another conversation is never a candidate. usearch has
 * no search filter (hnswlib's called back into JavaScript per node visited), so each context has its
 * own partition: exact SIMD dot products while it is small, an HNSW graph once it is large.
 */
export class VectorIndex {
  private readonly partitions = new Map<string, VectorPartition>();
  private readonly contexts = new Map<number, string>();

  /** `initialCapacity` is no longer needed (each partition grows itself) and is kept so callers still compile. */
  constructor(
    readonly dimensions: number,
    _initialCapacity?: number,
  ) {}

  /**
   * An index saved by `save`, if it still covers exactly the live entries (else no index, and the
   * caller rebuilds). `contexts` maps every live id to its context. Each file is checked (size,
   * checksum) before it is read, and a graph before the native loader sees it, which would crash the
   * process on a damaged one; a damaged file is reported in `damaged`.
   */
  static load(
    file: string,
    dimensions: number,
    contexts: Map<number, string>,
  ): { index?: VectorIndex; damaged?: string } {
    const { partitions, damaged } = loadVectors(file, dimensions, contexts);
    if (!partitions) return damaged === undefined ? {} : { damaged };
    const index = new VectorIndex(dimensions);
    for (const [context, partition] of partitions) index.partitions.set(context, partition);
    for (const [id, context] of contexts) index.contexts.set(id, context);
    return { index };
  }

  get size(): number {
    return this.contexts.size;
  }

  /** Write the index beside the store, so a restart need not rebuild it. */
  save(file: string): void {
    saveVectors(file, this.dimensions, this.partitions, this.contexts);
  }

  add(id: number, context: string, vector: Float32Array): void {
    this.checkDimensions(vector);
    if (this.contexts.get(id) !== context) this.remove(id);
    let partition = this.partitions.get(context);
    if (!partition) {
      partition = new FlatVectors(this.dimensions);
      this.partitions.set(context, partition);
    } else if (partition instanceof FlatVectors && partition.size >= graphFrom) {
      partition = this.toGraph(context, partition);
    }
    partition.add(id, vector);
    this.contexts.set(id, context);
  }

  /**
   * An index of entries read from the store (each id once), as a rebuild does: a large context's graph
   * is built in one call on every core instead of one insert at a time.
   */
  static build(
    dimensions: number,
    entries: Iterable<{ id: number; context: string; vector: Float32Array }>,
  ): VectorIndex {
    const index = new VectorIndex(dimensions);
    const grouped = new Map<string, { id: number; vector: Float32Array }[]>();
    for (const entry of entries) {
      index.checkDimensions(entry.vector);
      const group = grouped.get(entry.context);
      if (group) group.push(entry);
      else grouped.set(entry.context, [entry]);
    }
    for (const [context, group] of grouped) {
      const partition =
        group.length < graphFrom ? new FlatVectors(dimensions, group.length) : new GraphVectors(dimensions);
      if (partition instanceof GraphVectors) {
        const vectors = new Float32Array(group.length * dimensions);
        for (const [row, entry] of group.entries()) vectors.set(entry.vector, row * dimensions);
        partition.addMany(
          group.map((entry) => entry.id),
          vectors,
        );
      } else {
        for (const { id, vector } of group) partition.add(id, vector);
      }
      index.partitions.set(context, partition);
      for (const { id } of group) index.contexts.set(id, context);
    }
    return index;
  }

  remove(id: number): void {
    const context = this.contexts.get(id);
    if (context === undefined) return;
    this.contexts.delete(id);
    const partition = this.partitions.get(context)!;
    partition.remove(id);
    if (partition.size === 0) this.partitions.delete(context);
  }

  /** Up to `count` nearest entries of `context`, most similar first. */
  search(vector: Float32Array, context: string, count: number): Neighbour[] {
    return this.partitions.get(context)?.search(vector, count) ?? [];
  }

  /** A context that outgrew exact search moves into a graph, once. */
  private toGraph(context: string, flat: FlatVectors): GraphVectors {
    const graph = new GraphVectors(this.dimensions);
    const ids: number[] = [];
    const vectors = new Float32Array(flat.size * this.dimensions);
    for (const entry of flat.entries()) {
      vectors.set(entry.vector, ids.length * this.dimensions);
      ids.push(entry.id);
    }
    graph.addMany(ids, vectors);
    this.partitions.set(context, graph);
    return graph;
  }

  private checkDimensions(vector: Float32Array): void {
    if (vector.length !== this.dimensions)
      throw new RangeError(`Expected a vector of ${this.dimensions} dimensions, got ${vector.length}`);
  }
}

// Entries of one context searched exactly before it gets a graph: exact search takes 0.1 ms at 2,048
// entries here (p99 0.3 ms), as long as the graph, and finds the nearest entry every time (bench/cache).
const graphFrom = 2048;
