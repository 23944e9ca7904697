// "Confidence: 0.85", "**Confidence:** .9", "confidence = 85%" on the answer's last line.
const trailer = /(?:^|\n)[ \t]*\**confidence\**[ \t]*[:=]\**[ \t]*(\d*\.?\d+)[ \t]*(%?)[ \t]*\**[ \t]*\.?$/i;

/** Split a stated confidence off the end of an answer; a value outside [0,1] counts as none. */
export function parseStatedConfidence(text: string): { answer: string; confidence: number } | undefined {
  const trimmed = text.trimEnd();
  const match = trailer.exec(trimmed);
  if (!match) return undefined;
  const confidence = Number(match[1]) / (match[2] === '%' ? 100 : 1);
  if (!(confidence >= 0 && confidence <= 1)) return undefined;
  return { answer: trimmed.slice(0, match.index).trimEnd(), confidence };
}

/** The answer without a stated confidence line: what a live run returns once the confidence gate has read it. */
export function withoutStatedConfidence(text: string): string {
  return parseStatedConfidence(text)?.answer ?? text;
}
