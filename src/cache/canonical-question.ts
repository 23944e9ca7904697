// Greetings and polite wrappers that do not change what is asked: "Hi, can you tell me how…" asks "how…".
const greeting = /^(?:(?:please|hi|hello|hey|thanks|thank you)\b[,!.]?\s*)+/i;
const politeRequest =
  /^(?:(?:can|could|would|will) you(?: please)? (?:tell|show|explain to|help) me\s+|(?:please\s+)?(?:tell|show) me\s+|i(?: would|'d) like to know\s+|i (?:want|need) to know\s+)/i;
const closingPlease = /,?\s+please(?=\s*[.?!]*\s*$)/i;

/**
 * A question as the semantic cache compares it: each sentence without greetings and polite wrappers,
 * contractions spelled out ("what's" → "what is"; "n't" is kept for the negation guard), and
 * hyphenated single letters joined ("e-mail" → "email"). Case is kept: the entity guard reads it.
 */
export function canonicalQuestion(text: string): string {
  return text
    .replace(/[’‘]/g, "'")
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.trim().replace(greeting, '').replace(politeRequest, '').replace(closingPlease, ''))
    .filter((sentence) => sentence !== '')
    .join('\n')
    .replace(/\b(what|where|who|how|that|there|it|here|when|why)'s\b/gi, '$1 is')
    .replace(/(\p{L})'re\b/gu, '$1 are')
    .replace(/(\p{L})'ve\b/gu, '$1 have')
    .replace(/(\p{L})'ll\b/gu, '$1 will')
    .replace(/\bI'm\b/gi, 'I am')
    .replace(/\b(\p{L})-(\p{L}{2,})/gu, '$1$2');
}
