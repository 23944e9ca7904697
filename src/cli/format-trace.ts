import type { CascadeResult } from '../spec/result.js';

/** A few lines a person can read: one per attempt, with its cost, latency and gate verdicts. */
export function formatTrace(result: CascadeResult): string {
  const lines = result.trace.map((entry) => {
    const head = `  ${entry.tier} (${entry.provider} ${entry.model})`;
    if (entry.skipped) return `${head}: skipped, ${entry.skipped}`;
    if (entry.error) return `${head}: failed after ${entry.retries} retries: ${entry.error.message}`;
    const gates = entry.gates.map((gate) => `${gate.name} ${gate.pass ? 'pass' : 'FAIL'} (${gate.reason})`).join('; ');
    return `${head}: $${entry.costUsd.toFixed(6)}, ${Math.round(entry.latencyMs)} ms, ${entry.usage.inputTokens}+${entry.usage.outputTokens} tokens${entry.gateUsage ? ` (gates ${entry.gateUsage.inputTokens}+${entry.gateUsage.outputTokens})` : ''}${gates ? `, ${gates}` : ''}${entry.accepted ? ' -> accepted' : ''}`;
  });
  const cache = result.cache ? [`  cache: ${describeCache(result.cache)}`] : [];
  const tail = `  stop: ${result.stop}, total $${result.costUsd.toFixed(6)}, ${Math.round(result.latencyMs)} ms${result.message ? ` (${result.message})` : ''}`;
  return [...cache, ...lines, tail].join('\n');
}

function describeCache(cache: NonNullable<CascadeResult['cache']>): string {
  const saved = cache.savedUsd !== undefined ? `, saved $${cache.savedUsd.toFixed(6)}` : '';
  if (cache.kind === 'exact') return `exact hit (stored ${cache.storedAt}${saved})`;
  if (cache.kind === 'semantic')
    return `semantic hit, similarity ${cache.similarity} to "${cache.matched}" (stored ${cache.storedAt}${saved})`;
  const refused = (cache.refused ?? []).map((refusal) => `refused ${refusal.similarity}: ${refusal.reason}`).join('; ');
  return `miss${refused ? ` (${refused})` : ''}${cache.error ? ` (cache unavailable: ${cache.error})` : ''}`;
}
