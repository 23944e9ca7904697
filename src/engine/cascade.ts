import { compressMessages, type Compressed } from '../compress/compress-messages.js';
import type { CacheLookup, ResponseCache } from '../cache/response-cache.js';
import { AbortedError, MissingApiKeyError, ProviderError } from '../common/errors.js';
import type { Completion } from '../spec/completion.js';
import type { EarlierAnswer } from '../spec/gate.js';
import type { CascadeRequest } from '../spec/request.js';
import type { CascadeResult, StopReason, TraceEntry } from '../spec/result.js';
import { chooseAnswer, type Answer } from './choose-answer.js';
import { worstCaseCostUsd } from './estimate-cost.js';
import type { RunBudget } from './run-budget.js';
import { prepareRequest } from './prepare-request.js';
import { callWithRetries, RetriesExhaustedError } from './retry-policy.js';
import { runGates } from './run-gates.js';
import type { OnExhausted, Tier } from './tier.js';

export interface CascadeSettings {
  name: string;
  tiers: Tier[];
  onExhausted: OnExhausted;
  /** Sent as the system message of requests that have none. */
  system?: string;
  /** Per-item spending limit; the engine never starts a call whose worst case would pass it. */
  budget?: { perItemUsd: number };
  /** Max answer tokens imposed on tiers that set none, when a budget needs a bound. @default 1024 */
  budgetMaxTokens?: number;
  /** Environment variables the tiers and judges read their API keys from, with where each is named. */
  requiredEnv?: { variable: string; where: string }[];
  /** Answers accepted before, served without calling a tier. */
  cache?: ResponseCache;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** A limit shared with other items: each call reserves its worst case from it first. */
  runBudget?: RunBudget;
}

/**
 * Sends a request to the cheapest tier first and escalates when a gate fails or the tier fails.
 * Holds the tiers' circuit breakers, so one instance should serve a whole job.
 */
export class Cascade {
  readonly name: string;
  readonly tiers: readonly Tier[];
  private readonly settings: CascadeSettings;

  constructor(settings: CascadeSettings) {
    if (settings.tiers.length === 0) throw new RangeError('A cascade needs at least one tier');
    this.settings = settings;
    this.name = settings.name;
    this.tiers = settings.tiers;
  }

