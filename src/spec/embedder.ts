/** Vectors for texts, in order, and what making them cost. */
export interface Embeddings {
  vectors: Float32Array[];
  /** Input tokens, when the server reports them. */
  inputTokens?: number;
  costUsd: number;
}

/** Turns texts into vectors for the semantic cache. Vectors are unit length, so a dot product is the cosine. */
export interface Embedder {
  readonly specificationVersion: 'v1';
  /** Names the embedder and its model, e.g. `ollama:nomic-embed-text`; cache entries are kept apart by it. */
  readonly name: string;
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Embeddings>;
}

/** Scale a vector to unit length (a zero vector stays zero). */
export function normalizeVector(values: ArrayLike<number>): Float32Array {
  // A Float32Array is scaled in place; anything else is copied into one.
  const vector = values instanceof Float32Array ? values : Float32Array.from(values);
  let norm = 0;
  for (let index = 0; index < vector.length; index++) norm += vector[index]! * vector[index]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let index = 0; index < vector.length; index++) vector[index]! /= norm;
  return vector;
}

/** The dot product of two vectors of one length: their cosine similarity when both are unit length. */
export function dotProduct(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index]! * b[index]!;
  return sum;
}
