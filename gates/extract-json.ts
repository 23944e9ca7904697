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
  for (let start = 0; start < text.length; start++) {
    const char = text[start];
    if (char !== '{' && char !== '[') continue;
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
