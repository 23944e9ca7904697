import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCascadeFile } from '../../src/config/load-cascade.js';
import { tempDir } from '../helpers/replay-fixture.js';

/** A replayed two-tier cascade with a persistent cache; the cheap tier's answer must match a schema file. */
function setUp() {
  const folder = tempDir();
  writeFileSync(
    join(folder, 'recorded.jsonl'),
    `${JSON.stringify({ id: 'q1', input: { messages: [{ role: 'user', content: 'Classify: my card was charged twice' }] }, responses: { small: { text: '{"category":"billing"}', costUsd: 0.0001 }, large: { text: '{"category":"billing","priority":"high"}', costUsd: 0.003 } } })}\n`,
  );
  const schemaFile = join(folder, 'ticket.schema.json');
  const writeSchema = (required: string[]) =>
    writeFileSync(
      schemaFile,
      JSON.stringify({
        type: 'object',
        required,
        properties: { category: { type: 'string' }, priority: { type: 'string' } },
      }),
    );
  writeSchema(['category']);
  const cascadeFile = join(folder, 'cascade.yaml');
  writeFileSync(
    cascadeFile,
    `name: triage
cache:
  store: ./cache
tiers:
  - name: small
    provider: replay
    model: small
    fixtures: recorded.jsonl
    gates: [{ type: json-schema, schema: ticket.schema.json }]
  - name: large
    provider: replay
    model: large
    fixtures: recorded.jsonl
`,
  );
  const ask = async () => {
    const cascade = await loadCascadeFile(cascadeFile);
    try {
      return await cascade.run({ messages: [{ role: 'user', content: 'Classify: my card was charged twice' }] });
    } finally {
      cascade.close();
    }
  };
  return { ask, writeSchema };
}

describe('cache fingerprint', () => {
  it('serves a stored answer while the schema file is unchanged, and not once it is edited', async () => {
    const { ask, writeSchema } = setUp();
    const first = await ask();
    expect(first.text).toBe('{"category":"billing"}');
    expect(first.cache?.kind).not.toBe('exact');
    expect((await ask()).cache?.kind).toBe('exact');

    // The schema now requires a priority: the cheap answer no longer passes, and the cached one must not be served.
    writeSchema(['category', 'priority']);
    const afterEdit = await ask();
    expect(afterEdit.cache?.kind).not.toBe('exact');
    expect(afterEdit.text).toBe('{"category":"billing","priority":"high"}');
  });
});
