import type { Cascade } from '../engine/cascade.js';

/**
 * The summary's word on prices, every run: each live tier's price and where it came from (with its
 * date), replayed tiers costed from their recording, and any tier without a price, which would make a
 * run look free.
 */
export function priceNotes(cascade: Cascade): string[] {
  const live = cascade.tiers.filter((tier) => tier.provider.name !== 'replay');
  const priced = live.filter((tier) => tier.pricing !== undefined);
  const replayed = cascade.tiers.filter((tier) => tier.provider.name === 'replay');
  return [
    priced.length > 0
      ? `prices:        ${priced.map((tier) => `${tier.name} $${tier.pricing!.inputPerMTok}/$${tier.pricing!.outputPerMTok} per MTok (${tier.priceSource ?? 'given'})`).join('; ')}`
      : '',
    replayed.length > 0
      ? `${priced.length > 0 ? '               ' : 'prices:        '}replayed (${replayed.map((tier) => tier.name).join(', ')}): each answer costs what its recording says (its costUsd, else the tier's price on its recorded tokens)`
      : '',
    ...live
      .filter((tier) => tier.pricing === undefined)
      .map(
        (tier) =>
          `unpriced:      no price is known for ${tier.provider.model} (tier "${tier.name}"): its calls are counted as $0; add \`pricing: { inputPerMTok, outputPerMTok }\` to the tier`,
      ),
  ].filter(Boolean);
}
