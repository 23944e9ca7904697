import type { Cascade, RunOptions } from '../engine/cascade.js';
import type { CascadeRequest } from '../spec/request.js';
import type { CascadeResult } from '../spec/result.js';
import { captureCalls } from './capture-calls.js';
import { asJson, isExplored, type ExploreStats } from './explore.js';
import { fixtureRecords } from './fixture-records.js';
import type { FixtureWriter } from './fixture-writer.js';

export interface Recording {
  /** Every provider call of the run, as fixture records (`--record`). */
  record?: FixtureWriter;
  /** Also run the remaining tiers on this share of the items and write them as labelled fixtures (`--explore`). */
  explore?: { rate: number; writer: FixtureWriter; stats: ExploreStats };
}

/**
 * Run one item through the cascade, recording its calls and exploring it when asked. Records are
 * written before the caller writes the result, so a resumed run never lacks the recording of an item
 * it skips.
 */
export function runRecorded(
  cascade: Cascade,
  id: string,
  request: CascadeRequest,
  options: RunOptions,
  recording: Recording,
): Promise<CascadeResult> {
  // Nothing to record: the item's promise is the cascade's own (no frame of ours waits with it).
  if (!recording.record && !recording.explore) return cascade.run(request, options);
  return runCapturing(cascade, id, request, options, recording);
}

async function runCapturing(
  ...[cascade, id, request, options, recording]: Parameters<typeof runRecorded>
): Promise<CascadeResult> {
  const { record, explore } = recording;
  let explored: Awaited<ReturnType<Cascade['exploreRemaining']>> | undefined;
  const { value: result, calls } = await captureCalls(async () => {
    const result = await cascade.run(request, options);
    const served = result.cache !== undefined && result.cache.kind !== 'miss';
    if (explore && !served && isExplored(id, explore.rate)) {
      if (explore.writer.has(id)) explore.stats.alreadyHeld++;
      else explored = await cascade.exploreRemaining(request, result, options);
    }
    return result;
  });
  const records = fixtureRecords(id, calls);
  for (const fixture of records) record?.write(fixture);
  if (explore && explored) {
    explore.stats.add(result, explored);
    const own = records.find((fixture) => fixture.id === id);
    const top = cascade.tiers[cascade.tiers.length - 1]!.provider.model;
    const reference = own?.responses[top]?.text;
    // The top tier's answer is the label: a tuned cascade should answer as the top tier would.
    if (own && reference !== undefined) {
      explore.writer.write({
        ...own,
        expected: asJson(reference) ?? reference,
        meta: { explored: true, expectedFrom: top },
      });
    }
  }
  return result;
}
