import { mayHaveBeenBilled } from '../errors/index.js';
import { RetriesExhaustedError } from '../middleware/retry-policy.js';
import { costUsd, type Pricing } from '../pricing/price-table.js';
import type { Provider } from '../spec/provider.js';
import type { CascadeRequest } from '../spec/request.js';
import { countMessageTokens } from '../tokens/count-tokens.js';
import { byteBoundInputTokens } from './estimate-cost.js';
import type { Tier } from './tier.js';
import { tracedMs } from './traced-ms.js';

/** Most output tokens a classifier may answer with: one label. */
const classifierMaxTokens = 8;

/**
 * A small model that labels a request before any tier is asked ("lookup", "plan", ...). Its call costs
 * what it costs and counts toward the item; rules that ask the same classifier share one call per item.
 */
export interface RouteClassifier {
  /** The classifier's model, behind its own call policy (breaker, retries, timeout). */
  provider: Provider;
  labels: readonly string[];
  /** Its price, for the worst case a budget reserves before it is asked. */
  pricing?: Pricing;
}

/** How a classifier's call is paid for: its worst case held from the item's budgets first, then settled. */
export interface ClassifierSpending {
  /** Hold `worstUsd`; false when the budgets cannot cover it (the classifier is then not asked). */
  reserve(worstUsd: number): Promise<boolean>;
  settle(reservedUsd: number, actualUsd: number): void;
}

/** What the classifier said of one item, and what asking it took. */
export interface Classification {
  model: string;
  /** The label it answered; undefined when its answer named none, or the call failed. */
  label?: string;
  costUsd: number;
  latencyMs: number;
  /** Why there is no label: the call failed, or the answer named no label. */
  error?: string;
}

/** When a rule applies: every condition given must hold. */
export interface RouteCondition {
  /** Tests the last user message (a linear-time matcher, compiled when the cascade loads). */
  matches?: (text: string) => boolean;
  /** The pattern as written, for the trace. */
  pattern?: string;
  minTokens?: number;
  maxTokens?: number;
  hasSchema?: boolean;
  hasTools?: boolean;
  /** Holds when the classifier labels the request with one of `is`. */
  classifier?: { classify: RouteClassifier; is: readonly string[] };
}

/** A start rule: requests it matches begin at `start`, or run only on the tiers in `only`. */
export interface RouteRule {
  name: string;
  when: RouteCondition;
  start?: string;
  only?: string[];
}

function lastUserMessage(request: CascadeRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    if (request.messages[index]!.role === 'user') return request.messages[index]!.content;
  }
  return '';
}

/** The first label the answer names (case and punctuation aside); undefined when it names none. */
export function labelOf(answer: string, labels: readonly string[]): string | undefined {
  const words = answer.toLowerCase().match(/[\p{L}\p{N}_-]+/gu) ?? [];
  for (const word of words) {
    const label = labels.find((candidate) => candidate.toLowerCase() === word);
    if (label !== undefined) return label;
  }
  return undefined;
}

