import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SqliteKeySpend } from '../serve/sqlite-key-spend.js';
import { loadServedCascades, loadServerKeys } from '../serve/load-served.js';
import { startServer } from '../serve/start-server.js';
import { ConfigError } from '../errors/index.js';
import type { CliIo } from './io.js';
import { numberOption } from './number-option.js';
import { loadOptionsFrom, type SourceOptions } from './source-options.js';

export interface ServeCommandOptions extends SourceOptions {
  host?: string;
  port?: string;
  keys?: string;
  record?: string;
  /** Where the keys' daily spend is kept (SQLite). */
  spendStore?: string;
}

/**
 * `cascade serve <cascade.yaml | folder>`: the cascades as an OpenAI-compatible API until SIGINT or
 * SIGTERM, which stop accepting requests and let those in flight finish.
 */
export async function serveCommand(
  target: string,
  options: ServeCommandOptions,
  io: CliIo,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  if (options.record !== undefined) {
    throw new ConfigError('`--record` is for `run` and `ask`; `serve` does not record', { field: '--record' });
  }
  const port = numberOption('port', options.port, { min: 0, max: 65535, integer: true }) ?? 8787;
  const cascades = await loadServedCascades(
    target,
    loadOptionsFrom(options, io.env, false, (message) => io.stderr(`cascade: ${message}\n`)),
  );
  for (const cascade of new Set(cascades.values())) cascade.checkEnvironment(io.env);
  const folderKeys = statSync(target).isDirectory() ? join(target, 'server.yaml') : undefined;
  const keysFile = options.keys ?? (folderKeys && existsSync(folderKeys) ? folderKeys : undefined);
  const keys = keysFile ? await loadServerKeys(keysFile) : [];
  // Daily budgets must survive a restart: the spend of keys with one is kept beside their file.
  const spendFile =
    options.spendStore ??
    (keysFile && keys.some((key) => key.dailyUsd !== undefined)
      ? join(dirname(keysFile), 'server-spend.sqlite')
      : undefined);
  const spend = spendFile ? new SqliteKeySpend(resolve(spendFile)) : undefined;
  const server = await startServer({
    cascades,
    keys,
    ...(spend && { spend }),
    env: io.env,
    host: options.host ?? '127.0.0.1',
    port,
    log: (line) => io.stderr(`${line}\n`),
  });
  io.stdout(
    `serving ${[...cascades.keys()].join(', ')} on ${server.url}/v1 (${keys.length > 0 ? `${keys.length} keys` : 'no keys: loopback clients only'}${spend ? `; daily spend kept in ${spend.file}` : ''})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (name: string) => {
      io.stderr(`${name}: no new requests; finishing those in flight\n`);
      signals.off('SIGINT', onInterrupt);
      signals.off('SIGTERM', onTerminate);
      void server.close().then(resolve);
    };
    const onInterrupt = () => stop('SIGINT');
    const onTerminate = () => stop('SIGTERM');
    signals.on('SIGINT', onInterrupt);
    signals.on('SIGTERM', onTerminate);
  });
  for (const cascade of new Set(cascades.values())) cascade.close();
  spend?.close();
  return 0;
}
