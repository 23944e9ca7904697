/**
 * Find the JSON value in a model's answer: the whole text, else the first fenced code block that
 * parses, else the first balanced `{...}` or `[...]` span. Models wrap JSON in prose and fences
 * often enough that a strict parse alone would escalate good answers.
 */
export function extractJson(text: string): { value: unknown } | undefined {
  const whole = tryParse(text.trim());
  if (whole) return whole;
  for (const match of text.matchAll(/```[a-zA-Z0-9_-]*\s*\n([\s\S]*?)```/g)) {
    const fenced = tryParse((match[1] ?? '').trim());
    if (fenced) return fenced;
  }
  // Balanced spans, leftmost first; only a bounded number are parsed, so the whole search is linear.
  let attempts = 0;
  for (const [start, end] of balancedSpans(text)) {
    const span = tryParse(text.slice(start, end + 1));
    if (span) return span;
    if (++attempts >= maxSpanAttempts) break;
  }
  // A bracket inside quoted prose can put that pass out of step; then scan afresh from each of the first
  // few brackets (each scan is linear, and their number is bounded).
  let starts = 0;
  for (
    let start = text.search(/[{[]/);
    start >= 0 && starts < maxSpanAttempts;
    start = nextBracket(text, start + 1), starts++
  ) {
    const end = balancedEnd(text, start);
    if (end === undefined) continue;
    const span = tryParse(text.slice(start, end + 1));
    if (span) return span;
  }
  return undefined;
}

function tryParse(candidate: string): { value: unknown } | undefined {
  if (candidate === '') return undefined;
  try {
    return { value: JSON.parse(candidate) };
  } catch {
    return undefined;
  }
}

function nextBracket(text: string, from: number): number {
  for (let index = from; index < text.length; index++) if (text[index] === '{' || text[index] === '[') return index;
  return -1;
}

/** Index of the bracket closing the one at `start`, skipping brackets inside strings. */
function balancedEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return index;
    }
  }
  return undefined;
}

/** At most this many balanced spans are parsed: each costs its length, and prose rarely holds more. */
const maxSpanAttempts = 32;

/**
 * Every balanced `{...}` / `[...]` span, ordered by where it starts, in one pass: a stack of open
 * brackets, strings tracked inside a span (quotes in the prose around it are ignored). An answer of
 * 100 KB of `{` is one pass with no span, not a scan from every brace to the end (which was quadratic).
 */
function balancedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  const open: number[] = [];
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      if (open.length > 0) inString = true;
    } else if (char === '{' || char === '[') open.push(index);
    else if ((char === '}' || char === ']') && open.length > 0) spans.push([open.pop()!, index]);
  }
  return spans.sort((a, b) => a[0] - b[0]);
}
