import { wordTokens } from '../embed/lexical-embedder.js';
import { countTokens } from '../tokens/count-tokens.js';

/**
 * Query-aware extractive compression: when `text` is over `maxTokens`, keep the sentences that share
 * the most (rare) words with the question, in their original order, until the budget is spent.
 * Scores are BM25 with the text's own sentences as the corpus.
 */
export function extractRelevant(text: string, question: string, maxTokens: number): string {
  if (countTokens(text) <= maxTokens) return text;
  const sentences = text.split(/(?<=[.!?])\s+|\n+/).filter((sentence) => sentence.trim() !== '');
  const terms = sentences.map((sentence) => wordTokens(sentence));
  const documentFrequency = new Map<string, number>();
  for (const words of terms)
    for (const word of new Set(words)) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
  const averageLength = terms.reduce((sum, words) => sum + words.length, 0) / Math.max(1, terms.length);
  const queryTerms = new Set(wordTokens(question));
  const scored = terms.map((words, index) => {
    let score = 0;
    const counts = new Map<string, number>();
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    for (const term of queryTerms) {
      const frequency = counts.get(term);
      if (!frequency) continue;
      const df = documentFrequency.get(term)!;
      const idf = Math.log(1 + (terms.length - df + 0.5) / (df + 0.5));
      score += (idf * frequency * 2.2) / (frequency + 1.2 * (0.25 + 0.75 * (words.length / averageLength)));
    }
    return { index, score };
  });
  const chosen = new Set<number>();
  let used = 0;
  for (const { index } of scored.sort((a, b) => b.score - a.score || a.index - b.index)) {
    const cost = countTokens(sentences[index]!) + 1;
    if (used + cost > maxTokens) continue;
    chosen.add(index);
    used += cost;
  }
  return sentences.filter((_, index) => chosen.has(index)).join(' ');
}
