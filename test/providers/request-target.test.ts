import { urlToHttpOptions } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requestTarget } from '../../src/providers/request-target.js';

describe('requestTarget, the parsed URL nodeHttpFetch sends to', () => {
  it('gives what node:http reads from the URL itself, for strings and URL objects alike', () => {
    for (const input of [
      'http://127.0.0.1:8080/v1/chat/completions',
      'https://api.openai.com/v1/chat/completions?api-version=1',
      'http://[::1]:11434/api/chat',
      'https://user:secret@example.com/v1/x',
    ]) {
      const node = urlToHttpOptions(new URL(input));
      for (const target of [requestTarget(input), requestTarget(new URL(input))]) {
        expect(target).toEqual({
          protocol: node.protocol,
          hostname: node.hostname,
          port: node.port,
          path: node.path,
          auth: node.auth,
          href: new URL(input).href,
        });
      }
    }
  });

  it('gives the same target for the same string, and throws on a string that is not a URL', () => {
    expect(requestTarget('http://127.0.0.1:1/a')).toBe(requestTarget('http://127.0.0.1:1/a'));
    expect(() => requestTarget('not a url')).toThrow(TypeError);
  });
});
