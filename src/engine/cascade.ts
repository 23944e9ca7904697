import type { Environment } from '../spec/environment.js';
import type { Compressed } from '../compress/compress-messages.js';
import type { CacheLookup, ResponseCache } from '../cache/response-cache.js';
import {
  AbortedError,
  CircuitOpenError,
  mayHaveBeenBilled,
  MissingApiKeyError,
  ProviderError,
  StreamBrokenError,
} from '../errors/index.js';
import type { Completion } from '../spec/completion.js';
import type { Gate } from '../spec/gate.js';
import type { CascadeRequest } from '../spec/request.js';
import type { CascadeEvent, EventListener, EventState } from '../spec/events.js';
import type { CascadeResult, GateRecord, StopReason, TraceEntry } from '../spec/result.js';
import { chooseAnswer, type Answer } from './choose-answer.js';
import { worstCaseCallUsd, worstCaseCostUsd } from './estimate-cost.js';
import type { SharedBudget } from '../spec/budget.js';
import type { ProviderMiddleware } from '../spec/middleware.js';
import { prepareRequest } from './prepare-request.js';
import { RetriesExhaustedError } from '../middleware/retry-policy.js';
import { callPolicy } from '../middleware/call-policy.js';
import { wrapProvider } from '../middleware/wrap-provider.js';
import type { Provider, ProviderCallOptions } from '../spec/provider.js';
import { runGates, type GatesOutcome } from './run-gates.js';
import { routeTiers, type ClassifierSpending, type RouteRule, type Routed } from './route.js';
import { LatencyHistory } from './latency-history.js';
import { spanRecorder, telemetryActive } from '../telemetry/span-recorder.js';
import { gatesFor } from './request-schema-gate.js';
import { tracedMs } from './traced-ms.js';
import { twelveDigits } from '../common/twelve-digits.js';
import type { OnExhausted, Tier } from './tier.js';

export interface CascadeSettings {
  name: string;
  tiers: Tier[];
  onExhausted: OnExhausted;
  /** Sent as the system message of requests that have none. */
  system?: string;
  /** Per-item spending limit; the engine never starts a call whose worst case would pass it. */
  budget?: { perItemUsd: number };
  /** The cascade file's run budget (`budget.runUsd`, `budget.downshift`): what `cascade run` takes without flags. */
  runDefaults?: { budgetUsd: number; downshift: boolean };
  /** Max answer tokens imposed on tiers that set none, when a budget needs a bound. @default 1024 */
  budgetMaxTokens?: number;
  /** Environment variables the tiers and judges read their API keys from, with where each is named. */
  requiredEnv?: { variable: string; where: string }[];
  /** Answers accepted before, served without calling a tier. */
  cache?: ResponseCache;
  /** Receives the events of every item this cascade runs. */
  onEvent?: EventListener;
  /** Record OpenTelemetry spans (no-ops unless an SDK is registered). @default true */
  telemetry?: boolean;
  /** Start rules: the first that matches a request picks the tiers it runs on. */
  route?: RouteRule[];
}

/** What one item may still spend, shared by its run and its exploration. */
interface ItemLedger {
  spent: number;
  perItemUsd?: number;
  runBudget?: SharedBudget;
  /** Middleware around this item's calls to each tier, outermost (see RunOptions). */
  wrapCall?: (tier: string) => ProviderMiddleware[];
  /** Set when a budget applies: the max-token bound of tiers that set none. */
  fallbackMaxTokens?: number;
}

type TierCall =
  | { kind: 'budget' }
  | { kind: 'circuit-open' }
  | { kind: 'failed'; error: unknown; retries: number; latencyMs: number; possiblyBilledUsd: number }
  | {
      kind: 'answered';
      prepared: CascadeRequest;
      completion: Completion;
      reserved: number;
      latencyMs: number;
      compressed: Compressed | undefined;
      possiblyBilledUsd: number;
    };

