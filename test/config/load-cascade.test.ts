import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCascade, loadCascadeFile } from '../../src/config/load-cascade.js';
import { ConfigError, MissingApiKeyError } from '../../src/errors/index.js';
import { tempDir } from '../helpers/replay-fixture.js';

function yamlFile(text: string): string {
  const file = join(tempDir(), 'cascade.yaml');
  writeFileSync(file, text);
  return file;
}

async function loadError(text: string): Promise<ConfigError> {
  const file = yamlFile(text);
  const error = await loadCascadeFile(file).catch((caught) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.message).toContain(file);
  return error;
}

const oneTier = (tier: string) => `name: t\ntiers:\n  - name: a\n${tier}`;

describe('cascade file errors name the file, the field, what was expected and what was found', () => {
  it('unknown provider', async () => {
    const error = await loadError(oneTier('    provider: gemini\n    model: x\n'));
    expect(error.message).toMatch(
      /tiers\[0\]\.provider: Invalid option: expected one of "openai"\|"anthropic"\|"ollama"\|"replay", got `"gemini"` \(string\)/,
    );
  });

  it('a threshold out of range', async () => {
    const error = await loadError(
      oneTier('    provider: ollama\n    model: x\n    gates:\n      - type: confidence\n        min: 1.5\n'),
    );
    expect(error.message).toMatch(
      /tiers\[0\]\.gates\[0\]\.min: Too big: expected number to be <=1, got `1\.5` \(number\)/,
    );
  });

  it('a misspelt key', async () => {
    const error = await loadError(oneTier('    provider: ollama\n    model: x\n    gaets: []\n'));
    expect(error.message).toContain('tiers[0]: Unrecognized key: "gaets"');
  });

  it('no tiers, and duplicate tier names', async () => {
    expect((await loadError('name: t\ntiers: []\n')).message).toMatch(/tiers: Too small/);
    const duplicate = await loadError(
      'name: t\ntiers:\n  - { name: a, provider: ollama, model: x }\n  - { name: a, provider: ollama, model: y }\n',
    );
    expect(duplicate.message).toContain('tiers[1].name: Tier names must be unique; "a" is used twice');
  });

  it('a cache or compression setting that is wrong', async () => {
    const error = await loadError(
      'name: t\ncache:\n  semantic:\n    threshold: 2\n    embedder: { provider: cohere, model: x }\ncompress:\n  - type: few-shot\ntiers:\n  - name: a\n    provider: replay\n    model: a\n    fixtures: f.jsonl\n',
    );
    expect(error.message).toContain(
      'cache.semantic.embedder: Expected `local`, `local-lexical`, or `{ provider: openai | ollama, model: <embedding model> }`',
    );
    expect(error.message).toContain('got `{"provider":"cohere","model":"x"}`');
    expect(error.message).toContain('cache.semantic.threshold: Too big: expected number to be <=1, got `2`');
    expect(error.message).toContain('compress[0].keep: required, expected number');
  });

  it('invalid YAML', async () => {
    const error = await loadError('name: t\ntiers: [\n');
    expect(error.message).toContain('not valid YAML');
  });

  it('a schema file that does not exist', async () => {
    const error = await loadError(
      oneTier(
        '    provider: ollama\n    model: x\n    gates:\n      - type: json-schema\n        schema: ./schemas/missing.json\n',
      ),
    );
    expect(error.message).toContain('tiers[0].gates[0].schema: cannot read ./schemas/missing.json');
    expect(error.message).toContain('ENOENT');
  });

  it('a budget with a model that has no known price', async () => {
    const error = await loadError(
      `${oneTier('    provider: openai\n    model: gpt-9-ultra\n')}budget:\n  perItemUsd: 0.01\n`,
    );
    expect(error.message).toContain('tiers[0].pricing: no built-in price for model "gpt-9-ultra"');
  });

  it('a replay tier without fixtures', async () => {
    const error = await loadError(oneTier('    provider: replay\n    model: x\n'));
    expect(error.message).toContain('tiers[0].fixtures: a replay tier needs `fixtures: <file.jsonl>`');
  });

  it('a cascade file that does not exist', async () => {
    await expect(loadCascadeFile('/no/such/cascade.yaml')).rejects.toThrow(
      'Cannot read the cascade file /no/such/cascade.yaml: ENOENT',
    );
  });
});

describe('secrets in cascade files', () => {
  const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz123456';

  it('refuses a literal apiKey and says how to fix it, without echoing it', async () => {
    const error = await loadError(oneTier(`    provider: openai\n    model: gpt-4o-mini\n    apiKey: ${key}\n`));
    expect(error.message).toContain('tiers[0].apiKey: API keys are not read from cascade files');
    expect(error.message).toContain('apiKeyEnv: OPENAI_API_KEY');
    expect(error.message).not.toContain(key);
  });

  it('refuses a key pasted into another field, without echoing it', async () => {
    const error = await loadError(oneTier(`    provider: openai\n    model: gpt-4o-mini\n    apiKeyEnv: ${key}\n`));
    expect(error.message).toContain('tiers[0].apiKeyEnv: this value looks like an API key');
    expect(error.message).not.toContain(key);
  });

  it('does not echo a malformed apiKeyEnv value that is not shaped like a known key', async () => {
    const error = await loadError(
      oneTier('    provider: openai\n    model: gpt-4o-mini\n    apiKeyEnv: "AIzaSy-secret-value-123"\n'),
    );
    expect(error.message).toContain('tiers[0].apiKeyEnv: Expected the name of an environment variable');
    expect(error.message).not.toContain('AIzaSy');
  });

  it('needs no key to load, and names the missing variable before a run', async () => {
    const cascade = await createCascade({
      name: 't',
      tiers: [
        { name: 'cheap', provider: 'openai', model: 'gpt-4o-mini', apiKeyEnv: 'MY_OPENAI_KEY' },
        { name: 'strong', provider: 'anthropic', model: 'claude-haiku-4-5' },
      ],
    });
    const error = (() => {
      try {
        cascade.checkEnvironment({ MY_OPENAI_KEY: 'x' });
      } catch (caught) {
        return caught as MissingApiKeyError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MissingApiKeyError);
    expect(error!.message).toContain('ANTHROPIC_API_KEY');
    expect(error!.message).toContain('tier "strong"');
  });
});

describe('loading', () => {
  it('reads the demo cascade and orders each tier gates cheapest first', async () => {
    const cascade = await loadCascadeFile('cascades/demo.yaml');
    expect(cascade.tiers.map((tier) => `${tier.name}:${tier.provider.name}:${tier.provider.model}`)).toEqual([
      'local:ollama:llama3.2:3b',
      'cheap:openai:gpt-4o-mini',
      'strong:anthropic:claude-sonnet-4-6',
    ]);
    expect(cascade.tiers[0]!.gates.map((gate) => gate.name)).toEqual(['confidence', 'json-schema']);
    expect(cascade.tiers[2]!.pricing).toEqual({ inputPerMTok: 3, outputPerMTok: 15 });
  });

  it('replaces every provider with the recording under --replay', async () => {
    const cascade = await loadCascadeFile('cascades/demo.yaml', { replay: 'fixtures/demo/recorded.jsonl' });
    expect(cascade.tiers.map((tier) => tier.provider.name)).toEqual(['replay', 'replay', 'replay']);
    expect(() => cascade.checkEnvironment({})).not.toThrow();
  });
});
