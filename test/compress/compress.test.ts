import { afterEach, describe, expect, it } from 'vitest';
import { compressText } from '../../src/compress/compress-messages.js';
import { splitSegments } from '../../src/compress/segments.js';
import { createCascade } from '../../src/config/load-cascade.js';
import { countTokens } from '../../src/tokens/count-tokens.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { openAIChat } from '../helpers/wire.js';

const user = (content: string) => [{ role: 'user' as const, content }];
const compress = (content: string, steps: Parameters<typeof compressText>[1]) =>
  compressText(user(content), steps)[0]!.content;

const winogrande = [
  'Please answer with the letter of the correct answer.',
  '',
  'Ian volunteered to eat Dennis\'s menudo after already having a bowl because _ despised eating intestine.\nA) Ian\nB) Dennis\nPrint only a single choice  from "A" or "B" without explanation. Answer:\nB',
  '',
  'Please answer with the letter of the correct answer.',
  '',
  'He never comes to my home, but I always go to his house because the _ is smaller.\nA) home\nB) house\nPrint only a single choice  from "A" or "B" without explanation. Answer:\nA',
  '',
  'Please answer with the letter of the correct answer.',
  '',
  'The drink was rich in caffeine and low in sugar because the _ was not enough to keep him awake at home.\nA) caffeine\nB) sugar\nPrint only a single choice  from "A" or "B" without explanation. Answer:\nA',
  '',
  'Please answer with the letter of the correct answer.',
  '',
  'Kyle doesn\'t wear leg warmers to bed, while Logan almost always does. _ is more likely to live in a colder climate.\nA) Kyle\nB) Logan\nPrint only a single choice  from "A" or "B" without explanation. Answer:\nB',
  '',
  'The coffee was strong and the sugar was low because the _ was meant to keep him awake.\nA) coffee\nB) sugar\nPrint only a single choice  from "A" or "B" without explanation. Answer:',
].join('\n');

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