/** An event as the engine raises it; the listener receives it with its `EventState`. */
type EventBody = CascadeEvent extends infer E ? (E extends CascadeEvent ? Omit<E, keyof EventState> : never) : never;
type Emit = (event: EventBody) => void;

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * The highest tier (0-based) this item may reach, asked before each tier: a run budget that
   * downshifts (see `downshiftCap`) lowers it as the budget runs down faster than the items.
   */
  highestTier?: () => number;
  /**
   * Time this item may take, ms (recorded latency under replay, wall time live). A tier whose recent
   * p90 latency does not fit in what is left is skipped; past it, the best answer so far is returned
   * with `stop: "deadline"`.
   */
  deadlineMs?: number;
  /** Receives this item's events (after the cascade's own `onEvent`, when it has one). */
  onEvent?: EventListener;
  /** A limit shared with other items: each call reserves its worst case from it first. */
  runBudget?: SharedBudget;
  /**
   * Middleware around this item's calls to a tier, outside the tier's own stack: the queue memoises
   * calls already paid with it, so a job run again after its worker died does not pay for them twice.
   */
  wrapCall?: (tier: string) => ProviderMiddleware[];
  /**
   * Receives the answer's text as it is generated, from a tier whose answer is final as it comes (one
   * without gates, so nothing can reject it): `cascade serve` streams it. Tiers with gates answer in full
   * first. A stream that breaks after text was passed on ends the item with `stop: "error"`.
   */
  onDelta?: (tier: string, text: string) => void;
}

/**
 * Sends a request to the cheapest tier first and escalates when a gate fails or the tier fails.
 * Holds the tiers' circuit breakers, so one instance should serve a whole job.
 */
export class Cascade {
  readonly name: string;
  readonly tiers: readonly Tier[];
  private readonly settings: CascadeSettings;
  /** Each tier's provider behind its call stack, built once so its limits and breaker are shared. */
  private readonly stacks = new Map<Tier, Provider>();
  /** Each tier's recent latencies, for deadlines. */
  private readonly latencies = new LatencyHistory();

  /** The run budget the cascade file sets, for `cascade run` when no `--budget-usd` is given. */
  get runDefaults(): { budgetUsd: number; downshift: boolean } | undefined {
    return this.settings.runDefaults;
  }

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
  checkEnvironment(env: Environment = process.env): void {
    const missing: { variable: string; tier: string }[] = [];
    for (const { variable, where } of this.settings.requiredEnv ?? []) {
      if (!env[variable] && !missing.some((seen) => seen.variable === variable))
        missing.push({ variable, tier: where });
    }
    const [first, ...others] = missing;
    if (first) throw new MissingApiKeyError({ ...first, others });
  }

  run(input: CascadeRequest, options: RunOptions = {}): Promise<CascadeResult> {
    let request: CascadeRequest;
    let emit: Emit | undefined;
    try {
      request = this.withSystem(input);
      emit = this.emitterFor(request, options);
    } catch (error) {
      return Promise.reject(error);
    }
    // Without listeners the item's promise is the answer's own: no frame of `run` waits with each item in
    // flight, to be copied by every young-generation collection of its wait.
    if (!emit) return this.answer(request, options, undefined);
    return this.runWithEvents(request, options, emit);
  }

  private async runWithEvents(request: CascadeRequest, options: RunOptions, emit: Emit): Promise<CascadeResult> {
    emit({ type: 'item-start' });
    const result = await this.answer(request, options, emit);
    emit({ type: 'item-end', result });
    return result;
  }

  /** Through the cache when the cascade has one, else straight up the tiers (not async: no frame of its own). */
  private answer(request: CascadeRequest, options: RunOptions, emit: Emit | undefined): Promise<CascadeResult> {
    return this.settings.cache ? this.answerThroughCache(request, options, emit) : this.climb(request, options, emit);
  }

  private async answerThroughCache(
    request: CascadeRequest,
    options: RunOptions,
    emit: Emit | undefined,
  ): Promise<CascadeResult> {
    const cache = this.settings.cache!;
    let lookup: CacheLookup;
    try {
      lookup = await cache.lookup(request, options.signal);
    } catch (error) {
      // A cache that cannot answer (an embedder down) costs a call, never the item.
      const result = await this.climb(request, options, emit);
      return { ...result, cache: { kind: 'miss', error: error instanceof Error ? error.message : String(error) } };
    }
    // What embedding the question cost is spent from the run budget like any call.
    options.runBudget?.charge(('hit' in lookup ? lookup.hit.cache : lookup.miss)?.embedCostUsd ?? 0);
    if ('hit' in lookup) {
      if (lookup.hit.cache) emit?.({ type: 'cache-hit', cache: lookup.hit.cache });
      return lookup.hit;
    }
    return cache.coalesce(lookup, () => this.climb(request, options, emit));
  }

