import type { WordVectors } from './word-vectors.js';

/**
 * Sentence vectors as smooth-inverse-frequency averages of word vectors with the common component
 * removed (SIF: Arora, Liang and Ma, "A simple but tough-to-beat baseline for sentence embeddings",
 * ICLR 2017). A word weighs a / (a + p(w)): "the" and "how" barely count, "passport" counts fully.
 */
export interface SifSentences {
  dimensions: number;
  /**
   * The sentence vector of `text` (not normalised; all zeros when no word of it has a vector), and the
   * share of the sentence's weight its known words carry: a word without a vector is rarer than any
   * the file ranks, so it weighs fully, and a sentence of unknown names is mostly unknown.
   */
  embed(text: string): { vector: Float32Array; known: number };
}

export interface SifOptions {
  /** SIF's smoothing `a`: the word probability at which a word's weight is one half. @default 1e-3 */
  smoothing?: number;
  /** Remove the common component (SIF's second step); off only to measure what it brings. @default true */
  removeCommonComponent?: boolean;
}

/** Lower-case words as GloVe's vocabulary spells them (it was trained on lower-cased text). */
export function vectorWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The files hold no counts, but their rows are in frequency order, so p(w) follows Zipf's law from the
 * rank: p(rank r) = 1 / (r * H(N)) over the N words of the whole file, H(N) ≈ ln N + 0.5772.
 */
function zipfProbabilities(vectors: WordVectors): Float64Array {
  const harmonic = Math.log(vectors.vocabularySize) + 0.5772;
  return Float64Array.from({ length: vectors.rows.size }, (_, row) => 1 / ((row + 1) * harmonic));
}

/** SIF's weight of each word: a / (a + p(w)). */
function sifWeights(probabilities: Float64Array, smoothing: number): Float32Array {
  return Float32Array.from(probabilities, (probability) => smoothing / (smoothing + probability));
}

/**
 * SIF removes the first singular vector of a corpus's sentence vectors. With no corpus at hand, it is
 * taken as the direction of the expected sentence vector when words come at their Zipf frequencies,
 * Σ p(w) weight(w) v(w): for sentences of ten words or so this mean term dominates the second moment
 * whose top eigenvector SIF removes. What it captures: the direction every sentence shares (syntax,
 * frequent words), which otherwise makes any two sentences look alike.
 */
function commonComponent(vectors: WordVectors, probabilities: Float64Array, weights: Float32Array): Float32Array {
  const { dimensions, values } = vectors;
  const mean = new Float64Array(dimensions);
  for (let row = 0; row < weights.length; row++) {
    const share = weights[row]! * probabilities[row]!;
    for (let index = 0; index < dimensions; index++) mean[index]! += share * values[row * dimensions + index]!;
  }
  let norm = 0;
  for (const value of mean) norm += value * value;
  return Float32Array.from(mean, (value) => value / Math.sqrt(norm));
}

export function createSifSentences(vectors: WordVectors, options: SifOptions = {}): SifSentences {
  const { dimensions, values, rows } = vectors;
  const probabilities = zipfProbabilities(vectors);
  const weights = sifWeights(probabilities, options.smoothing ?? 1e-3);
  const common = commonComponent(vectors, probabilities, weights);
  return {
    dimensions,
    embed(text) {
      const sum = new Float32Array(dimensions);
      let knownWeight = 0;
      let unknownWeight = 0;
      for (const word of vectorWords(text)) {
        const row = rows.get(word);
        if (row === undefined) {
          unknownWeight++;
          continue;
        }
        const weight = weights[row]!;
        const offset = row * dimensions;
        for (let index = 0; index < dimensions; index++) sum[index]! += weight * values[offset + index]!;
        knownWeight += weight;
      }
      const known = knownWeight === 0 ? 0 : knownWeight / (knownWeight + unknownWeight);
      if (known === 0 || options.removeCommonComponent === false) return { vector: sum, known };
      let projection = 0;
      for (let index = 0; index < dimensions; index++) projection += sum[index]! * common[index]!;
      for (let index = 0; index < dimensions; index++) sum[index]! -= projection * common[index]!;
      return { vector: sum, known };
    },
  };
}
