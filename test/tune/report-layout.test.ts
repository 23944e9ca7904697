import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { overlaps } from '../../src/tune/report-html.js';

async function report(fixtures: string): Promise<string> {
  const folder = tempDir();
  const file = join(folder, 'report.html');
  expect(
    await runCli(['tune', '--fixtures', fixtures, '--out', join(folder, 't.yaml'), '--report', file], captureIo()),
  ).toBe(0);
  return readFileSync(file, 'utf8');
}

describe('the tune report', () => {
  it.each(['fixtures/tune-example/train.jsonl', 'fixtures/demo/recorded.jsonl'])(
    'keeps every label off every marker and every other label, inside the plot: %s',
    async (fixtures) => {
      const html = await report(fixtures);
      const labels = [...html.matchAll(/data-box="([\d.,-]+)">([^<]*)</g)].map((match) => {
        const [x, y, width, height] = match[1]!.split(',').map(Number) as [number, number, number, number];
        return { text: match[2]!, box: { x, y, width, height } };
      });
      const markers = [...html.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="(\d+)"/g)].map((match) => {
        const r = Number(match[3]);
        return { x: Number(match[1]) - r, y: Number(match[2]) - r, width: 2 * r, height: 2 * r };
      });
      // Every single model is named on the plot, and every frontier point numbered.
      const frontierTable = html.slice(html.indexOf('<h2>Frontier</h2>'), html.indexOf('<h2>Single models</h2>'));
      const frontierRows = [...frontierTable.matchAll(/<tr><td>\d+<\/td>/g)].length;
      expect(frontierRows).toBeGreaterThan(5);
      expect(labels.filter((label) => /^\d+$/.test(label.text))).toHaveLength(frontierRows);
      for (const [index, label] of labels.entries()) {
        expect(label.box.x).toBeGreaterThanOrEqual(64);
        expect(label.box.x + label.box.width).toBeLessThanOrEqual(760 - 24);
        for (const other of labels.slice(index + 1))
          expect(overlaps(label.box, other.box), `${label.text} / ${other.text}`).toBe(false);
        for (const marker of markers) expect(overlaps(label.box, marker), `${label.text} over a marker`).toBe(false);
      }
    },
  );

  it('puts a free model in a $0 band, outlines the chosen star, and says why no cascade was chosen', async () => {
    // The demo's local model costs nothing, and 30 items leave only the best model.
    const html = await report('fixtures/demo/recorded.jsonl');
    expect(html).toContain('>$0</text>');
    expect(html).toMatch(/\.chosen \{ fill: none; stroke: #d1242f/);
    expect(html).toContain('<strong>Why no cascade:</strong> no cascade is expected to keep claude-sonnet-4-6');
    expect(html).not.toContain('{"kind"');
  });
});