  /** One function that stamps events with the item's state and hands them to every listener; none without one. */
  private emitterFor(request: CascadeRequest, options: RunOptions): Emit | undefined {
    // Spans for OpenTelemetry (no-ops unless an SDK is registered), one recorder per run.
    const listeners = [
      this.settings.onEvent,
      options.onEvent,
      this.settings.telemetry === false || !telemetryActive() ? undefined : spanRecorder(),
    ].filter((listener) => listener !== undefined);
    if (listeners.length === 0) return undefined;
    const state = { cascade: this.name, ...(request.id !== undefined && { item: request.id }) };
    return (body) => {
      // Not `{ ...body, ...state, at }`: see common/copy-with.ts.
      const event = Object.assign({}, body, state, { at: performance.now() }) as CascadeEvent;
      for (const listener of listeners) listener(event);
    };
  }

  /** Up the tiers, cheapest first, until one's answer passes its gates. */
  private async climb(request: CascadeRequest, options: RunOptions, emit?: Emit): Promise<CascadeResult> {
    const { signal, runBudget } = options;
    const budget = this.settings.budget?.perItemUsd;
    const ledger = this.ledger(options, 0);
    const trace: TraceEntry[] = [];
    const answers: Answer[] = [];
    let stop: StopReason | undefined;

    const routed = this.settings.route?.length
      ? await routeTiers(this.settings.route, this.tiers, request, signal, classifierSpending(ledger, signal))
      : undefined;
    let usedMs = 0;
    // What the classifiers of start rules cost counts toward the item, its budgets and its deadline.
    let routeUsd = 0;
    let routeMs = 0;
    for (const classification of routed?.classifications ?? []) {
      routeUsd += classification.costUsd;
      routeMs += classification.latencyMs;
    }
    usedMs += routeMs;
    let climbing = routed?.tiers ?? this.tiers;
    if (options.highestTier && routed?.rule) {
      const cap = options.highestTier();
      // A start rule past every tier the budget allows now starts at the dearest one it does allow
      // (among its own tiers for an `only` rule): downshifting holds items back from the top tiers, it
      // does not stop them.
      if (climbing.every((tier) => this.tiers.indexOf(tier) > cap)) {
        const allowed = (routed.rule.only ? climbing : this.tiers).filter((tier) => this.tiers.indexOf(tier) <= cap);
        const fallback = allowed[allowed.length - 1];
        if (fallback) {
          for (const tier of climbing) usedMs += this.traced(trace, emit, tier, skippedEntry(tier, 'downshift'));
          climbing = [fallback];
        }
      }
    }
    for (const tier of climbing) {
      if (signal?.aborted) throw new AbortedError();
      if (options.highestTier && this.tiers.indexOf(tier) > options.highestTier()) {
        usedMs += this.traced(trace, emit, tier, skippedEntry(tier, 'downshift'));
        stop ??= answers.length === 0 ? 'budget' : undefined;
        continue;
      }
      if (options.deadlineMs !== undefined) {
        if (usedMs >= options.deadlineMs) {
          stop = 'deadline';
          break;
        }
        const typical = this.latencies.p90(tier);
        if (typical !== undefined && typical > options.deadlineMs - usedMs) {
          usedMs += this.traced(trace, emit, tier, skippedEntry(tier, 'deadline'));
          continue;
        }
      }
      emit?.({ type: 'tier-start', tier: tier.name, model: tier.provider.model });
      const streams = options.onDelta && !tier.witness && gatesFor(tier.gates, request).length === 0;
      const onDelta = streams ? (text: string) => options.onDelta!(tier.name, text) : undefined;
      const call = await this.callTier(tier, request, ledger, signal, onDelta);
      if (call.kind === 'budget') {
        usedMs += this.traced(trace, emit, tier, skippedEntry(tier, 'budget'));
        stop = 'budget';
        break;
      }
      if (call.kind === 'circuit-open') {
        usedMs += this.traced(trace, emit, tier, skippedEntry(tier, 'circuit-open'));
        continue;
      }
      if (call.kind === 'failed') {
        const entry = emptyEntry(tier, call.latencyMs);
        entry.retries = call.retries;
        entry.error = describeError(call.error);
        if (call.possiblyBilledUsd > 0) {
          entry.possiblyBilledUsd = call.possiblyBilledUsd;
          entry.costUsd = call.possiblyBilledUsd;
          ledger.spent += call.possiblyBilledUsd;
        }
        usedMs += this.traced(trace, emit, tier, entry);
        // Part of this answer was passed on: another tier's answer cannot follow it.
        if (StreamBrokenError.isInstance(call.error))
          return withRoute(routed, routeUsd, routeMs, {
            ...result(undefined, 'error', trace),
            message: `tier "${tier.name}": ${call.error.message}`,
          });
        continue;
      }
      // The gates are awaited here, not in a function of their own: one wait less for each attempt.
      let entry: ReturnType<typeof judged>;
      try {
        const gatesStarted = performance.now();
        // Compiles a request's own output schema the first time: that can throw, as can a completion
        // without usage below, and the call's reservation is settled either way.
        const tierGates = gatesFor(tier.gates, call.prepared);
        const onGateEnd =
          emit && ((gate: GateRecord, ms: number) => emit({ type: 'gate-end', tier: tier.name, gate, ms }));
        const gates = tier.witness
          ? witnessVerdict(call.completion)
          : await runGates(tierGates, call.prepared, call.completion, tier.name, answers, signal, onGateEnd);
        // A recording's gates count what their own calls (a judge) report: recorded, when replayed too.
        const gatesMs = tracedMs(tier.provider, gatesStarted, gates.callsMs);
        entry = judged(tier, tierGates, call.completion, call.latencyMs, gates, gatesMs);
      } catch (error) {
        runBudget?.settle(call.reserved, call.completion.costUsd + call.possiblyBilledUsd);
        throw error;
      }
      if (call.compressed) entry.trace.compression = compressionRecord(call.compressed, tier);
      if (call.possiblyBilledUsd > 0) {
        entry.trace.possiblyBilledUsd = call.possiblyBilledUsd;
        entry.trace.costUsd += call.possiblyBilledUsd;
      }
      // The gates' own calls (a judge) count against the budget with the tier's answer.
      runBudget?.settle(call.reserved, entry.trace.costUsd);
      usedMs += this.traced(trace, emit, tier, entry.trace);
      ledger.spent += entry.trace.costUsd;
      answers.push(entry.answer);
      if (entry.answer.accepted) return withRoute(routed, routeUsd, routeMs, result(entry.answer, 'accepted', trace));
    }

    if (stop === 'deadline') {
      const best = chooseAnswer(
        answers,
        this.settings.onExhausted === 'fail' ? 'best-score' : this.settings.onExhausted,
      );
      return withRoute(routed, routeUsd, routeMs, {
        ...result(best, 'deadline', trace),
        message: `the item's deadline of ${options.deadlineMs} ms passed${best ? `; returning the best answer so far (from ${best.tier})` : ' before any tier answered'}`,
      });
    }
    if (stop === 'budget') {
      const last = answers[answers.length - 1];
      const message = `the next tier's worst-case cost would pass the ${budget !== undefined && runBudget === undefined ? `item budget of $${budget}` : 'remaining budget'}`;
      emit?.({ type: 'budget-stop', tier: trace[trace.length - 1]!.tier, message });
      return withRoute(routed, routeUsd, routeMs, { ...result(last, 'budget', trace), message });
    }
    if (answers.length === 0) {
      return withRoute(routed, routeUsd, routeMs, {
        ...result(undefined, 'error', trace),
        message: `no tier answered: ${sameReasonsTogether(trace)}`,
      });
    }
    const chosen = chooseAnswer(answers, this.settings.onExhausted);
    return withRoute(routed, routeUsd, routeMs, {
      ...result(chosen, 'exhausted', trace),
      message: chosen
        ? `no tier passed its gates; returning ${this.settings.onExhausted === 'best-score' ? 'the best-scored' : 'the last'} answer (from ${chosen.tier})`
        : 'no tier passed its gates (onExhausted: fail)',
    });
  }