  /**
   * Fail before the first call, naming the variable, when an API key the cascade needs is not set.
   * Keys are still read only when a call is made; this looks at their presence, never their value.
   */
  checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
    for (const { variable, where } of this.settings.requiredEnv ?? []) {
      if (!env[variable]) throw new MissingApiKeyError(variable, where);
    }
  }

  async run(input: CascadeRequest, options: RunOptions = {}): Promise<CascadeResult> {
    const request = this.withSystem(input);
    const cache = this.settings.cache;
    if (!cache) return this.climb(request, options);
    let lookup: CacheLookup;
    try {
      lookup = await cache.lookup(request, options.signal);
    } catch (error) {
      // A cache that cannot answer (an embedder down) costs a call, never the item.
      const result = await this.climb(request, options);
      return { ...result, cache: { kind: 'miss', error: error instanceof Error ? error.message : String(error) } };
    }
    if ('hit' in lookup) return lookup.hit;
    return cache.coalesce(lookup, () => this.climb(request, options));
  }

  /** Up the tiers, cheapest first, until one's answer passes its gates. */
  private async climb(request: CascadeRequest, options: RunOptions): Promise<CascadeResult> {
    const { signal, runBudget } = options;
    const budget = this.settings.budget?.perItemUsd;
    const bounded = budget !== undefined || runBudget !== undefined;
    const fallbackMaxTokens = bounded ? (this.settings.budgetMaxTokens ?? 1024) : undefined;
    const trace: TraceEntry[] = [];
    const answers: Answer[] = [];
    let spent = 0;
    let stop: StopReason | undefined;

    for (const tier of this.tiers) {
      if (signal?.aborted) throw new AbortedError();
      const compressed = tier.compress?.length ? compressMessages(request.messages, tier.compress) : undefined;
      const prepared = prepareRequest(request, tier, fallbackMaxTokens, compressed?.messages);
      let reserved = 0;
      if (bounded) {
        const room = Math.min(budget === undefined ? Infinity : budget - spent, runBudget?.remaining ?? Infinity);
        reserved = worstCaseCostUsd(prepared, tier, room);
        if (reserved > room || (runBudget && !runBudget.reserve(reserved))) {
          trace.push(skippedEntry(tier, 'budget'));
          stop = 'budget';
          break;
        }
      }
      if (!tier.breaker.allowsCall()) {
        runBudget?.settle(reserved, 0);
        trace.push(skippedEntry(tier, 'circuit-open'));
        continue;
      }
      let entry: Awaited<ReturnType<Cascade['attempt']>>;
      try {
        entry = await this.attempt(tier, prepared, answers, signal);
      } catch (error) {
        // An aborted call may have been billed; keep its worst case counted.
        runBudget?.settle(reserved, reserved);
        throw error;
      }
      runBudget?.settle(reserved, entry.trace.costUsd);
      if (compressed) entry.trace.compression = compressionRecord(compressed, tier);
      trace.push(entry.trace);
      spent += entry.trace.costUsd;
      if (!entry.answer) continue;
      answers.push(entry.answer);
      if (entry.answer.accepted) return result(entry.answer, 'accepted', trace);
    }

    if (stop === 'budget') {
      const last = answers[answers.length - 1];
      return {
        ...result(last, 'budget', trace),
        message: `the next tier's worst-case cost would pass the ${budget !== undefined && runBudget === undefined ? `item budget of $${budget}` : 'remaining budget'}`,
      };
    }
    if (answers.length === 0) {
      return {
        ...result(undefined, 'error', trace),
        message: `no tier answered: ${trace.map((entry) => `${entry.tier}: ${entry.error?.message ?? entry.skipped}`).join('; ')}`,
      };
    }
    const chosen = chooseAnswer(answers, this.settings.onExhausted);
    return {
      ...result(chosen, 'exhausted', trace),
      message: chosen
        ? `no tier passed its gates; returning ${this.settings.onExhausted === 'best-score' ? 'the best-scored' : 'the last'} answer (from ${chosen.tier})`
        : 'no tier passed its gates (onExhausted: fail)',
    };
  }

  /**
   * Ask every tier that gave `result` no answer (not reached, skipped or failed) for its answer too, with
   * the tier's retry policy but no gates: exploration measures the tiers, it does not choose an answer.
   * Failed calls are left out. Returns each answer with its tier.
   */
  /** Release what the cascade holds open (its cache store). */
  close(): void {
    this.settings.cache?.close();
  }

  async exploreRemaining(
    input: CascadeRequest,
    result: CascadeResult,
    options: RunOptions = {},
  ): Promise<{ tier: string; completion: Completion }[]> {
    const { signal, runBudget } = options;
    const request = this.withSystem(input);
    const answered = new Set(result.trace.filter((entry) => !entry.skipped && !entry.error).map((entry) => entry.tier));
    const explored: { tier: string; completion: Completion }[] = [];
    for (const tier of this.tiers) {
      if (answered.has(tier.name)) continue;
      if (signal?.aborted) throw new AbortedError();
      const compressed = tier.compress?.length ? compressMessages(request.messages, tier.compress) : undefined;
      const prepared = prepareRequest(
        request,
        tier,
        runBudget ? (this.settings.budgetMaxTokens ?? 1024) : undefined,
        compressed?.messages,
      );
      // Exploring spends from the same run budget as the job, reserved the same way.
      const reserved = runBudget ? worstCaseCostUsd(prepared, tier, runBudget.remaining) : 0;
      if (runBudget && !runBudget.reserve(reserved)) break;
      try {
        const { value } = await callWithRetries(
          (callSignal) => tier.provider.complete(prepared, { signal: callSignal }),
          tier.retry,
          signal,
        );
        runBudget?.settle(reserved, value.costUsd);
        explored.push({ tier: tier.name, completion: value });
      } catch (error) {
        runBudget?.settle(reserved, error instanceof AbortedError ? reserved : 0);
        if (error instanceof AbortedError) throw error;
      }
    }
    return explored;
  }

  private withSystem(request: CascadeRequest): CascadeRequest {
    const system = this.settings.system;
    if (system === undefined || request.messages.some((message) => message.role === 'system')) return request;
    return { ...request, messages: [{ role: 'system', content: system }, ...request.messages] };
  }

  private async attempt(
    tier: Tier,
    request: CascadeRequest,
    earlier: readonly EarlierAnswer[],
    signal: AbortSignal | undefined,
  ): Promise<{ trace: TraceEntry; answer?: Answer }> {
    const started = performance.now();
    let finalCallMs = 0;
    let completion: Completion;
    let retries: number;
    try {
      const outcome = await callWithRetries(
        async (callSignal) => {
          const callStarted = performance.now();
          const answer = await tier.provider.complete(request, { signal: callSignal });
          finalCallMs = performance.now() - callStarted;
          return answer;
        },
        tier.retry,
        signal,
      );
      completion = outcome.value;
      retries = outcome.retries;
    } catch (error) {
      if (error instanceof AbortedError) {
        tier.breaker.recordInconclusive();
        throw error;
      }
      const cause = error instanceof RetriesExhaustedError ? error.lastError : error;
      // Only outage-like failures open the circuit; a 400 or a replay miss says nothing about the next item.
      if (cause instanceof ProviderError && cause.isRetryable) tier.breaker.recordFailure();
      else tier.breaker.recordInconclusive();
      const entry = emptyEntry(tier, performance.now() - started);
      entry.retries = error instanceof RetriesExhaustedError ? error.retries : 0;
      entry.error = describeError(cause);
      return { trace: entry };
    }
    tier.breaker.recordSuccess();
    const gatesStarted = performance.now();
    const gates = tier.witness
      ? {
          passed: false,
          records: [{ name: 'witness', pass: false, reason: 'a witness tier never answers on its own', costUsd: 0 }],
          text: completion.text,
          costUsd: 0,
          inputTokens: 0,
          outputTokens: 0,
        }
      : await runGates(tier.gates, request, completion, tier.name, earlier, signal);
    const gatesMs = performance.now() - gatesStarted;
    // Recorded latency for replayed calls, wall time for live ones; retries' waiting counts too.
    const waitedMs = gatesStarted - started - finalCallMs;
    const entry: TraceEntry = {
      tier: tier.name,
      provider: tier.provider.name,
      model: completion.model,
      usage: {
        inputTokens: completion.usage.inputTokens + gates.inputTokens,
        outputTokens: completion.usage.outputTokens + gates.outputTokens,
      },
      costUsd: completion.costUsd + gates.costUsd,
      latencyMs: waitedMs + completion.latencyMs + gatesMs,
      retries,
      gates: gates.records,
      accepted: gates.passed,
    };
    if (completion.confidence !== undefined) entry.confidence = completion.confidence;
    const scores = gates.records.filter((record) => record.score !== undefined).map((record) => record.score!);
    const answer: Answer = {
      tier: tier.name,
      model: completion.model,
      text: gates.text,
      accepted: gates.passed,
      passedShare: tier.witness
        ? 0
        : tier.gates.length === 0
          ? 1
          : gates.records.filter((record) => record.pass).length / tier.gates.length,
      meanScore: scores.length === 0 ? 0 : scores.reduce((sum, score) => sum + score, 0) / scores.length,
    };
    if (gates.value !== undefined) answer.value = gates.value;
    return { trace: entry, answer };
  }
}

