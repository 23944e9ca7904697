import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';

/** Word vectors in one Float32Array: row `rows.get(word)` holds the word's `dimensions` values. */
export interface WordVectors {
  dimensions: number;
  values: Float32Array;
  /** Word to row. Rows follow the file's order, which is frequency rank for GloVe-derived files. */
  rows: Map<string, number>;
  /** How many words the whole file holds (the vocabulary ranks are out of). */
  vocabularySize: number;
}

const chunkBytes = 4 * 2 ** 20;

/**
 * The first `limit` words of a wink embeddings file (`{"dimensions":100,"size":N,"words":[...],
 * "vectors":{"the":[v1..v100,l2norm,index],...}}`, most frequent first). Why not JSON.parse: the file
 * is 307 MB; parsing it whole takes 5 s and 1 GB of memory for 341,479 words, most of which a question
 * never uses. This reads the bytes chunk by chunk, parses the numbers in place and stops after
 * `limit` words: 100,000 words took 0.6 to 1.2 s and hold 40 MB.
 */
export function readWordVectors(file: string, limit: number): WordVectors {
  let descriptor: number;
  try {
    descriptor = openSync(file, 'r');
  } catch (error) {
    throw new ConfigError(
      `cache.semantic.embedder: cannot read the local word vectors ${file} (${(error as Error).message}); reinstall frugal-cascade's dependencies (npm install), or set embedder: local-lexical`,
      { file, field: 'cache.semantic.embedder' },
    );
  }
  try {
    return parseEntries(descriptor, file, limit);
  } finally {
    closeSync(descriptor);
  }
}

function parseEntries(descriptor: number, file: string, limit: number): WordVectors {
  // Bytes, not a string: Buffer.indexOf is a native search, and no text is decoded but the words kept.
  let data = Buffer.allocUnsafe(chunkBytes);
  let length = 0;
  let ended = false;
  /** Keep `data[from, length)`, moved to the front, and append the next chunk; false at the end of the file. */
  const more = (from: number): boolean => {
    if (ended) return false;
    data.copy(data, 0, from, length);
    length -= from;
    if (data.length - length < chunkBytes / 2)
      data = Buffer.concat([data.subarray(0, length), Buffer.alloc(chunkBytes)]);
    const read = readSync(descriptor, data, length, data.length - length, null);
    length += read;
    ended = read === 0;
    return !ended;
  };
  const malformed = (what: string) =>
    new ConfigError(`${file}: not a wink embeddings file (${what}); reinstall it (npm install)`, {
      file,
      field: 'cache.semantic.embedder',
    });

  more(0);
  const head = data.toString('latin1', 0, Math.min(length, 200));
  const dimensions = Number(/"dimensions":(\d+)/.exec(head)?.[1]);
  const vocabularySize = Number(/"size":(\d+)/.exec(head)?.[1]);
  if (!(dimensions > 0 && vocabularySize > 0)) throw malformed('no "dimensions" or "size" at its start');
  const marker = Buffer.from('"vectors":{');
  let position = data.subarray(0, length).indexOf(marker);
  while (position < 0) {
    if (!more(Math.max(0, length - marker.length))) throw malformed('no "vectors" object');
    position = data.subarray(0, length).indexOf(marker);
  }
  position += marker.length;

  const kept = Math.min(limit, vocabularySize);
  const values = new Float32Array(kept * dimensions);
  const rows = new Map<string, number>();
  while (rows.size < kept) {
    // An entry: `"word":[numbers]`, after a comma from the second on. A word may hold `[`, never `":[`.
    let colon = data.indexOf(openBracket, position) - 2;
    while (colon >= 0 && colon + 3 <= length && !(data[colon] === quote && data[colon + 1] === colonByte))
      colon = data.indexOf(openBracket, colon + 3) - 2;
    const close = colon < 0 ? -1 : data.indexOf(closeBracket, colon);
    if (close < 0 || close >= length) {
      // A file that ends before the words it says it holds was cut short: fewer words under the same
      // embedder name would mix with vectors made from the whole file.
      if (!more(position)) throw malformed(`it ends after ${rows.size} of its ${vocabularySize} words`);
      position = 0;
      continue;
    }
    const keyStart = data.indexOf(quote, position);
    if (keyStart < 0 || keyStart > colon) throw malformed(`an entry near word ${rows.size + 1}`);
    const word = JSON.parse(data.toString('utf8', keyStart, colon + 1)) as string;
    const row = rows.size;
    const read = readNumbers(data, colon + 3, close, values, row * dimensions, dimensions);
    if (read < 0) throw malformed(`"${word}" has a value that is not a plain decimal`);
    if (read < dimensions) throw malformed(`"${word}" has ${read} values`);
    if (!rows.has(word)) rows.set(word, row);
    position = close + 1;
  }
  return { dimensions, values: values.subarray(0, rows.size * dimensions), rows, vocabularySize };
}

const [quote, colonByte, openBracket, closeBracket] = [0x22, 0x3a, 0x5b, 0x5d];

/**
 * Parse up to `count` comma-separated decimals of `text[from, to)` into `into` at `offset`; returns how
 * many, or -1 at a value that is not a plain decimal. By hand because Number() on 10 million substrings was most of the load time (2.7 s for 100,000
 * words); plain decimals with an optional sign and exponent are all these files hold.
 */
export function readNumbers(
  text: Uint8Array,
  from: number,
  to: number,
  into: Float32Array,
  offset: number,
  count: number,
): number {
  let read = 0;
  let index = from;
  while (read < count && index < to) {
    let sign = 1;
    if (text[index]! === 45) {
      sign = -1;
      index++;
    }
    let mantissa = 0;
    let scale = 0;
    let code = text[index]!;
    while (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      code = text[++index]!;
    }
    if (code === 46) {
      code = text[++index]!;
      while (code >= 48 && code <= 57) {
        mantissa = mantissa * 10 + (code - 48);
        scale--;
        code = text[++index]!;
      }
    }
    if (code === 101 || code === 69) {
      // An exponent is rare: leave it to Number().
      let end = text.indexOf(comma, index);
      if (end < 0 || end > to) end = to;
      scale += Number(Buffer.from(text.subarray(index + 1, end)).toString('latin1'));
      index = end;
    }
    into[offset + read++] =
      scale < 0 && scale > -tenths.length ? (sign * mantissa) / tenths[-scale]! : sign * mantissa * 10 ** scale;
    // Each number ends at a comma or the array's end; anything else (a space, null, NaN) is not this
    // format, and reading on would shift every value after it: count no more.
    if (index < to && text[index]! !== comma) return -1;
    index++; // the comma
  }
  return read;
}

const comma = 0x2c;

// Exact powers of ten: dividing by one rounds once, as Number() does for these short decimals.
const tenths = Array.from({ length: 23 }, (_, power) => 10 ** power);
