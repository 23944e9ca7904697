import hnswlib from 'hnswlib-node';

export interface Neighbour {
  id: number;
  /** Cosine similarity (vectors are unit length). */
  similarity: number;
}

/**
 * Nearest neighbours by cosine similarity over unit vectors: an HNSW graph (hnswlib), so a lookup
 * stays well under a millisecond at 100,000 entries. Each entry carries the hash of its context
 * (cascade, system prompt, schema, earlier turns), and a search sees only entries of the query's
 * context: a close question asked in another conversation is never a candidate.
 */
export class VectorIndex {
  private readonly index: hnswlib.HierarchicalNSW;
  private readonly contexts = new Map<number, string>();
  private capacity: number;

  constructor(readonly dimensions: number, initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.index = new hnswlib.HierarchicalNSW('ip', dimensions);
    this.index.initIndex({ maxElements: this.capacity, m: 16, efConstruction: 100, randomSeed: 42, allowReplaceDeleted: false });
    this.index.setEf(64);
  }

  get size(): number {
    return this.contexts.size;
  }

  add(id: number, context: string, vector: Float32Array): void {
    if (vector.length !== this.dimensions) throw new RangeError(`Expected a vector of ${this.dimensions} dimensions, got ${vector.length}`);
    if (this.contexts.has(id)) this.remove(id);
    if (this.index.getCurrentCount() >= this.capacity) {
      this.capacity *= 2;
      this.index.resizeIndex(this.capacity);
    }
    this.index.addPoint(Array.from(vector), id);
    this.contexts.set(id, context);
  }

  remove(id: number): void {
    if (!this.contexts.delete(id)) return;
    this.index.markDelete(id);
  }

  /** Up to `count` nearest entries of `context`, most similar first. */
  search(vector: Float32Array, context: string, count: number): Neighbour[] {
    if (this.contexts.size === 0) return [];
    const found = this.index.searchKnn(Array.from(vector), Math.min(count, this.contexts.size), (label) => this.contexts.get(label) === context);
    return found.neighbors.map((id, index) => ({ id, similarity: 1 - found.distances[index]! }));
  }
}
