import { rememberRecent } from '../common/remember-recent.js';
import { wordTokens } from '../embed/lexical-embedder.js';
import { canonicalQuestion } from './canonical-question.js';

/**
 * Guards refuse a semantic cache hit between two questions that embed close together but ask different
 * things. Each is a failure that semantic caches are known for: "is X safe" answered with "is X not
 * safe" (GPTCache #8), a changed amount or date, a different product or person, or the same names in
 * swapped roles. A hit must pass every guard; each returns why it refused, or undefined.
 */
export type Guard = (query: string, candidate: string) => string | undefined;

const negationWords = new Set([
  'not',
  'no',
  'never',
  'none',
  'nothing',
  'nobody',
  'nowhere',
  'neither',
  'nor',
  'without',
  'cannot',
  'unable',
  'fail',
  'fails',
  'failed',
  'stop',
  'stopped',
  'instead',
  'except',
  'excluding',
  'lack',
  'lacks',
  'unless',
  'non',
]);

/** Negation cues, with `n't` contractions counted as `not` ("isn't", "can't", "won't"). */
export function negations(text: string): string[] {
  const found: string[] = [];
  for (const word of text
    .toLowerCase()
    .replace(/[’]/g, "'")
    .match(/[a-z]+(?:'[a-z]+)?/g) ?? []) {
    if (word.endsWith("n't")) found.push('not');
    else if (negationWords.has(word)) found.push(word === 'cannot' ? 'not' : word);
  }
  return found.sort();
}

const numberWords: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  thousand: 1000,
  million: 1e6,
  billion: 1e9,
  dozen: 12,
  half: 0.5,
  once: 1,
  twice: 2,
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  single: 1,
  double: 2,
  triple: 3,
};

/** Numbers in order of appearance: numerals (1,200 / 3.5 / 2nd / 50%) and number words. */
export function numbers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.toLowerCase().matchAll(numberPattern)) {
    if (match[1] !== undefined) {
      const value = Number(match[1].replace(/,(?=\d{3}\b)/g, ''));
      found.push(`${Number.isFinite(value) ? value : match[1]}${match[2] === '%' ? '%' : match[2] === 'k' ? 'k' : ''}`);
    } else {
      found.push(String(numberWords[match[0]]));
    }
  }
  return found;
}

// A numeral, or a number word as a whole run of letters: only numbers make a match (and its array), not
// every word of the question.
const numberPattern = new RegExp(
  `(\\d[\\d,]*(?:\\.\\d+)?)(st|nd|rd|th|%|k\\b)?|(?<![a-z])(?:${Object.keys(numberWords).join('|')})(?![a-z])`,
  'g',
);

const dateWords = new Set([
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'weekend',
  'weekday',
  'today',
  'tomorrow',
  'yesterday',
  'tonight',
  'now',
  'currently',
  'morning',
  'afternoon',
  'evening',
  'night',
  'last',
  'next',
  'previous',
  'past',
  'future',
  'ago',
  'before',
  'after',
  'since',
  'until',
  'am',
  'pm',
  'spring',
  'summer',
  'autumn',
  'fall',
  'winter',
  'daily',
  'weekly',
  'monthly',
  'yearly',
  'annual',
  'annually',
]);

/** Words that fix a time: months, weekdays, relative days, before/after, seasons. ("may" counts: a false refusal costs one call.) */
export function dateTerms(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).filter((word) => dateWords.has(word)).sort();
}

// Capitalised words that start questions and sentences without naming anything.
const sentenceWords = new Set(
  'a an the is are was were be do does did can could should would will shall may might must have has had what which who whom whose how why when where i my we our you your he she they their it its this that these those there here if in on at to for from by with and or but not no yes please hi hello hey dear thanks thank also so as any some all each every best good great new old top most more first last then now also still just'.split(
    ' ',
  ),
);

