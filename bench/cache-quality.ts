// The semantic cache's threshold tuned on labelled pairs, measured on pairs it never saw: each set of
// ../shared/data/pairs (QQP dev, PAWS-Wiki dev) is split in half at random (seeded), `cascade cache tune`'s
// method picks the threshold on one half at --precision, and the other half measures precision and
// recall; the floor beside it is the fixed default threshold (0.9) on the same half, and the ceiling
// is what serving every pair the guards pass would give (the most any threshold can reach). Both local
// embedders are measured: `local` (word vectors and lexical features) and `local-lexical`.
// Targets: QQP precision >= 0.9 at recall >= 0.4; PAWS false-hit rate <= 1%.
// Run: npm run bench:cache-quality [-- precision]
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { chooseThreshold, measureThreshold, scorePairs } from '../src/cache/tune-threshold.js';
import { createLexicalEmbedder } from '../src/embed/lexical-embedder.js';
import { createLocalEmbedder } from '../src/embed/local-embedder.js';
import { shuffledRows } from '../src/statistics/statistics.js';

const precision = Number(process.argv[2] ?? 0.9);
const folder = new URL('../../../shared/data/pairs/', import.meta.url).pathname;
if (!existsSync(folder)) {
  console.log(`no data: put the labelled pairs (qqp-dev.csv, paws-wiki-dev.csv: columns a, b, label) in ${folder}`);
  process.exit(0);
}
for (const embedder of [createLocalEmbedder(), createLexicalEmbedder()]) {
  console.log(
    `threshold tuned at precision ${precision} (delta 0.05) on one half, measured on the other; embedder ${embedder.name}`,
  );
  for (const name of ['qqp-dev.csv', 'paws-wiki-dev.csv']) {
    const rows = parse(readFileSync(`${folder}${name}`, 'utf8'), { columns: true }) as {
      a: string;
      b: string;
      label: string;
    }[];
    const scored = await scorePairs(
      rows.map((row) => ({ a: row.a, b: row.b, same: row.label === '1' })),
      embedder,
    );
    const order = shuffledRows(scored.length, 7);
    const half = Math.floor(scored.length / 2);
    const tune = order.slice(0, half).map((row) => scored[row]!);
    const test = order.slice(half).map((row) => scored[row]!);
    const choice = chooseThreshold(tune, precision);
    const negatives = test.filter((pair) => !pair.same).length;
    const show = (label: string, threshold: number) => {
      const measured = measureThreshold(test, threshold);
      const falseHits = measured.served - measured.correct;
      console.log(
        `${name} ${label.padEnd(22)} threshold ${threshold.toFixed(4)}: precision ${measured.precision.toFixed(3)}, recall ${measured.recall.toFixed(3)}, false-hit rate ${(falseHits / negatives).toFixed(4)} (${measured.served} served of ${test.length})`,
      );
    };
    show('floor (default 0.9)', 0.9);
    show('ceiling (every guard)', Number.NEGATIVE_INFINITY);
    if (choice.threshold === undefined)
      console.log(`${name} tuned: no threshold holds precision ${precision} on the tuning half`);
    else show('tuned', choice.threshold);
  }
}
