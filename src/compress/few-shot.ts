import { embedLexically } from '../embed/lexical-embedder.js';
import { dotProduct } from '../spec/embedder.js';

// A worked example ends in an answer: "Answer: B", or "Answer:" with the answer on the next line.
const answerCue =
  /(?:^|\n)[^\n]*\b(?:answer|a|output|label|response|solution|result)[ \t]*[:：][ \t]*(?:\S[^\n]*|\n[ \t]*\S[^\n]*)$/i;

/** Whether a paragraph is a worked example: it ends with an answer cue and an answer. */
export function isExample(block: string): boolean {
  return answerCue.test(block.replace(/\s+$/, ''));
}

/**
 * Keep the `keep` worked examples most like the question (lexical similarity) and drop the rest,
 * leaving instructions and the examples' order as they were. Paragraphs are separated by blank lines.
 */
export function pruneExamples(text: string, question: string, keep: number): string {
  const blocks = text.split(/(\n[ \t]*\n)/);
  const examples: { index: number; score: number }[] = [];
  let target: Float32Array | undefined;
  for (let index = 0; index < blocks.length; index += 2) {
    if (!isExample(blocks[index]!)) continue;
    target ??= embedLexically(question);
    examples.push({ index, score: dotProduct(target, embedLexically(blocks[index]!)) });
  }
  if (examples.length <= keep) return text;
  const kept = new Set(
    examples
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, keep)
      .map((example) => example.index),
  );
  const dropped = new Set(examples.map((example) => example.index).filter((index) => !kept.has(index)));
  const out: string[] = [];
  for (let index = 0; index < blocks.length; index += 2) {
    if (dropped.has(index)) continue;
    out.push(blocks[index]!, blocks[index + 1] ?? '');
  }
  return out.join('').replace(/^\s+|\s+$/g, '');
}
