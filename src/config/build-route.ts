import { createRequire } from 'node:module';
import type { RouteClassifier, RouteRule } from '../engine/route.js';
import type { Tier } from '../engine/tier.js';
import { ConfigError } from '../errors/index.js';
import type { Pricing } from '../pricing/price-table.js';
import type { Provider } from '../spec/provider.js';
import type { CascadeConfig, ModelEndpointConfig } from './schema.js';

/**
 * Builds a classifier's provider (behind its call policy) and finds its price; `label` names it, `where`
 * is its path in the file.
 */
export type ClassifierProviderFactory = (
  endpoint: ModelEndpointConfig,
  label: string,
  where: string,
) => { provider: Provider; pricing?: Pricing };

const require = createRequire(import.meta.url);

/** The file's `route:` as engine rules: tier names checked, patterns compiled on RE2 (linear time). */
export function buildRoute(
  route: NonNullable<CascadeConfig['route']>,
  tiers: readonly Tier[],
  where: string,
  classifierProvider: ClassifierProviderFactory,
): RouteRule[] {
  const names = new Set(tiers.map((tier) => tier.name));
  // Rules that name the same classifier model ask it once per item.
  const classifiers = new Map<string, RouteClassifier>();
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
    if (rule.when.classifier !== undefined) {
      const { labels, is, ...endpoint } = rule.when.classifier;
      const wanted = typeof is === 'string' ? [is] : is;
      for (const label of wanted) {
        if (!labels.includes(label))
          throw new ConfigError(
            `${at}.when.classifier.is: "${label}" is not one of its labels (${labels.join(', ')})`,
            { field: 'is' },
          );
      }
      const key = JSON.stringify([endpoint, labels]);
      let classify = classifiers.get(key);
      if (!classify) {
        const { provider, pricing } = classifierProvider(endpoint, `the classifier of ${at}`, `${at}.when.classifier`);
        classify = { provider, labels, ...(pricing && { pricing }) };
        classifiers.set(key, classify);
      }
      when.classifier = { classify, is: wanted };
    }
    return {
      name: rule.name ?? `route[${index}]`,
      when,
      ...(rule.start !== undefined && { start: rule.start }),
      ...(rule.only !== undefined && { only: rule.only }),
    };
  });
}
