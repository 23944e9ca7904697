import { normalizeVector, type Embedder } from '../spec/embedder.js';

/** Vector size of the local embedder: large enough that hashed features rarely collide in a short question. */
export const localEmbedderDimensions = 256;

// Words that carry little of what a question is about; they still count, at a third of the weight.
const functionWords = new Set(
  'a an the is are was were be been being am do does did of in on at to for from by with and or but if then than so as it its this that these those there here what which who whom whose how why when where i me my we our you your he she they them their his her can could should would will shall may might must have has had get got about into over under up down out just very also some any all each more most much many such'.split(' '),
);

/** Lower-case word tokens, with a light suffix fold (plural, -ing, -ed) so inflections share features. */
export function wordTokens(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
  return words.map(foldSuffix);
}

function foldSuffix(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** 32-bit FNV-1a. */
function hash(text: string, seed: number): number {
  let value = 0x811c9dc5 ^ seed;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/**
 * A bag of lexical features hashed into a fixed-size unit vector. What it captures: the words a text
 * shares with another (inflections folded), their local order (word pairs), and spelling (character
 * trigrams, so typos and compounds still overlap). What it does not: meaning. Synonyms ("car",
 * "automobile") and rewordings that share no words look unrelated, and a negation or a changed number
 * barely moves the vector, which is why the cache's guards, not this similarity, decide those cases.
 */
export function embedLocally(text: string, dimensions = localEmbedderDimensions): Float32Array {
  const counts = new Map<string, number>();
  const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
  const words = wordTokens(text);
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    add(`w:${word}`, functionWords.has(word) ? 0.3 : 1);
    if (index > 0) add(`b:${words[index - 1]}_${word}`, 0.5);
    const padded = `<${word}>`;
    if (word.length > 3) for (let start = 0; start + 3 <= padded.length; start++) add(`c:${padded.slice(start, start + 3)}`, 0.15);
  }
  const vector = new Float32Array(dimensions);
  for (const [feature, count] of counts) {
    const bucket = hash(feature, 0) % dimensions;
    const sign = hash(feature, 0x9e3779b9) & 1 ? 1 : -1;
    // Sublinear: a word said three times is not three times the topic.
    vector[bucket]! += sign * (1 + Math.log(count > 1 ? count : 1)) * Math.min(count, 1);
  }
  return normalizeVector(vector);
}

/** The offline embedder: no download, no server, about 10 µs per short question. */
export function createLocalEmbedder(dimensions = localEmbedderDimensions): Embedder {
  return {
    specificationVersion: 'v1',
    name: `local:lexical-${dimensions}`,
    async embed(texts) {
      return texts.map((text) => embedLocally(text, dimensions));
    },
  };
}
