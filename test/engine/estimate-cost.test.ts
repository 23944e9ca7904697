import { describe, expect, it } from 'vitest';
import { countTokens } from '../../src/tokens/count-tokens.js';

describe('the byte ceiling used by the budget check', () => {
  it('is never below the o200k token count, for ASCII, accented, CJK, emoji and random text', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const alphabets = ['abc def ghi, 123.', 'éàüß ñç', '漢字かなカナ한국어', '🙂🚀👍🏽', '{"k": [1, 2]}\n```'];
    for (let sample = 0; sample < 300; sample++) {
      let text = '';
      const length = Math.floor(random() * 200);
      for (let index = 0; index < length; index++) {
        const alphabet = [...alphabets[Math.floor(random() * alphabets.length)]!];
        text += alphabet[Math.floor(random() * alphabet.length)];
      }
      expect(countTokens(text)).toBeLessThanOrEqual(Buffer.byteLength(text, 'utf8'));
    }
  });
});
