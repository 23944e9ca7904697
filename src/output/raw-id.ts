/**
 * The source text of the top-level `"id"` member of a JSON object (a line already known to parse), so
 * an id is kept exactly as written: `12345678901234567891` and `...892` stay two ids where JSON.parse
 * makes both 12345678901234567000, `1e400` is not `Infinity`, and `1` is not `"1"`. The last `id` wins,
 * as with JSON.parse. Linear in the text.
 */
export function rawIdOf(text: string): string | undefined {
  let index = skipSpace(text, 0);
  if (text[index] !== '{') return undefined;
  index = skipSpace(text, index + 1);
  let found: string | undefined;
  while (index < text.length && text[index] !== '}') {
    const keyEnd = skipString(text, index);
    const key = text.slice(index, keyEnd);
    index = skipSpace(text, keyEnd);
    index = skipSpace(text, index + 1); // the colon
    const valueEnd = skipValue(text, index);
    if (key === '"id"' || (key.includes('\\') && JSON.parse(key) === 'id')) found = text.slice(index, valueEnd);
    index = skipSpace(text, valueEnd);
    if (text[index] === ',') index = skipSpace(text, index + 1);
  }
  return found;
}

/** The key a raw id is known by: strings by their value (escapes resolved), numbers as written. */
export function idKeyOf(rawId: string): string {
  return rawId.startsWith('"') ? JSON.stringify(JSON.parse(rawId) as string) : rawId;
}

/** The id as a string, for requests, traces and recordings: a string's value, a number as written. */
export function idTextOf(rawId: string): string {
  return rawId.startsWith('"') ? (JSON.parse(rawId) as string) : rawId;
}

function skipSpace(text: string, index: number): number {
  while (
    index < text.length &&
    (text[index] === ' ' || text[index] === '\t' || text[index] === '\n' || text[index] === '\r')
  ) {
    index++;
  }
  return index;
}

function skipString(text: string, index: number): number {
  for (let at = index + 1; at < text.length; at++) {
    if (text[at] === '\\') at++;
    else if (text[at] === '"') return at + 1;
  }
  return text.length;
}

function skipValue(text: string, index: number): number {
  const first = text[index];
  if (first === '"') return skipString(text, index);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let at = index; at < text.length; at++) {
      const char = text[at];
      if (char === '"') at = skipString(text, at) - 1;
      else if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') {
        depth--;
        if (depth === 0) return at + 1;
      }
    }
    return text.length;
  }
  let at = index;
  while (at < text.length && !',}] \t\n\r'.includes(text[at]!)) at++;
  return at;
}
