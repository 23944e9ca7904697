import { urlToHttpOptions } from 'node:url';
import { rememberRecent } from '../common/remember-recent.js';

/** Where a request goes, in the fields node:http reads from a URL (`urlToHttpOptions`), and the URL as fetch reports it. */
export interface RequestTarget {
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  auth: string | undefined;
  href: string;
}

/**
 * The target of a request to `input`. An SDK sends every call of a batch to the same URL string, so its
 * parse is kept (for the last 64 URLs; a batch calls one or two): a `new URL` per call, then node:http's
 * conversion of it to options (merged into the request's options by a copy), was a tenth of our fetch's
 * CPU per call at a batch's concurrency. Throws as `new URL` does on a string that is not a URL.
 */
export function requestTarget(input: string | URL): RequestTarget {
  return typeof input === 'string' ? parsedTarget(input) : targetOf(input);
}

const parsedTarget = rememberRecent((input: string) => targetOf(new URL(input)), 64);

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
