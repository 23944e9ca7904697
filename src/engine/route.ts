import type { CascadeRequest } from '../spec/request.js';
import { countMessageTokens } from '../tokens/count-tokens.js';
import type { Tier } from './tier.js';

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

function holds(condition: RouteCondition, request: CascadeRequest): boolean {
  if (condition.hasSchema !== undefined && (request.outputSchema !== undefined) !== condition.hasSchema) return false;
  if (condition.hasTools !== undefined && Boolean(request.tools?.length) !== condition.hasTools) return false;
  if (condition.matches && !condition.matches(lastUserMessage(request))) return false;
  if (condition.minTokens !== undefined || condition.maxTokens !== undefined) {
    // The tokenizer only for rules that ask about length.
    const tokens = countMessageTokens(request.messages);
    if (condition.minTokens !== undefined && tokens < condition.minTokens) return false;
    if (condition.maxTokens !== undefined && tokens > condition.maxTokens) return false;
  }
  return true;
}

/** The tiers a request runs on, and the rule that chose them (the first that matches), if any. */
export function routeTiers(
  rules: readonly RouteRule[],
  tiers: readonly Tier[],
  request: CascadeRequest,
): { tiers: readonly Tier[]; rule?: RouteRule } {
  for (const rule of rules) {
    if (!holds(rule.when, request)) continue;
    if (rule.only) return { tiers: tiers.filter((tier) => rule.only!.includes(tier.name)), rule };
    const start = tiers.findIndex((tier) => tier.name === rule.start);
    return { tiers: start >= 0 ? tiers.slice(start) : tiers, rule };
  }
  return { tiers };
}