  /** Add a tier's entry to the item's trace; returns the time it took (none for a tier skipped). */
  private traced(trace: TraceEntry[], emit: Emit | undefined, tier: Tier, entry: TraceEntry): number {
    trace.push(entry);
    if (!entry.skipped) this.latencies.record(tier, entry.latencyMs);
    emit?.({ type: 'tier-end', tier: tier.name, entry });
    return entry.skipped ? 0 : entry.latencyMs;
  }

  /** Release what the cascade holds open (its cache store). */
  close(): void {
    this.settings.cache?.close();
  }

  /**
   * Ask every tier that gave `result` no answer (not reached, skipped or failed) for its answer too, with
   * the same call stack, breaker and budgets as a run but no gates: exploration measures the tiers, it does
   * not choose an answer. Failed calls are left out. Returns each answer with its tier.
   */
  async exploreRemaining(
    input: CascadeRequest,
    result: CascadeResult,
    options: RunOptions = {},
  ): Promise<{ tier: string; completion: Completion }[]> {
    const request = this.withSystem(input);
    const answered = new Set(result.trace.filter((entry) => !entry.skipped && !entry.error).map((entry) => entry.tier));
    // Exploring spends from the same budgets as the item, reserved the same way.
    const ledger = this.ledger(options, result.costUsd);
    const explored: { tier: string; completion: Completion }[] = [];
    for (const tier of this.tiers) {
      if (answered.has(tier.name)) continue;
      if (options.signal?.aborted) throw new AbortedError();
      const call = await this.callTier(tier, request, ledger, options.signal);
      if (call.kind === 'budget') break;
      if (call.kind !== 'answered') continue;
      options.runBudget?.settle(call.reserved, call.completion.costUsd + call.possiblyBilledUsd);
      ledger.spent += call.completion.costUsd + call.possiblyBilledUsd;
      explored.push({ tier: tier.name, completion: call.completion });
    }
    return explored;
  }

