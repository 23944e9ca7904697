import { isExample } from './few-shot.js';

// Shorter lines are structure (an answer letter, "Answer:"), repeated on purpose.
const minLineChars = 24;
const minSentenceWords = 6;

const normalized = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Remove lines, and sentences within lines, said before (in this text or an earlier one sharing
 * `seen`). Only lines of some length count, so repeated structure such as answer letters stays, and
 * worked examples are left whole: their repeated lines are the template the model should follow.
 */
export function dropRepeats(text: string, seen: Set<string>): string {
  const paragraphs = text.split(/(\n[ \t]*\n)/);
  const out: string[] = [];
  for (let index = 0; index < paragraphs.length; index += 2) {
    const paragraph = paragraphs[index]!;
    const kept = isExample(paragraph) ? paragraph : dropRepeatedLines(paragraph, seen);
    // A paragraph that was all repeats goes with its separator.
    if (kept.trim() === '' && paragraph.trim() !== '') continue;
    out.push(kept, paragraphs[index + 1] ?? '');
  }
  return out.join('');
}

function dropRepeatedLines(text: string, seen: Set<string>): string {
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const key = normalized(line);
    if (key.length < minLineChars) {
      kept.push(line);
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    const sentences = line.split(/(?<=[.!?])\s+(?=\S)/);
    if (sentences.length === 1) {
      kept.push(line);
      continue;
    }
    const fresh = sentences.filter((sentence) => {
      const sentenceKey = normalized(sentence);
      if (sentenceKey.split(' ').length < minSentenceWords) return true;
      if (seen.has(sentenceKey)) return false;
      seen.add(sentenceKey);
      return true;
    });
    if (fresh.length > 0) kept.push(fresh.join(' '));
  }
  return kept.join('\n');
}
