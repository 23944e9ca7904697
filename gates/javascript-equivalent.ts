/** Characters with a meaning of their own in a pattern. */
const syntax = '\\^$.|?*+()[]{}';
/**
 * Escapes that mean the same on both engines: ASCII digits, ASCII word characters, word boundaries. Not
 * `\B`: JavaScript's engine finds it between the two halves of a surrogate pair, where RE2 has no position.
 */
const sameEscapes = 'dwb';

/**
 * The pattern as a JavaScript RegExp when that is known to give RE2's verdict on every text, in time linear
 * in the text; undefined otherwise (the gate then runs RE2). A regex gate's answers are a model's, so a
 * pattern that could backtrack must not run on JavaScript's engine; but loading and running re2js took a
 * replay of 20,000 items about 60 ms of its second (15 ms to load, 6 ms to compile two patterns, 40 ms to
 * test 40,000 answers, where RegExp took 3).
 *
 * Taken: literal characters of the Basic Multilingual Plane, `^` and `$`, `|`, `\d`, `\w`, `\b`, escaped
 * syntax characters, and classes of literal characters and ascending ranges (`[A-D]`) that leave out the
 * surrogates. Without a quantifier or a group the engine cannot backtrack beyond the pattern's own length
 * at each position. Refused, for RE2: quantifiers, groups, `.` and `\s` (their characters differ);
 * negated classes, ranges across the surrogates and `\B` (on JavaScript's engine they match half of a
 * surrogate pair, or the place between its halves); the `i` flag (its case folding differs: RE2 folds
 * the Kelvin sign into k); `u` and `v`; and `m` with an anchor. `g`, `y`, `d` and `s` change nothing here
 * (the RegExp is made without them: `g` would make `test` remember where it stopped).
 */
export function javaScriptEquivalent(source: string, flags: string): RegExp | undefined {
  for (const flag of flags) if (!'gydsm'.includes(flag)) return undefined;
  const multiline = flags.includes('m');
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (isSurrogate(char)) return undefined;
    if (char === '^' || char === '$') {
      if (multiline) return undefined;
      at++;
    } else if (char === '\\') {
      const escaped = source[at + 1];
      if (escaped === undefined || !(sameEscapes.includes(escaped) || syntax.includes(escaped))) return undefined;
      at += 2;
    } else if (char === '[') {
      const end = plainClassEnd(source, at);
      if (end === undefined) return undefined;
      at = end;
    } else if (char === '|' || !syntax.includes(char)) {
      at++;
    } else {
      return undefined;
    }
  }
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/** Where the class opening at `open` ends, when it holds only literal characters and ascending ranges. */
function plainClassEnd(source: string, open: number): number | undefined {
  let at = open + 1;
  // `[]` and `[^...]` mean different things on the two engines, or match half a surrogate pair.
  if (source[at] === ']' || source[at] === '^') return undefined;
  while (at < source.length) {
    const char = source[at]!;
    if (char === ']') return at + 1;
    if (!isClassLiteral(char)) return undefined;
    if (source[at + 1] === '-') {
      const last = source[at + 2];
      if (last === undefined || !isClassLiteral(last) || last < char) return undefined;
      // A range across the surrogates would match half of a pair (an emoji) on JavaScript's engine.
      if (char < '\ud800' && last > '\udfff') return undefined;
      at += 3;
    } else {
      at++;
    }
  }
  return undefined;
}

function isClassLiteral(char: string): boolean {
  return !isSurrogate(char) && !'\\[]^-'.includes(char);
}

function isSurrogate(char: string): boolean {
  const code = char.charCodeAt(0);
  return code >= 0xd800 && code <= 0xdfff;
}