  private ledger(options: RunOptions, spent: number): ItemLedger {
    const perItemUsd = this.settings.budget?.perItemUsd;
    // Set one by one, not spread in: one made each item.
    const ledger: ItemLedger = { spent };
    if (perItemUsd !== undefined) ledger.perItemUsd = perItemUsd;
    if (options.runBudget) ledger.runBudget = options.runBudget;
    if (options.wrapCall) ledger.wrapCall = options.wrapCall;
    if (perItemUsd !== undefined || options.runBudget !== undefined)
      ledger.fallbackMaxTokens = this.settings.budgetMaxTokens ?? 1024;
    return ledger;
  }

  /**
   * One tier's call, as the run and exploration both make it: the request compressed and prepared for the
   * tier, its worst case reserved from the budgets, then the tier's stack (breaker, retries, limits). A call
   * that fails or is refused settles its reservation here; an answered one leaves it to the caller, who
   * adds the gates' cost.
   */
  private async callTier(
    tier: Tier,
    request: CascadeRequest,
    ledger: ItemLedger,
    signal: AbortSignal | undefined,
    onDelta?: (text: string) => void,
  ): Promise<TierCall> {
    // The compressor (and the tokenizer it counts with) is loaded by the first tier that compresses.
    const compressed = tier.compress?.length
      ? (await import('../compress/compress-messages.js')).compressMessages(request.messages, tier.compress)
      : undefined;
    const prepared = prepareRequest(request, tier, ledger.fallbackMaxTokens, compressed?.messages);
    let reserved = 0;
    if (ledger.fallbackMaxTokens !== undefined) {
      const itemRoom = ledger.perItemUsd === undefined ? Infinity : ledger.perItemUsd - ledger.spent;
      reserved = worstCaseCostUsd(prepared, tier, Math.min(itemRoom, ledger.runBudget?.remaining ?? Infinity));
      if (reserved > itemRoom) return { kind: 'budget' };
      // The run budget is a queue: a call that does not fit now waits for the calls in flight to settle.
      if (ledger.runBudget && !(await ledger.runBudget.reserveWhenPossible(reserved, signal)))
        return { kind: 'budget' };
    }
    // A retry after a try that may have been billed first reserves that try's worst case, so spending
    // stays within the budgets however many tries time out. It does not wait for room: it holds a
    // reservation already, and items holding and waiting could wait on each other for ever. Without a
    // budget every retry may go: no hook (a closure per call, alive through the call's wait).
    const beforeRetry =
      ledger.fallbackMaxTokens === undefined
        ? undefined
        : async (error: unknown): Promise<boolean> => {
            if (!mayHaveBeenBilled(error)) return true;
            const extra = worstCaseCallUsd(prepared, tier);
            const itemRoom = ledger.perItemUsd === undefined ? Infinity : ledger.perItemUsd - ledger.spent;
            if (reserved + extra > itemRoom) return false;
            if (ledger.runBudget && !(await ledger.runBudget.reserve(extra))) return false;
            reserved += extra;
            return true;
          };
    const started = performance.now();
    try {
      const stack = ledger.wrapCall ? wrapProvider(this.stackOf(tier), ledger.wrapCall(tier.name)) : this.stackOf(tier);
      // Not `{ ...(signal && { signal }), beforeRetry }`: see common/copy-with.ts.
      const callOptions: ProviderCallOptions = signal ? { signal } : {};
      if (beforeRetry) callOptions.beforeRetry = beforeRetry;
      if (onDelta) callOptions.onDelta = onDelta;
      const completion = await stack.complete(prepared, callOptions);
      const possiblyBilledUsd = billedUsd(completion.possiblyBilledTries ?? 0, prepared, tier);
      return {
        kind: 'answered',
        prepared,
        completion,
        reserved,
        latencyMs: completion.latencyMs,
        compressed,
        possiblyBilledUsd,
      };
    } catch (error) {
      if (error instanceof AbortedError) {
        // An aborted call may have been billed; keep its worst case counted.
        ledger.runBudget?.settle(reserved, reserved);
        throw error;
      }
      const exhausted = error instanceof RetriesExhaustedError;
      const possiblyBilledUsd = billedUsd(exhausted ? error.possiblyBilledTries : 0, prepared, tier);
      ledger.runBudget?.settle(reserved, possiblyBilledUsd);
      if (error instanceof CircuitOpenError) return { kind: 'circuit-open' };
      return {
        kind: 'failed',
        error: exhausted ? error.lastError : error,
        retries: exhausted ? error.retries : 0,
        latencyMs: tracedMs(tier.provider, started),
        possiblyBilledUsd,
      };
    }
  }