/** Words as names are written: letters and digits with inner `' . + # -` (GPT-4o, C++, O'Brien), without a possessive `'s`. */
const nameTokens: (text: string) => readonly string[] = rememberRecent((text) =>
  (text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.+#-]*[\p{L}\p{N}+#]|[\p{L}\p{N}]/gu) ?? []).map((token) =>
    token.replace(/['’]s$/, ''),
  ),
);

/**
 * Names, in order: capitalised words that are not common sentence words, acronyms, and tokens mixing
 * letters with digits or capitals (iPhone, GPT-4o, B2B). Lower-cased, since people type names both ways.
 */
export function namedEntities(text: string): string[] {
  const found: string[] = [];
  for (const word of nameTokens(text)) {
    const isName = /^\p{Lu}/u.test(word) && !sentenceWords.has(word.toLowerCase());
    const isCode = /\p{L}/u.test(word) && (/\d/.test(word) || /\p{Ll}\p{Lu}/u.test(word));
    if (isName || isCode) found.push(word.toLowerCase());
  }
  return found;
}

/** The lower-cased words of a text, as entities are compared against them. */
function lowerWords(text: string): string[] {
  return nameTokens(text).map((word) => word.toLowerCase());
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, index) => value === b[index]);

export const negationGuard: Guard = (query, candidate) => {
  const [a, b] = [negations(query), negations(candidate)];
  return sameList(a, b) ? undefined : `negation differs (${a.join(' ') || 'none'} vs ${b.join(' ') || 'none'})`;
};

export const numberGuard: Guard = (query, candidate) => {
  const [a, b] = [numbers(query), numbers(candidate)];
  return sameList([...a].sort(), [...b].sort())
    ? undefined
    : `numbers differ (${a.join(', ') || 'none'} vs ${b.join(', ') || 'none'})`;
};

export const dateGuard: Guard = (query, candidate) => {
  const [a, b] = [dateTerms(query), dateTerms(candidate)];
  return sameList(a, b) ? undefined : `dates differ (${a.join(' ') || 'none'} vs ${b.join(' ') || 'none'})`;
};

export const entityGuard: Guard = (query, candidate) => {
  // A name in either text must be a word of the other (in any case); shared names must come in the same order.
  const [wordsA, wordsB] = [lowerWords(query), lowerWords(candidate)];
  const names = new Set([...namedEntities(query), ...namedEntities(candidate)]);
  const missing = [...names].filter((name) => !wordsA.includes(name) || !wordsB.includes(name));
  if (missing.length > 0) return `named entities differ (${missing.join(', ')})`;
  const order = (words: readonly string[]) =>
    words.filter((word, index) => names.has(word) && words.indexOf(word) === index);
  const [orderA, orderB] = [order(wordsA), order(wordsB)];
  return sameList(orderA, orderB)
    ? undefined
    : `named entities in another order (${orderA.join(', ')} vs ${orderB.join(', ')})`;
};

const questionWords = new Set([
  'what',
  'when',
  'where',
  'who',
  'whom',
  'whose',
  'why',
  'how',
  'which',
  'whether',
  'should',
  'will',
  'would',
  'can',
  'could',
  'is',
  'are',
  'do',
  'does',
  'did',
  'was',
  'were',
  'may',
  'might',
  'must',
  'shall',
  'has',
  'have',
]);

/** The words a question asks with: "When will X" is not "Should X", "How can X" is not "Can X". */
export function questionForm(text: string): string[] {
  const found: string[] = [];
  for (const sentence of text.toLowerCase().split(/(?<=[.!?])\s+|\n+/)) {
    const first = sentence.match(/[a-z]+/)?.[0];
    if (first && questionWords.has(first)) found.push(first);
  }
  return found;
}

export const questionGuard: Guard = (query, candidate) => {
  const [a, b] = [questionForm(query), questionForm(candidate)];
  return sameList(a, b) ? undefined : `asks differently (${a.join(' ') || 'none'} vs ${b.join(' ') || 'none'})`;
};

// Words whose presence or absence does not change what is asked.
const fillerWords = new Set(
  'a an the is are was were be been being am do does did of in on at to for from by with and or but if then than so as it its this that these those there here what which who whom whose how why when where i me my we our you your he she they them their his her can could should would will shall may might must have has had get got about into just very really actually some any all each much many such way ways good best better great please kind sort thing things someone something anyone anything ever one use using'.split(
    ' ',
  ),
);

/** Content words, folded: what the question is about. */
export function contentWords(text: string): Set<string> {
  return new Set(wordTokens(text).filter((word) => !fillerWords.has(word) && !/^\d/.test(word)));
}

export const contentGuard: Guard = (query, candidate) => {
  const [a, b] = [contentWords(query), contentWords(candidate)];
  const onlyQuery = [...a].filter((word) => !b.has(word));
  const onlyCandidate = [...b].filter((word) => !a.has(word));
  if (onlyQuery.length === 0 && onlyCandidate.length === 0) return undefined;
  return `asks about other things (${[...onlyQuery.map((word) => `+${word}`), ...onlyCandidate.map((word) => `-${word}`)].join(' ')})`;
};

/** Length of the longest common subsequence of two word lists. */
function commonSubsequence(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const word of a) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let index = 0; index < b.length; index++)
      current[index + 1] = word === b[index] ? previous[index]! + 1 : Math.max(previous[index + 1]!, current[index]!);
    previous = current;
  }
  return previous[b.length]!;
}