function compressionRecord(compressed: Compressed, tier: Tier): NonNullable<TraceEntry['compression']> {
  const saved = compressed.tokensBefore - compressed.tokensAfter;
  return {
    tokensBefore: compressed.tokensBefore,
    tokensAfter: compressed.tokensAfter,
    savedUsd: tier.pricing ? (saved * tier.pricing.inputPerMTok) / 1e6 : 0,
  };
}

function emptyEntry(tier: Tier, latencyMs: number): TraceEntry {
  return {
    tier: tier.name,
    provider: tier.provider.name,
    model: tier.provider.model,
    usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: 0,
    latencyMs,
    retries: 0,
    gates: [],
    accepted: false,
  };
}

function skippedEntry(tier: Tier, why: 'budget' | 'circuit-open'): TraceEntry {
  return { ...emptyEntry(tier, 0), skipped: why };
}

function describeError(error: unknown): NonNullable<TraceEntry['error']> {
  if (error instanceof ProviderError) {
    const described: NonNullable<TraceEntry['error']> = { kind: error.kind, message: error.message };
    if (error.statusCode !== undefined) described.statusCode = error.statusCode;
    return described;
  }
  if (error instanceof Error) return { kind: error.name, message: error.message };
  return { kind: 'unknown', message: String(error) };
}

function result(answer: Answer | undefined, stop: StopReason, trace: TraceEntry[]): CascadeResult {
  let costUsd = 0;
  let latencyMs = 0;
  for (const entry of trace) {
    costUsd += entry.costUsd;
    latencyMs += entry.latencyMs;
  }
  const out: CascadeResult = { accepted: stop === 'accepted', stop, costUsd, latencyMs, trace };
  if (answer) {
    out.text = answer.text;
    out.tier = answer.tier;
    out.model = answer.model;
    if (answer.value !== undefined) out.value = answer.value;
  }
  return out;
}
