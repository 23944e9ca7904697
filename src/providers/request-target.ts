import { urlToHttpOptions } from 'node:url';

/** Where a request goes, in the fields node:http reads from a URL (`urlToHttpOptions`), and the URL as fetch reports it. */
export interface RequestTarget {
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  auth: string | undefined;
  href: string;
}

/** Past this many different URLs the cache starts again (a batch calls one or two). */
const maxCached = 64;
const cached = new Map<string, RequestTarget>();

/**
 * The target of a request to `input`. An SDK sends every call of a batch to the same URL string, so its
 * parse is kept: a `new URL` per call, then node:http's conversion of it to options (merged into the
 * request's options by a copy), was a tenth of our fetch's CPU per call at a batch's concurrency.
 * Throws as `new URL` does on a string that is not a URL.
 */
export function requestTarget(input: string | URL): RequestTarget {
  if (typeof input !== 'string') return targetOf(input);
  let target = cached.get(input);
  if (target === undefined) {
    target = targetOf(new URL(input));
    if (cached.size >= maxCached) cached.clear();
    cached.set(input, target);
  }
  return target;
}

function targetOf(url: URL): RequestTarget {
  const options = urlToHttpOptions(url);
  return {
    protocol: url.protocol,
    // Without the brackets of an IPv6 address, as node:http wants it.
    hostname: options.hostname ?? url.hostname,
    port: typeof options.port === 'number' ? options.port : undefined,
    path: options.path ?? `${url.pathname}${url.search}`,
    auth: options.auth ?? undefined,
    href: url.href,
  };
}
