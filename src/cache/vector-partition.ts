export interface Neighbour {
  id: number;
  /** Cosine similarity (vectors are unit length). */
  similarity: number;
}

/** The vectors of one context: a search never looks outside the context it was asked for. */
export interface VectorPartition {
  readonly size: number;
  /** Add or replace the vector of `id`. */
  add(id: number, vector: Float32Array): void;
  remove(id: number): void;
  /** Up to `count` nearest entries, most similar first. */
  search(vector: Float32Array, count: number): Neighbour[];
}
