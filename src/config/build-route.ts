import { createRequire } from 'node:module';
import type { RouteRule } from '../engine/route.js';
import type { Tier } from '../engine/tier.js';
import { ConfigError } from '../errors/index.js';
import type { CascadeConfig } from './schema.js';

const require = createRequire(import.meta.url);

/** The file's `route:` as engine rules: tier names checked, patterns compiled on RE2 (linear time). */
export function buildRoute(
  route: NonNullable<CascadeConfig['route']>,
  tiers: readonly Tier[],
  where: string,
): RouteRule[] {
  const names = new Set(tiers.map((tier) => tier.name));
  return route.map((rule, index) => {
    const at = `${where}: route[${index}]`;
    for (const name of [rule.start, ...(rule.only ?? [])]) {
      if (name !== undefined && !names.has(name)) {
        throw new ConfigError(`${at}: no tier is named "${name}"; the tiers are ${[...names].join(', ')}`, {
          field: 'route',
        });
      }
    }
    const when: RouteRule['when'] = {
      ...(rule.when.minTokens !== undefined && { minTokens: rule.when.minTokens }),
      ...(rule.when.maxTokens !== undefined && { maxTokens: rule.when.maxTokens }),
      ...(rule.when.hasSchema !== undefined && { hasSchema: rule.when.hasSchema }),
      ...(rule.when.hasTools !== undefined && { hasTools: rule.when.hasTools }),
    };
    if (rule.when.pattern !== undefined) {
      const { RE2JS } = require('re2js') as typeof import('re2js');
      const flags = rule.when.flags ?? '';
      let compiled: InstanceType<typeof RE2JS>;
      try {
        compiled = RE2JS.compile(
          RE2JS.translateRegExp(rule.when.pattern),
          (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('s') ? RE2JS.DOTALL : 0),
        );
      } catch (error) {
        throw new ConfigError(`${at}.when.pattern: not a pattern RE2 can match: ${(error as Error).message}`, {
          field: 'pattern',
        });
      }
      when.pattern = rule.when.pattern;
      when.matches = (text) => compiled.test(text);
    }
    return {
      name: rule.name ?? `route[${index}]`,
      when,
      ...(rule.start !== undefined && { start: rule.start }),
      ...(rule.only !== undefined && { only: rule.only }),
    };
  });
}
