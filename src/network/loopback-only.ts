import { isIP } from 'node:net';
import { OfflineViolationError } from '../errors/index.js';

/** Hosts that never leave this machine: `localhost`, 127.0.0.0/8 and ::1. Names are not resolved. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
  return false;
}

/** The host of a URL-ish string, for the check; `undefined` when it does not parse. */
export function hostOf(address: string): string | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`).hostname;
  } catch {
    return undefined;
  }
}

/** Whether a URL (or host:port) points at this machine. */
export function isLoopbackAddress(address: string): boolean {
  const host = hostOf(address);
  return host !== undefined && isLoopbackHost(host);
}

/**
 * Wrap a `fetch` so it refuses, before any connection, every host that is not loopback. Offline mode
 * hands this to every SDK, so no code path of a provider can reach the network.
 */
export function loopbackOnlyFetch(inner: typeof fetch, label: string): typeof fetch {
  return (input, init) => {
    const address = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!isLoopbackAddress(address)) {
      return Promise.reject(
        new OfflineViolationError(
          `${label}: offline mode refused a call to ${hostOf(address) ?? address}; only loopback hosts (127.0.0.1, ::1, localhost) are allowed. Point the tier at a local server, or run without --offline.`,
        ),
      );
    }
    return inner(input, init);
  };
}