async function classify(
  classifier: RouteClassifier,
  request: CascadeRequest,
  signal: AbortSignal | undefined,
  spending: ClassifierSpending | undefined,
): Promise<Classification> {
  const model = classifier.provider.model;
  const question = lastUserMessage(request);
  // Nothing to label: no call, and no rule holds on a label.
  if (question.trim() === '') return { model, costUsd: 0, latencyMs: 0, error: 'the request has no user message' };
  const asked: CascadeRequest = {
    ...(request.id !== undefined && { id: request.id }),
    messages: [
      {
        role: 'system',
        content: `Classify the request that follows. Answer with exactly one of these labels and nothing else: ${classifier.labels.join(', ')}.`,
      },
      { role: 'user', content: question },
    ],
    params: { maxTokens: classifierMaxTokens, temperature: 0 },
  };
  const worst =
    classifier.provider.knownCostUsd?.(asked) ??
    costUsd(classifier.pricing, byteBoundInputTokens(asked.messages), classifierMaxTokens);
  if (spending && !(await spending.reserve(worst)))
    return { model, costUsd: 0, latencyMs: 0, error: 'the budget cannot cover asking the classifier' };
  // As for a tier: a retry after a try that may have been billed first holds that try's worst case too.
  let reserved = worst;
  const beforeRetry = async (error: unknown): Promise<boolean> => {
    if (!spending || !mayHaveBeenBilled(error)) return true;
    if (!(await spending.reserve(worst))) return false;
    reserved += worst;
    return true;
  };
  const started = performance.now();
  try {
    const completion = await classifier.provider.complete(asked, { ...(signal && { signal }), beforeRetry });
    const cost = completion.costUsd + (completion.possiblyBilledTries ?? 0) * worst;
    spending?.settle(reserved, cost);
    const label = labelOf(completion.text, classifier.labels);
    return {
      model,
      costUsd: cost,
      latencyMs: completion.latencyMs,
      ...(label !== undefined
        ? { label }
        : { error: `the answer "${completion.text.slice(0, 60)}" names none of ${classifier.labels.join(', ')}` }),
    };
  } catch (error) {
    // Tries that timed out or broke off may have been billed: each counts its worst case, as a tier's do;
    // an aborted call counts what it held.
    const billed = signal?.aborted
      ? reserved
      : error instanceof RetriesExhaustedError
        ? Math.min(reserved, error.possiblyBilledTries * worst)
        : 0;
    spending?.settle(reserved, billed);
    if (signal?.aborted) throw error;
    // A classifier that cannot answer costs the rule, never the item: the rule does not hold.
    const cause = error instanceof RetriesExhaustedError ? error.lastError : error;
    return {
      model,
      costUsd: billed,
      latencyMs: tracedMs(classifier.provider, started),
      error: cause instanceof Error ? cause.message : String(cause),
    };
  }
}

/** Asks each classifier at most once per item, when a rule first needs it. */
class Classifications {
  readonly asked = new Map<RouteClassifier, Promise<Classification>>();

  constructor(
    private readonly request: CascadeRequest,
    private readonly signal: AbortSignal | undefined,
    private readonly spending: ClassifierSpending | undefined,
  ) {}

  of(classifier: RouteClassifier): Promise<Classification> {
    let asked = this.asked.get(classifier);
    if (!asked) {
      asked = classify(classifier, this.request, this.signal, this.spending);
      this.asked.set(classifier, asked);
    }
    return asked;
  }
}

async function holds(condition: RouteCondition, request: CascadeRequest, asked: Classifications): Promise<boolean> {
  if (condition.hasSchema !== undefined && (request.outputSchema !== undefined) !== condition.hasSchema) return false;
  if (condition.hasTools !== undefined && Boolean(request.tools?.length) !== condition.hasTools) return false;
  if (condition.matches && !condition.matches(lastUserMessage(request))) return false;
  if (condition.minTokens !== undefined || condition.maxTokens !== undefined) {
    // The tokenizer only for rules that ask about length.
    const tokens = countMessageTokens(request.messages);
    if (condition.minTokens !== undefined && tokens < condition.minTokens) return false;
    if (condition.maxTokens !== undefined && tokens > condition.maxTokens) return false;
  }
  // The paid check last: a rule the free conditions already refuse asks no model.
  if (condition.classifier) {
    const { label } = await asked.of(condition.classifier.classify);
    if (label === undefined || !condition.classifier.is.includes(label)) return false;
  }
  return true;
}

export interface Routed {
  tiers: readonly Tier[];
  /** The rule that chose the tiers (the first that matches), if any. */
  rule?: RouteRule;
  /** What the classifiers said, when a rule asked one (whether or not its rule matched). */
  classifications: Classification[];
}

/** The tiers a request runs on, the rule that chose them, and what asking classifiers cost. */
export async function routeTiers(
  rules: readonly RouteRule[],
  tiers: readonly Tier[],
  request: CascadeRequest,
  signal?: AbortSignal,
  spending?: ClassifierSpending,
): Promise<Routed> {
  const asked = new Classifications(request, signal, spending);
  const classifications = async () => Promise.all(asked.asked.values());
  for (const rule of rules) {
    if (!(await holds(rule.when, request, asked))) continue;
    if (rule.only)
      return {
        tiers: tiers.filter((tier) => rule.only!.includes(tier.name)),
        rule,
        classifications: await classifications(),
      };
    const start = tiers.findIndex((tier) => tier.name === rule.start);
    return { tiers: start >= 0 ? tiers.slice(start) : tiers, rule, classifications: await classifications() };
  }
  return { tiers, classifications: await classifications() };
}
