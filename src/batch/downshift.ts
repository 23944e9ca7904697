/**
 * The highest tier (0-based, of `tiers`) an item may reach when the run budget downshifts: with `b` the
 * share of the budget not yet spent and `q` the share of items not yet finished, every tier while
 * b >= q, else the tiers up to floor((tiers - 1) x b / q). A run that spends faster than it finishes
 * items stops reaching for its dearest tiers instead of stopping items for budget.
 */
export function downshiftCap(tiers: number, budgetLeftShare: number, itemsLeftShare: number): number {
  if (itemsLeftShare <= 0 || budgetLeftShare >= itemsLeftShare) return tiers - 1;
  return Math.max(0, Math.floor(((tiers - 1) * budgetLeftShare) / itemsLeftShare));
}