/** Same words in other roles ("the dog bit the man" / "the man bit the dog"): the content words must keep their order. */
export const orderGuard: Guard = (query, candidate) => {
  const sequence = (text: string) => wordTokens(text).filter((word) => !fillerWords.has(word));
  const [a, b] = [sequence(query), sequence(candidate)];
  const kept = commonSubsequence(a, b);
  return kept === Math.min(a.length, b.length) ? undefined : `the same words in another order`;
};

// Longest first, so that `===` is one symbol, not `==` and `=`.
const symbolPattern =
  /===|!==|==|!=|<=|>=|=>|->|\*\*|[+*/×÷=<>^%$€£¥₹&|~]|(?<![\p{L}\d])-(?=\s*[\d(.]|\s)|(?<=\d)\s*-(?=\s*\d)/gu;

const personOf: Record<string, string> = {
  i: 'I',
  me: 'I',
  my: 'I',
  mine: 'I',
  myself: 'I',
  we: 'we',
  us: 'we',
  our: 'we',
  ours: 'we',
  ourselves: 'we',
  you: 'you',
  your: 'you',
  yours: 'you',
  yourself: 'you',
  yourselves: 'you',
  he: 'he',
  him: 'he',
  his: 'he',
  himself: 'he',
  she: 'she',
  her: 'she',
  hers: 'she',
  herself: 'she',
  they: 'they',
  them: 'they',
  their: 'they',
  theirs: 'they',
  themselves: 'they',
};

/**
 * What words leave out and an embedder that reads words folds away: operators, comparison signs,
 * currency symbols, the sign of a number, and who a question is about ("for me" / "for them").
 */
export function symbolsAndPersons(text: string): string[] {
  const symbols = Array.from(text.matchAll(symbolPattern), (match) =>
    match[0].trim() === '-' ? '-' : match[0].trim(),
  );
  const persons = (
    text
      .toLowerCase()
      .replace(/[’]/g, "'")
      .match(/[a-z]+/g) ?? []
  )
    .map((word) => personOf[word])
    .filter((person): person is string => person !== undefined);
  return [...symbols, ...new Set(persons)].sort();
}

export const symbolGuard: Guard = (query, candidate) => {
  const [a, b] = [symbolsAndPersons(query), symbolsAndPersons(candidate)];
  return sameList(a, b)
    ? undefined
    : `symbols or persons differ (${a.join(' ') || 'none'} vs ${b.join(' ') || 'none'})`;
};

export const defaultGuards: Record<string, Guard> = {
  negation: negationGuard,
  numbers: numberGuard,
  dates: dateGuard,
  entities: entityGuard,
  question: questionGuard,
  content: contentGuard,
  order: orderGuard,
  symbols: symbolGuard,
};

/**
 * The first guard that refuses the pair, with its reason; undefined when every guard lets it through.
 * The guards read both questions in their canonical form (greetings and polite wrappers dropped).
 */
export function refusingGuard(
  query: string,
  candidate: string,
  guards: Record<string, Guard> = defaultGuards,
): { guard: string; reason: string } | undefined {
  const [a, b] = [canonicalQuestion(query), canonicalQuestion(candidate)];
  for (const [name, guard] of Object.entries(guards)) {
    const reason = guard(a, b);
    if (reason !== undefined) return { guard: name, reason };
  }
  return undefined;
}
