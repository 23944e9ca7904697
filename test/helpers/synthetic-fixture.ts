import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../src/statistics/statistics.js';

/**
 * Multiple-choice items answered by three models whose confidences mean what they say: `small` is
 * right with probability equal to its confidence, `medium` a little better, `large` right 85% of the
 * time. Each call costs what a cascade's tiers typically do (1 : 5 : 40). `explored`: as `--explore`
 * writes them, each item's `expected` is large's answer (and `labels` is ignored).
 */
export function writeSyntheticFixture(
  folder: string,
  name: string,
  items: number,
  seed: number,
  options: { labels?: boolean; explored?: boolean } = {},
): string {
  const random = seededRandom(seed);
  const letters = ['A', 'B', 'C', 'D'];
  const lines: string[] = [];
  for (let index = 0; index < items; index++) {
    const expected = letters[Math.floor(random() * 4)]!;
    const wrong = letters[(letters.indexOf(expected) + 1 + Math.floor(random() * 3)) % 4]!;
    const smallConfidence = 0.25 + 0.75 * random();
    const mediumConfidence = 0.4 + 0.6 * random();
    const answer = (right: boolean) => (right ? expected : wrong);
    const responses = {
      small: { text: answer(random() < smallConfidence), costUsd: 0.0001, confidence: smallConfidence },
      medium: {
        text: answer(random() < Math.min(1, mediumConfidence + 0.05)),
        costUsd: 0.0005,
        confidence: mediumConfidence,
      },
      large: { text: answer(random() < 0.85), costUsd: 0.004, confidence: 0.9 },
    };
    const label = options.explored
      ? { expected: responses.large.text, meta: { explored: true, expectedFrom: 'large' } }
      : options.labels !== false && { expected };
    lines.push(
      JSON.stringify({
        id: `${name}-${index}`,
        input: { messages: [{ role: 'user', content: `Question ${index}: which letter?` }] },
        ...label,
        responses,
      }),
    );
  }
  const file = join(folder, `${name}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
