import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Start a test server on 127.0.0.1 at a free port. `close` also drops keep-alive connections, which
 * `server.close()` alone would wait on, so a test's teardown never hangs.
 */
export async function listenOnLoopback(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
