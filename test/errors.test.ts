import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCustomGate } from '../gates/custom.js';
import * as errors from '../src/errors/index.js';
import { createOpenAIProvider } from '../src/providers/openai.js';
import { gateInput } from './helpers/gate-input.js';
import { startLoopbackServer, type LoopbackServer } from './helpers/loopback-server.js';
import { tempDir } from './helpers/replay-fixture.js';
import { openAIError } from './helpers/wire.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

describe('errors', () => {
  it('are recognised by isInstance across two copies of the library, where instanceof fails', async () => {
    // The built package is a second copy of the same classes, as two versions in one dependency tree are.
    const builtCopy = '../dist/src/errors/index.js';
    const built = (await import(builtCopy)) as typeof errors;
    const foreign = new built.RateLimitError('slow down', { statusCode: 429, retryAfterMs: 1000 });
    expect(foreign instanceof errors.RateLimitError).toBe(false);
    expect(errors.RateLimitError.isInstance(foreign)).toBe(true);
    expect(errors.ApiStatusError.isInstance(foreign)).toBe(true);
    expect(errors.ProviderError.isInstance(foreign)).toBe(true);
    expect(errors.CascadeError.isInstance(foreign)).toBe(true);
    expect(errors.ConfigError.isInstance(foreign)).toBe(false);
    expect(errors.AuthenticationError.isInstance(foreign)).toBe(false);
    expect(errors.CascadeError.isInstance(new Error('plain'))).toBe(false);
    expect(errors.CascadeError.isInstance({ name: 'RateLimitError' })).toBe(false);
  });

  it('take options objects and keep what they are given', () => {
    const config = new errors.ConfigError('bad field', { file: 'c.yaml', field: 'tiers' });
    expect(config).toMatchObject({ name: 'ConfigError', file: 'c.yaml', field: 'tiers', message: 'bad field' });
    const cause = new Error('socket');
    const provider = new errors.ProviderError('x', { isRetryable: true, statusCode: 599, cause });
    expect(provider).toMatchObject({ isRetryable: true, statusCode: 599, cause });
    expect(new errors.ProviderError('y').isRetryable).toBe(false);
  });

  it('map HTTP statuses to their classes, retryable or not, over the wire', async () => {
    const statuses = [400, 401, 403, 404, 409, 422, 429, 500, 503];
    server = await startLoopbackServer((_request, index) => ({
      status: statuses[index]!,
      json: openAIError(`status ${statuses[index]}`),
    }));
    const provider = createOpenAIProvider({
      model: 'gpt-4o-mini',
      label: 'tier "t"',
      baseURL: `${server.url}/v1`,
      env: { OPENAI_API_KEY: 'k' },
    });
    const seen: [number, string, boolean][] = [];
    for (const status of statuses) {
      const error = await provider.complete({ messages: [{ role: 'user', content: 'q' }] }).catch((caught) => caught);
      seen.push([status, error.name, error.isRetryable]);
    }
    expect(seen).toEqual([
      [400, 'BadRequestError', false],
      [401, 'AuthenticationError', false],
      [403, 'AuthenticationError', false],
      [404, 'NotFoundError', false],
      [409, 'ApiStatusError', true],
      [422, 'BadRequestError', false],
      [429, 'RateLimitError', true],
      [500, 'ServerError', true],
      [503, 'ServerError', true],
    ]);
  });

  it('a custom gate that returns no verdict fails with a GateError naming it and its module', async () => {
    const file = join(tempDir(), 'no-verdict.mjs');
    writeFileSync(file, "export default { name: 'sloppy', check: () => 'yes' };");
    const gate = await loadCustomGate(file);
    const error = await Promise.resolve(gate.check(gateInput('answer'))).catch((caught) => caught);
    expect(errors.GateError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ gate: 'sloppy' });
    expect(error.message).toContain('no-verdict.mjs');
  });
});