  private stackOf(tier: Tier): Provider {
    let stack = this.stacks.get(tier);
    if (!stack) {
      // A provider that answers from memory (a recording) has nothing to time out, retry or trip a
      // breaker on: it is called as it is (its failures, a replay miss, are the tier's as they are).
      stack = tier.provider.answersFromMemory
        ? tier.provider
        : wrapProvider(tier.provider, callPolicy(`tier "${tier.name}"`, tier.retry, tier.breaker));
      this.stacks.set(tier, stack);
    }
    return stack;
  }

  private withSystem(request: CascadeRequest): CascadeRequest {
    const system = this.settings.system;
    if (system === undefined || request.messages.some((message) => message.role === 'system')) return request;
    return { ...request, messages: [{ role: 'system', content: system }, ...request.messages] };
  }
}

/** A witness tier's verdict: it answers for the record, never on its own. */
function witnessVerdict(completion: Completion): GatesOutcome {
  return {
    passed: false,
    records: [{ name: 'witness', pass: false, reason: 'a witness tier never answers on its own', costUsd: 0 }],
    text: completion.text,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    callsMs: 0,
  };
}

/** The attempt as the trace records it, and the answer it gave, from its gates' verdicts. */
function judged(
  tier: Tier,
  tierGates: readonly Gate[],
  completion: Completion,
  callMs: number,
  gates: GatesOutcome,
  gatesMs: number,
): { trace: TraceEntry; answer: Answer } {
  const entry: TraceEntry = {
    tier: tier.name,
    provider: tier.provider.name,
    model: completion.model,
    // The tier's model's own tokens; what its gates' calls (a judge) took is apart, in gateUsage.
    usage: { inputTokens: completion.usage.inputTokens, outputTokens: completion.usage.outputTokens },
    costUsd: completion.costUsd + gates.costUsd,
    latencyMs: callMs + gatesMs,
    retries: completion.retries ?? 0,
    gates: gates.records,
    accepted: gates.passed,
  };
  if (gates.inputTokens + gates.outputTokens > 0)
    entry.gateUsage = { inputTokens: gates.inputTokens, outputTokens: gates.outputTokens };
  if (completion.confidence !== undefined) entry.confidence = completion.confidence;
  if (completion.usageEstimated !== undefined) entry.usageEstimated = completion.usageEstimated;
  if (completion.memoised) entry.memoised = true;
  let scored = 0;
  let scoreSum = 0;
  let passes = 0;
  for (const record of gates.records) {
    if (record.pass) passes++;
    if (record.score !== undefined) {
      scored++;
      scoreSum += record.score;
    }
  }
  const answer: Answer = {
    tier: tier.name,
    model: completion.model,
    text: gates.text,
    accepted: gates.passed,
    passedShare: tier.witness ? 0 : gates.records.length === 0 ? 1 : passes / tierGates.length,
    meanScore: scored === 0 ? 0 : scoreSum / scored,
  };
  if (gates.value !== undefined) answer.value = gates.value;
  if (completion.toolCalls?.length) answer.toolCalls = completion.toolCalls;
  return { trace: entry, answer };
}

