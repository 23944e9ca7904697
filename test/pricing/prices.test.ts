import { maintainedPrice } from '../../src/pricing/maintained-prices.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { describePriceSource, findPriceWithSource, priceTableDate } from '../../src/pricing/price-table.js';
import { captureIo } from '../helpers/capture-io.js';

describe('prices', () => {
  it.each([
    ['anthropic', 'claude-opus-4-7', 5, 25],
    ['anthropic', 'claude-haiku-4-5', 1, 5],
    ['openai', 'gemini-2.5-flash', 0.3, 2.5],
    ['openai', 'deepseek-chat', 0.27, 1.1],
    ['openai', 'gpt-4o-mini', 0.15, 0.6],
  ])('come from the maintained database: %s %s', (provider, model, input, output) => {
    const found = findPriceWithSource(provider, model);
    expect(found?.pricing).toEqual({ inputPerMTok: input, outputPerMTok: output });
    expect(describePriceSource(found!.source)).toMatch(
      /^@pydantic\/genai-prices \d+\.\d+\.\d+, newest price change \d{4}-\d{2}-\d{2}$/,
    );
  });

  it('takes a price that changes with the time of day at its dearest hour, whatever the hour it is asked', () => {
    // DeepSeek charges half from 16:30 to 00:30 UTC; a budget must hold at the dearest hour.
    for (const hour of ['03:00', '12:00', '18:00', '23:59'])
      expect(maintainedPrice('openai', 'deepseek-chat', new Date(`2026-12-02T${hour}:00Z`))?.pricing).toEqual({
        inputPerMTok: 0.27,
        outputPerMTok: 1.1,
      });
  });

  it('says since when a dated price applies, and the newest price change the database holds', () => {
    const found = findPriceWithSource('openai', 'mistral-medium-latest');
    expect(found?.since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const words = describePriceSource(found!.source, found!.since);
    expect(words).toContain(`this one since ${found!.since}`);
    const newest = /newest price change (\d{4}-\d{2}-\d{2})/.exec(words)![1]!;
    // Changes the database schedules for later are not counted: the newest is in force today.
    expect(newest <= new Date().toISOString().slice(0, 10)).toBe(true);
    expect(newest >= found!.since!).toBe(true);
  });

  it('a tier override wins, ollama is free, and an unknown model has none', () => {
    expect(findPriceWithSource('openai', 'gpt-4o-mini', { inputPerMTok: 9, outputPerMTok: 9 })).toEqual({
      pricing: { inputPerMTok: 9, outputPerMTok: 9 },
      source: 'tier pricing',
    });
    expect(findPriceWithSource('ollama', 'llama3.2:3b')?.pricing).toEqual({ inputPerMTok: 0, outputPerMTok: 0 });
    expect(findPriceWithSource('openai', 'brand-new-model')).toBeUndefined();
    expect(describePriceSource('built-in')).toBe(`the built-in table of ${priceTableDate}`);
  });

  it('cascade prices shows the price and where it comes from', async () => {
    const io = captureIo();
    expect(await runCli(['prices', 'claude-haiku-4-5', '--provider', 'anthropic'], io)).toBe(0);
    expect(io.out()).toMatch(
      /claude-haiku-4-5: \$1 input, \$5 output per million tokens, from @pydantic\/genai-prices/,
    );
    const unknown = captureIo();
    expect(await runCli(['prices', 'brand-new-model'], unknown)).toBe(1);
    expect(unknown.out()).toContain('no price known');
  });
});
