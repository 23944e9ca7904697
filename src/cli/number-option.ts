import { ConfigError } from '../errors/index.js';

/**
 * Parse a numeric command-line option, naming the option, the expected range and the value it got:
 * "Expected `--target-accuracy` to be a number from 0 to 1, got `80`".
 */
export function numberOption(
  name: string,
  raw: string | undefined,
  range: { min: number; max?: number; integer?: boolean },
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const max = range.max ?? Infinity;
  if (!Number.isFinite(value) || value < range.min || value > max || (range.integer && !Number.isInteger(value))) {
    const kind = range.integer ? 'a whole number' : 'a number';
    const bounds = Number.isFinite(max) ? `from ${range.min} to ${max}` : `of at least ${range.min}`;
    throw new ConfigError(`Expected \`--${name}\` to be ${kind} ${bounds}, got \`${raw}\``);
  }
  return value;
}
