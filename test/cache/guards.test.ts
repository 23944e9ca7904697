import { describe, expect, it } from 'vitest';
import { refusingGuard, namedEntities, numbers, negations } from '../../src/cache/guards.js';
import { embedLexically } from '../../src/embed/lexical-embedder.js';
import { dotProduct } from '../../src/spec/embedder.js';

const cosine = (a: string, b: string) => dotProduct(embedLexically(a), embedLexically(b));

/**
 * Each pair below is a failure reported against a semantic cache, or the shape of one: the two
 * questions embed close together (the first assertion shows it) and a cache served one's answer for
 * the other. The guard named must refuse it.
 */
const mustRefuse: [string, string, string, string][] = [
  // GPTCache #694: a question and its polarity reversal score far above the threshold.
  [
    'Is it safe to take ibuprofen with alcohol?',
    'Is it not safe to take ibuprofen with alcohol?',
    'negation',
    'GPTCache #694',
  ],
  [
    'Does the premium plan include phone support?',
    "Doesn't the premium plan include phone support?",
    'negation',
    'GPTCache #694',
  ],
  ['Which laptops have a backlit keyboard?', 'Which laptops have no backlit keyboard?', 'negation', 'GPTCache #694'],
  ['Should I buy Tesla stock now?', 'Should I sell Tesla stock now?', 'content', 'GPTCache #694 (antonym)'],
  // semantic-router #36: requests that differ by one number produce completely different results.
  ['What is 17 times 23?', 'What is 17 times 24?', 'numbers', 'vllm semantic-router #36'],
  ['Convert 100 USD to EUR', 'Convert 1,000 USD to EUR', 'numbers', 'vllm semantic-router #36'],
  ['Refund order 48213 please', 'Refund order 48231 please', 'numbers', 'vllm semantic-router #36'],
  [
    'What are ancient folk tales?',
    'What are the ten most ancient folk tales?',
    'numbers',
    'QQP dev, a labelled non-duplicate',
  ],
  ['Book a table for two at 7pm', 'Book a table for four at 7pm', 'numbers', 'changed number word'],
  // Dates.
  ['What is the weather in Paris tomorrow?', 'What is the weather in Paris today?', 'dates', 'changed day'],
  ['Show my invoices from March', 'Show my invoices from May', 'dates', 'changed month'],
  // GPTCache #388: "what function of TV is" was answered with the answer about money.
  ['can you explain what function of TV is ?', 'what is the function of money ?', 'entities', 'GPTCache #388'],
  ['How do I reset my password on Windows?', 'How do I reset my password on macOS?', 'entities', 'changed product'],
  ['What is the capital of Australia?', 'What is the capital of Austria?', 'entities', 'changed place'],
  // Swapped roles: the same names, the opposite question.
  ['Transfer $50 from Alice to Bob', 'Transfer $50 from Bob to Alice', 'entities', 'swapped entities'],
  ['Did Germany beat Brazil in 2014?', 'Did Brazil beat Germany in 2014?', 'entities', 'swapped entities'],
  ['Is a dog faster than a cat?', 'Is a cat faster than a dog?', 'order', 'swapped roles, no names'],
  // LiteLLM #12234: unrelated queries matched one entry.
  ['Hello world', 'What is 1+1?', 'numbers', 'LiteLLM #12234'],
  ["How's the weather today?", 'Hello world', 'dates', 'LiteLLM #12234'],
  // Asked differently.
  [
    'When will Puerto Rico become a state?',
    'Should Puerto Rico become a state?',
    'question',
    'QQP dev, a labelled non-duplicate',
  ],
  ['Can Islam be reformed?', 'How can Islam be reformed?', 'question', 'QQP dev, a labelled non-duplicate'],
  [
    'What does it take to clean up a river?',
    'What does it take to clean a river?',
    'content',
    'QQP dev, a labelled non-duplicate',
  ],
  // Symbols the local embedder scored 1.0 and every other guard let through (issue 14).
  ['What is 12 + 7?', 'What is 12 - 7?', 'symbols', 'operator'],
  ['What is 12 + 7?', 'What is 12 * 7?', 'symbols', 'operator'],
  ['What is 12 + 7?', 'What is 12 / 7?', 'symbols', 'operator'],
  ['Is -5 greater than 3?', 'Is 5 greater than 3?', 'symbols', 'sign of a number'],
  ['Does the plan cost $49?', 'Does the plan cost €49?', 'symbols', 'currency'],
  ['Is x > 10 here?', 'Is x < 10 here?', 'symbols', 'comparison'],
  ['Is a == b in JavaScript?', 'Is a === b in JavaScript?', 'symbols', 'equality operator'],
  ['Is this plan good for me?', 'Is this plan good for them?', 'symbols', 'person'],
];

const mustPass: [string, string][] = [
  ['How do I reset my password?', 'how do i reset my password'],
  ['Can you tell me how to reset my password, please?', 'How to reset my password?'],
  ['What is the refund policy for annual plans?', 'What is the refund policy for annual plans ?'],
  ['Is it safe to take ibuprofen with alcohol?', 'Is it safe to take ibuprofen with alcohol'],
  ['Convert 100 USD to EUR', 'convert 100 usd to eur please'],
  ['How do I export my data to CSV?', 'How can I export my data to CSV?'],
  ['What is 10 - 3?', 'what is 10-3'],
  ['How do I change my e-mail address?', 'How do I change my email address?'],
];

describe('cache guards refuse the hits semantic caches are known to get wrong', () => {
  it.each(mustRefuse)('%s / %s: %s refuses (%s)', (query, candidate, guard) => {
    const verdict = refusingGuard(query, candidate);
    expect(verdict?.guard).toBe(guard);
    expect(refusingGuard(candidate, query)).toBeDefined();
  });

  it('the refused pairs are close to the embedder: similarity alone would have served most of them', () => {
    const close = mustRefuse.filter(([query, candidate]) => cosine(query, candidate) >= 0.8);
    expect(close.length).toBeGreaterThanOrEqual(9);
  });

  it.each(mustPass)('lets a rewording through: %s / %s', (query, candidate) => {
    expect(refusingGuard(query, candidate)).toBeUndefined();
  });

  it('reads negations, numbers and names the way the guards compare them', () => {
    expect(negations("I can't log in and it never loads")).toEqual(['never', 'not']);
    expect(numbers('Order 1,200 units at 3.5% for twelve months, the 2nd time')).toEqual(['1200', '3.5%', '12', '2']);
    // A number word counts only as a whole run of letters: not inside "someone" or "tenth", but before a digit.
    expect(numbers('Someone asked for the tenth, then one2 and Twice 5k')).toEqual(['1', '2', '2', '5k']);
    expect(namedEntities('What did Alice tell Bob about the iPhone 15? Then GPT-4o answered.')).toEqual([
      'alice',
      'bob',
      'iphone',
      'gpt-4o',
    ]);
  });
});
