import type OpenAI from 'openai';
import type { ProviderCallOptions } from '../spec/provider.js';
import { nodeHttpFetch } from './node-http-fetch.js';
import { abortWatchKey, abortWatchOf, type WatchedRequestInit } from '../common/abort-watch.js';

/**
 * Where and how a chat completion is posted: the client's URL and headers as the SDK would send them,
 * the fetch, and the SDK whose error classes a failure is given in.
 */
export interface ChatPostTarget {
  url: string;
  headers: Readonly<Record<string, string>>;
  fetch: typeof fetch;
  sdk: typeof OpenAI;
}

/**
 * The SDK's own per-request timeout, for a call given no signal. The engine always gives one, ending at
 * the tier's `timeoutMs`, which is then the only limit (the SDK cut every call at ten minutes, whatever
 * the tier asked for).
 */
const backstopMs = 10 * 60 * 1000;

/**
 * The target of a configured client: its URL and the headers it sends on every call, its default
 * headers (`OPENAI_CUSTOM_HEADERS` among them) after ours, as the SDK merges them.
 */
export function chatPostTarget(
  client: OpenAI,
  sdk: typeof OpenAI,
  version: string,
  fetcher: typeof fetch,
): ChatPostTarget {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/json',
    'user-agent': `OpenAI/JS ${version}`,
    authorization: `Bearer ${client.apiKey}`,
  };
  if (client.organization) headers['openai-organization'] = client.organization;
  if (client.project) headers['openai-project'] = client.project;
  // `_options` is protected in the SDK's types, not hidden: it holds the client's default headers.
  const defaults = (client as unknown as { _options?: { defaultHeaders?: unknown } })._options?.defaultHeaders;
  for (const [name, value] of headerEntries(defaults)) {
    if (value === null) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  return { url: client.buildURL('/chat/completions', undefined), headers, fetch: fetcher, sdk };
}

/**
 * A client's default headers in any form the SDK takes them: a record, a Headers, pairs, or the SDK's
 * own merged form (`values` and the names set to null, which remove a header).
 */
function headerEntries(given: unknown): [string, string | null][] {
  if (given === undefined || given === null) return [];
  if (given instanceof Headers) return [...given];
  if (Array.isArray(given)) return given as [string, string][];
  const merged = given as { values?: unknown; nulls?: unknown };
  if (merged.values instanceof Headers && merged.nulls instanceof Set)
    return [...merged.values, ...[...(merged.nulls as Set<string>)].map((name): [string, null] => [name, null])];
  return Object.entries(given as Record<string, unknown>)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => [name, value === null ? null : String(value)]);
}

/**
 * One non-streamed chat completion, posted as the SDK posts it and failing with the SDK's own errors
 * (`mapSdkError` reads them), without the SDK's request machinery. That machinery cost a batch at
 * concurrency 256 about 40% of its CPU per call: it merges six header sources through web Headers
 * objects, formats a debug-log record with logging off, and parses the URL, for every call
 * (bench/batch-throughput: 0.52-0.57 ms of CPU per item through the SDK, 0.31-0.33 ms this way).
 * Streamed answers still go through the SDK, whose stream parsing this does not repeat.
 */
export async function postChatCompletion(
  target: ChatPostTarget,
  body: object,
  call: ProviderCallOptions,
): Promise<unknown> {
  const { sdk } = target;
  // Our fetch watches the try's abort as it is; any other fetch is given the try's signal.
  const watch = target.fetch === nodeHttpFetch ? abortWatchOf(call) : undefined;
  const given = watch ? undefined : call.signal;
  const backstop = given || watch ? undefined : new AbortController();
  const timer = backstop && setTimeout(() => backstop.abort(), backstopMs);
  const shared =
    call.idempotencyKey === undefined ? target.headers : { ...target.headers, 'idempotency-key': call.idempotencyKey };
  // Our fetch reads the record as it is; a fetch of the user's gets a Headers of its own, as from the SDK.
  const headers = target.fetch === nodeHttpFetch ? shared : new Headers(shared);
  try {
    let response: Response;
    try {
      const init: WatchedRequestInit = {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      };
      if (watch) init[abortWatchKey] = watch;
      else init.signal = given ?? backstop!.signal;
      response = await target.fetch(target.url, init);
    } catch (error) {
      if (given?.aborted || watch?.aborted) throw new sdk.APIUserAbortError();
      if (backstop?.signal.aborted) throw new sdk.APIConnectionTimeoutError();
      throw new sdk.APIConnectionError({ cause: error instanceof Error ? error : new Error(String(error)) });
    }
    if (!response.ok) {
      const text = await response.text().catch((error: Error) => error.message);
      const json = parsedOrUndefined(text);
      throw sdk.APIError.generate(response.status, json, json ? undefined : text, response.headers);
    }
    // As the SDK reads a body: JSON when the server says it is, else the text.
    const type = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    return type === 'application/json' || type.endsWith('+json') ? await response.json() : await response.text();
  } finally {
    clearTimeout(timer);
  }
}

function parsedOrUndefined(text: string): object | undefined {
  try {
    return JSON.parse(text) as object;
  } catch {
    return undefined;
  }
}
