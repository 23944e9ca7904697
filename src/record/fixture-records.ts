import type { FixtureItem, RecordedResponse } from '../fixtures/fixture-schema.js';
import { requestKey } from '../fixtures/request-key.js';
import type { ChatMessage } from '../spec/request.js';
import type { CapturedCall } from './capture-calls.js';

/**
 * An item's calls as fixture records (docs/fixtures.md): the tiers' calls on the item's input make one
 * record under the item's id, with one response per model; every other request (a judge's) makes a
 * record of its own, `<id>~call<N>`, found on replay by its messages.
 */
export function fixtureRecords(id: string, calls: readonly CapturedCall[]): FixtureItem[] {
  const byInput = new Map<string, { messages: ChatMessage[]; responses: Record<string, RecordedResponse> }>();
  for (const call of calls) {
    // The input before gates adjusted it: that is what replay looks an item up by.
    const messages = call.request.sourceMessages ?? call.request.messages;
    const key = requestKey(messages);
    let group = byInput.get(key);
    if (!group) {
      group = { messages, responses: {} };
      byInput.set(key, group);
    }
    group.responses[call.model] = recordedResponse(call);
  }
  // The engine marks a tier's request with the input it came from; a judge's request has no such mark.
  const tierCall = calls.find((call) => call.request.sourceMessages !== undefined);
  const ownKey = tierCall ? requestKey(tierCall.request.sourceMessages!) : undefined;
  const records: FixtureItem[] = [];
  let other = 0;
  for (const [key, group] of byInput) {
    const isOwn = key === ownKey;
    records.push({
      id: isOwn ? id : `${id}~call${++other}`,
      input: { messages: group.messages },
      responses: group.responses,
    });
  }
  return records;
}

function recordedResponse({ completion }: CapturedCall): RecordedResponse {
  const response: RecordedResponse = {
    text: completion.text,
    usage: { inputTokens: completion.usage.inputTokens, outputTokens: completion.usage.outputTokens },
    costUsd: completion.costUsd,
    latencyMs: Math.round(completion.latencyMs * 10) / 10,
  };
  if (completion.confidence !== undefined) response.confidence = completion.confidence;
  if (completion.toolCalls?.length) response.toolCalls = completion.toolCalls;
  return response;
}
