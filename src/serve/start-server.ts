import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createServeApp, type ServeOptions } from './serve-app.js';

export interface RunningServer {
  url: string;
  /** Stop accepting connections and resolve once the requests in flight have finished. */
  close(): Promise<void>;
}

/** The API on a port of `host` (127.0.0.1 by default; port 0 picks a free one). */
export function startServer(options: ServeOptions & { host?: string; port?: number }): Promise<RunningServer> {
  const app = createServeApp(options);
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host ?? '127.0.0.1', port: options.port ?? 8787 },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              // Connections go idle as their requests finish; idle keep-alive ones would hold close()
              // open for the keep-alive timeout, so they are closed as they appear.
              const sweep = setInterval(() => server.closeIdleConnections(), 25);
              server.close(() => {
                clearInterval(sweep);
                done();
              });
              server.closeIdleConnections();
            }),
        });
      },
    ) as Server;
    server.once('error', reject);
  });
}