describe('prompt compression', () => {
  it('whitespace: collapses spaces and blank lines, strips markup, keeps indentation', () => {
    const text = 'Hello   <b>world</b>&nbsp;!  \n\n\n\n<p>Next</p>   line\n    indented   code-like\n\nQuestion?';
    expect(compress(text, [{ type: 'whitespace', markup: true }])).toBe(
      'Hello world !\n\nNext\nline\n    indented code-like\n\nQuestion?',
    );
  });

  it('never changes protected spans: code blocks, JSON, <keep> regions, and the final question', () => {
    const code = '```python\ndef  f( x ):\n\n\n    return  x\n```';
    const json = '{\n  "a":   1,\n  "b": [1,   2]\n}';
    const text = `Context  with   spaces.\n\n${code}\n\n${json}\n\n<keep>Keep   this    exactly.</keep>\n\nWhat does   f do?`;
    const out = compress(text, [
      { type: 'whitespace', markup: true },
      { type: 'dedupe' },
      { type: 'extract', maxTokens: 5 },
    ]);
    expect(out).toContain(code);
    expect(out).toContain(json);
    expect(out).toContain('Keep   this    exactly.');
    expect(out).not.toContain('<keep>');
    expect(out.endsWith('What does   f do?')).toBe(true);
    expect(
      splitSegments(text)
        .filter((segment) => segment.protected)
        .map((segment) => segment.text.trim()),
    ).toEqual([code, json, 'Keep   this    exactly.']);
  });

  it('dedupe: drops repeated instruction lines and sentences, keeps short structural lines', () => {
    const out = compress(winogrande, [{ type: 'dedupe' }]);
    expect(out.match(/Please answer with the letter/g)).toHaveLength(1);
    expect(out.match(/^B$/gm)).toHaveLength(2);
    // Worked examples stay whole: their repeated lines are the template.
    expect(out.match(/Print only a single choice/g)).toHaveLength(5);
    const sentences = compress(
      'The office is closed on Sundays. Call us on weekdays.\nNote: the office is closed on Sundays. Email works too.\n\nWhen can I call?',
      [{ type: 'dedupe' }],
    );
    expect(sentences).toBe(
      'The office is closed on Sundays. Call us on weekdays.\nNote: the office is closed on Sundays. Email works too.\n\nWhen can I call?',
    );
    const repeated = compress(
      'The office is closed on Sundays and public holidays. Call us on weekdays.\nThe office is closed on Sundays and public holidays. Email works too.\n\nWhen can I call?',
      [{ type: 'dedupe' }],
    );
    expect(repeated).toBe(
      'The office is closed on Sundays and public holidays. Call us on weekdays.\nEmail works too.\n\nWhen can I call?',
    );
  });

  it('few-shot: keeps the k examples most like the question, in order, and the question itself', () => {
    const out = compress(winogrande, [{ type: 'dedupe' }, { type: 'few-shot', keep: 1 }]);
    expect(out).toContain('The drink was rich in caffeine');
    expect(out).not.toContain('Ian volunteered');
    expect(out).not.toContain('Kyle');
    expect(out.endsWith('B) sugar\nPrint only a single choice  from "A" or "B" without explanation. Answer:')).toBe(
      true,
    );
    expect(countTokens(out)).toBeLessThan(countTokens(winogrande) / 2);
    expect(compress(winogrande, [{ type: 'few-shot', keep: 10 }])).toBe(winogrande);
  });

  it('extract: keeps the sentences that answer the question within the token budget', () => {
    const filler = Array.from(
      { length: 40 },
      (_, index) => `Section ${index} describes the history of the company and its offices in general terms.`,
    ).join(' ');
    const text = `${filler} Refunds for annual plans are paid within 14 days of the request. ${filler}\n\nHow many days until a refund for an annual plan is paid?`;
    const out = compress(text, [{ type: 'extract', maxTokens: 60 }]);
    expect(out).toContain('Refunds for annual plans are paid within 14 days of the request.');
    expect(countTokens(out.slice(0, out.lastIndexOf('\n\n')))).toBeLessThanOrEqual(60);
    expect(out.endsWith('\n\nHow many days until a refund for an annual plan is paid?')).toBe(true);
  });

  it('runs before each tier, per tier, and the trace records tokens before, after and the cost saved', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('A', { promptTokens: 50 }) }));
    const endpoint = {
      provider: 'openai',
      baseURL: `${server.url}/v1`,
      pricing: { inputPerMTok: 10, outputPerMTok: 30 },
    };
    const cascade = await createCascade({
      name: 'c',
      compress: [{ type: 'whitespace' }],
      tiers: [
        { name: 'cheap', model: 'small', ...endpoint, gates: [{ type: 'regex', pattern: '^B$' }] },
        {
          name: 'strong',
          model: 'large',
          ...endpoint,
          compress: [{ type: 'whitespace' }, { type: 'dedupe' }, { type: 'few-shot', keep: 1 }],
        },
      ],
    });
    const result = await cascade.run({ messages: user(winogrande) });
    const [cheap, strong] = result.trace;
    expect(cheap!.compression!.tokensAfter).toBeLessThan(cheap!.compression!.tokensBefore);
    expect(strong!.compression!.tokensAfter).toBeLessThan(cheap!.compression!.tokensAfter);
    expect(strong!.compression!.savedUsd).toBeCloseTo(
      ((strong!.compression!.tokensBefore - strong!.compression!.tokensAfter) * 10) / 1e6,
      12,
    );
    const sent = server.requests.map((request) => request.body.messages[0].content as string);
    expect(sent[0]).toContain('Ian volunteered');
    expect(sent[1]).not.toContain('Ian volunteered');
    expect(sent[1]!.length).toBeLessThan(sent[0]!.length);
  });
});

describe('extract leaves instructions alone', () => {
  it('compresses user context, never the system message', () => {
    const rules = Array.from(
      { length: 30 },
      (_, index) => `Rule ${index}: always answer in formal English and cite the policy section.`,
    ).join(' ');
    const context = Array.from(
      { length: 30 },
      (_, index) => `Paragraph ${index} covers unrelated office history.`,
    ).join(' ');
    const messages = [
      { role: 'system' as const, content: rules },
      { role: 'user' as const, content: `${context} Refunds take 14 days.\n\nHow long do refunds take?` },
    ];
    const [system, user] = compressText(messages, [{ type: 'extract', maxTokens: 20 }]);
    expect(system!.content).toBe(rules);
    expect(user!.content).toContain('Refunds take 14 days.');
    expect(user!.content.length).toBeLessThan(messages[1]!.content.length / 4);
  });
});
