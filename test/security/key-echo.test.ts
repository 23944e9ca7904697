import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { clearSecrets, redactSecrets, registerSecret } from '../../src/common/secrets.js';
import { captureIo } from '../helpers/capture-io.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { openAIChat, openAIError } from '../helpers/wire.js';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  clearSecrets();
});

const key = 'sk-proj-AbCdEf0123456789XyZsecretKEY';
const forms = {
  exact: key,
  lower: key.toLowerCase(),
  upper: key.toUpperCase(),
  base64: Buffer.from(key).toString('base64'),
  base64url: Buffer.from(key).toString('base64url'),
  prefix13: key.slice(0, 13),
};

describe('a key echoed back in any form', () => {
  it('reaches no output, result, trace, recording or cache store', async () => {
    server = await startLoopbackServer((request) => {
      const question = String(request.body.messages.at(-1).content);
      if (question === 'fail')
        return { status: 500, json: openAIError(`upstream rejected ${forms.upper} (${forms.prefix13}...)`) };
      return { json: openAIChat(`echo ${forms.lower} / ${forms.base64} / ${forms.base64url} / ${forms.prefix13}!`) };
    });
    const folder = tempDir();
    const cascade = join(folder, 'cascade.yaml');
    writeFileSync(
      cascade,
      `name: echo\ncache: { namespace: n, store: store }\ntiers:\n  - { name: only, provider: openai, model: m, baseURL: "${server.url}/v1", apiKeyEnv: OPENAI_API_KEY, maxRetries: 0 }\n`,
    );
    const input = join(folder, 'items.jsonl');
    writeFileSync(
      input,
      `${JSON.stringify({ id: 'a', prompt: 'echo' })}\n${JSON.stringify({ id: 'b', prompt: 'fail' })}\n`,
    );
    const output = join(folder, 'out.jsonl');
    const record = join(folder, 'recorded.jsonl');
    const io = captureIo({ OPENAI_API_KEY: key });
    expect(await runCli(['run', cascade, '--input', input, '--output', output, '--record', record], io)).toBe(0);
    // The answer was served through the cache too, and printed by `ask`.
    const asked = captureIo({ OPENAI_API_KEY: key });
    await runCli(['ask', cascade, 'echo'], asked);
    const written = [
      ['stdout', io.out() + asked.out()],
      ['stderr', io.err() + asked.err()],
      ['results', readFileSync(output, 'utf8')],
      ['recording', readFileSync(record, 'utf8')],
      ...readdirSync(join(folder, 'store')).map((name) => [name, readFileSync(join(folder, 'store', name), 'latin1')]),
    ];
    expect(readFileSync(output, 'utf8')).toContain('[redacted]');
    for (const [where, text] of written) {
      for (const [form, value] of Object.entries(forms)) {
        expect(text!.includes(value), `${form} in ${where}`).toBe(false);
      }
    }
  });

  it('masks parts of 8 or more characters from the key start, in any case, and leaves shorter ones', () => {
    registerSecret(key);
    expect(redactSecrets(`x ${key.slice(0, 8)} y`)).toBe('x [redacted] y');
    expect(redactSecrets(`x ${key.slice(0, 7)} y`)).toBe(`x ${key.slice(0, 7)} y`);
    expect(redactSecrets(`${key.toUpperCase()}tail`)).toBe('[redacted]tail');
    expect(redactSecrets('nothing here')).toBe('nothing here');
  });
});