/**
 * `out` with what routing it took (the start rule, the tiers, and the classifiers' cost and time) when
 * a rule or a classifier was used. A function, not a closure of `climb`: a closure there made a context
 * for every item, kept through its calls' waits.
 */
function withRoute(routed: Routed | undefined, routeUsd: number, routeMs: number, out: CascadeResult): CascadeResult {
  if (!routed?.rule && !routed?.classifications.length) return out;
  return {
    ...out,
    costUsd: twelveDigits(out.costUsd + routeUsd),
    latencyMs: out.latencyMs + routeMs,
    route: {
      ...(routed.rule && { rule: routed.rule.name }),
      tiers: routed.tiers.map((tier) => tier.name),
      ...(routed.classifications.length > 0 && { classifiers: routed.classifications }),
    },
  };
}

/**
 * What tries that failed but may have been billed are charged: the call's worst case each (the provider
 * did not say what they cost).
 */
function billedUsd(tries: number, prepared: CascadeRequest, tier: Tier): number {
  return tries > 0 ? tries * worstCaseCallUsd(prepared, tier) : 0;
}

/** "small, large: <why>; medium: <why>": tiers that failed for the same reason are named once with it. */
function sameReasonsTogether(trace: readonly TraceEntry[]): string {
  const byReason = new Map<string, string[]>();
  for (const entry of trace) {
    const reason = entry.error?.message ?? entry.skipped ?? 'no answer';
    // A reason that names its tier is the same reason for another tier.
    const general = reason.replace(`tier "${entry.tier}"`, 'the tier');
    byReason.set(general, [...(byReason.get(general) ?? []), entry.tier]);
  }
  return [...byReason].map(([reason, tiers]) => `${tiers.join(', ')}: ${reason}`).join('; ');
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

/** A start rule's classifier call holds its worst case from the item's and the run's budgets first, as a tier's does. */
function classifierSpending(ledger: ItemLedger, signal: AbortSignal | undefined): ClassifierSpending {
  return {
    reserve: async (worstUsd) => {
      if (ledger.perItemUsd !== undefined && ledger.spent + worstUsd > ledger.perItemUsd) return false;
      return !ledger.runBudget || (await ledger.runBudget.reserveWhenPossible(worstUsd, signal));
    },
    settle: (reservedUsd, actualUsd) => {
      ledger.spent += actualUsd;
      ledger.runBudget?.settle(reservedUsd, actualUsd);
    },
  };
}

function skippedEntry(tier: Tier, why: NonNullable<TraceEntry['skipped']>): TraceEntry {
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
  const out: CascadeResult = { accepted: stop === 'accepted', stop, costUsd: twelveDigits(costUsd), latencyMs, trace };
  if (answer) {
    out.text = answer.text;
    out.tier = answer.tier;
    out.model = answer.model;
    if (answer.value !== undefined) out.value = answer.value;
    if (answer.toolCalls) out.toolCalls = answer.toolCalls;
  }
  return out;
}
