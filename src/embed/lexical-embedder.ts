import { rememberRecent } from '../common/remember-recent.js';
import { normalizeVector, type Embedder } from '../spec/embedder.js';

/** Vector size of the local embedder: large enough that hashed features rarely collide in a short question. */
export const lexicalEmbedderDimensions = 256;

// Words that carry little of what a question is about; they still count, at a third of the weight.
const functionWords = new Set(
  'a an the is are was were be been being am do does did of in on at to for from by with and or but if then than so as it its this that these those there here what which who whom whose how why when where i me my we our you your he she they them their his her can could should would will shall may might must have has had get got about into over under up down out just very also some any all each more most much many such'.split(
    ' ',
  ),
);

/** Lower-case word tokens, with a light suffix fold (plural, -ing, -ed) so inflections share features. */
export const wordTokens: (text: string) => readonly string[] = rememberRecent((text) => {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
  return words.map(foldSuffix);
});

function foldSuffix(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** 32-bit FNV-1a over `text[from, to)`, continuing from `value`: no substring is built. */
function fnv(text: string, from: number, to: number, value: number): number {
  for (let index = from; index < to; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

const offset = 0x811c9dc5;
// Each kind of feature hashes from its own seed, so a word and a trigram with equal letters differ.
const seeds = { word: fnv('w', 0, 1, offset), pair: fnv('b', 0, 1, offset), trigram: fnv('c', 0, 1, offset) };

/** Add `weight` to the feature's bucket, with a sign from a second hash so collisions cancel rather than pile up. */
function addFeature(vector: Float32Array, hash: number, weight: number): void {
  const mixed = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b) >>> 0;
  vector[hash % vector.length]! += mixed & 1 ? weight : -weight;
}

/**
 * A bag of lexical features hashed into a fixed-size unit vector. What it captures: the words a text
 * shares with another (inflections folded), their local order (word pairs), and spelling (character
 * trigrams, so typos and compounds still overlap). What it does not: meaning. Synonyms ("car",
 * "automobile") and rewordings that share no words look unrelated, and a negation or a changed number
 * barely moves the vector, which is why the cache's guards, not this similarity, decide those cases.
 */
export function embedLexically(text: string, dimensions = lexicalEmbedderDimensions): Float32Array {
  const vector = new Float32Array(dimensions);
  const words = wordTokens(text);
  let previous = 0;
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    const wordHash = fnv(word, 0, word.length, seeds.word);
    addFeature(vector, wordHash, functionWords.has(word) ? 0.3 : 1);
    if (index > 0)
      addFeature(vector, fnv(word, 0, word.length, Math.imul(previous ^ seeds.pair, 0x01000193) >>> 0), 0.5);
    previous = wordHash;
    if (word.length > 3) {
      // Trigrams of "<word>": the first and last carry the boundary marks.
      addFeature(vector, fnv(word, 0, 2, fnv('<', 0, 1, seeds.trigram)), 0.15);
      for (let start = 0; start + 3 <= word.length; start++)
        addFeature(vector, fnv(word, start, start + 3, seeds.trigram), 0.15);
      addFeature(vector, fnv('>', 0, 1, fnv(word, word.length - 2, word.length, seeds.trigram)), 0.15);
    }
  }
  return normalizeVector(vector);
}

/** The lexical embedder (`embedder: local-lexical`): no download, no server, about 10 µs per short question. */
export function createLexicalEmbedder(dimensions = lexicalEmbedderDimensions): Embedder {
  return {
    specificationVersion: 'v1',
    name: `local:lexical-${dimensions}`,
    async embed(texts) {
      return { vectors: texts.map((text) => embedLexically(text, dimensions)), costUsd: 0 };
    },
  };
}
