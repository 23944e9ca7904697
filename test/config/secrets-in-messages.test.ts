import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir } from '../helpers/replay-fixture.js';

const key = 'sk-proj-abcdefghijklmnop1234567890';

describe('keys never appear in messages', () => {
  it('a YAML error quoting a line with a key masks it', async () => {
    const file = join(tempDir(), 'broken.yaml');
    writeFileSync(file, `name: k\ntiers:\n  - { name: a, provider: openai, model: x, apiKeyEnv: ${key}: x }\n`);
    const io = captureIo({});
    expect(await runCli(['ask', file, 'hi'], io)).toBe(2);
    expect(io.err()).toContain('not valid YAML');
    expect(io.err()).toContain('[redacted]');
    expect(io.err() + io.out()).not.toContain('abcdefghij');
  });

  it('a key pasted into apiKeyEnv (no sk- prefix) is not echoed as a variable name', async () => {
    const pasted = 'abcdefghijklmnop1234567890qrstuv';
    const file = join(tempDir(), 'pasted.yaml');
    writeFileSync(
      file,
      `name: k\ntiers:\n  - { name: a, provider: openai, model: gpt-4o-mini, apiKeyEnv: ${pasted} }\n`,
    );
    const io = captureIo({});
    expect(await runCli(['ask', file, 'hi'], io)).toBe(2);
    expect(io.err()).toContain('apiKeyEnv takes the NAME of a variable, such as OPENAI_API_KEY');
    expect(io.err() + io.out()).not.toContain(pasted.slice(0, 12));
    // A conventional name is still named, so the user knows what to export.
    const named = join(tempDir(), 'named.yaml');
    writeFileSync(
      named,
      'name: k\ntiers:\n  - { name: a, provider: openai, model: gpt-4o-mini, apiKeyEnv: MY_OPENAI_KEY }\n',
    );
    const second = captureIo({});
    expect(await runCli(['ask', named, 'hi'], second)).toBe(2);
    expect(second.err()).toContain('The environment variable MY_OPENAI_KEY is not set');
  });
});
