/** A stretch of a message: compression may rewrite `text` only when `protected` is false. */
export interface Segment {
  text: string;
  protected: boolean;
}

// Code fences (to the end when unclosed) and <keep>…</keep> regions.
const fencedPattern = /```[\s\S]*?(?:```|$)|<keep>[\s\S]*?<\/keep>/g;
// A JSON block may run this many lines; past that it is treated as text.
const maxJsonLines = 400;

/**
 * Split a text into protected and free segments. Protected: fenced code, text inside `<keep>` and
 * `</keep>` (the markers are dropped: they are for us, not the model), and JSON objects or arrays
 * that start a line and parse.
 */
export function splitSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(fencedPattern)) {
    if (match.index > last) segments.push(...splitJson(text.slice(last, match.index)));
    const found = match[0].startsWith('<keep>') ? match[0].slice('<keep>'.length, -'</keep>'.length) : match[0];
    segments.push({ text: found, protected: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push(...splitJson(text.slice(last)));
  return segments;
}

/** Free text with its JSON blocks marked protected: from a line opening with { or [ to the first line at which it parses. */
function splitJson(text: string): Segment[] {
  if (!/^[ \t]*[{[]/m.test(text)) return [{ text, protected: false }];
  const lines = text.split(/(?<=\n)/);
  const segments: Segment[] = [];
  let free = '';
  for (let start = 0; start < lines.length; start++) {
    if (/^[ \t]*[{[]/.test(lines[start]!)) {
      let candidate = '';
      for (let end = start; end < lines.length && end - start < maxJsonLines; end++) {
        candidate += lines[end];
        if (/[}\]][ \t]*\r?\n?$/.test(lines[end]!) && parsesAsJson(candidate)) {
          if (free) segments.push({ text: free, protected: false });
          free = '';
          segments.push({ text: candidate, protected: true });
          start = end;
          candidate = '';
          break;
        }
      }
      if (candidate === '') continue;
    }
    free += lines[start];
  }
  if (free) segments.push({ text: free, protected: false });
  return segments;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function joinSegments(segments: readonly Segment[]): string {
  return segments.map((segment) => segment.text).join('');
}

/**
 * The question of a final user message: its last paragraph (after the last blank line outside
 * protected spans), which compression never touches. Returns the segments before it and the
 * question as a protected segment.
 */
export function splitOffQuestion(segments: readonly Segment[]): Segment[] {
  for (let index = segments.length - 1; index >= 0; index--) {
    const segment = segments[index]!;
    if (segment.protected) continue;
    const trimmedEnd = segment.text.replace(/\s+$/, '');
    const breakAt = trimmedEnd.search(/\n[ \t]*\n(?![\s\S]*\n[ \t]*\n)/);
    if (breakAt === -1) continue;
    const head = segment.text.slice(0, breakAt + 1);
    const tail = segment.text.slice(breakAt + 1);
    return [
      ...segments.slice(0, index),
      { text: head, protected: false },
      { text: joinSegments([{ text: tail, protected: true }, ...segments.slice(index + 1)]), protected: true },
    ];
  }
  // One paragraph: all of it is the question.
  return [{ text: joinSegments(segments), protected: true }];
}
