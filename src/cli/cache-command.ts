import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CacheStore, storeFileName } from '../cache/cache-store.js';
import { parseCascadeConfig, readCascadeYaml } from '../config/load-cascade.js';
import { ConfigError } from '../errors/index.js';
import type { CliIo } from './io.js';

export interface CacheCommandOptions {
  namespace?: string;
}

/** The store folder a `cache` command works on: a folder given as is, or the `cache.store` of a cascade file. */
export async function storeFolderOf(target: string): Promise<string> {
  if (existsSync(target) && statSync(target).isDirectory()) {
    if (!existsSync(join(target, storeFileName)))
      throw new ConfigError(
        `${target}: no cache store here (no ${storeFileName}). Name the folder a cascade's \`cache.store\` points at, or the cascade file.`,
      );
    return target;
  }
  const config = await parseCascadeConfig(await readCascadeYaml(target), target);
  const store = config.cache?.store;
  if (!store)
    throw new ConfigError(
      `${target}: cache.store: this cascade's cache ${config.cache ? 'lives in memory only' : 'is not set'}; add \`cache: { store: .cascade/cache }\` for one that persists.`,
      { file: target, field: 'cache.store' },
    );
  return resolve(dirname(resolve(target)), store);
}

/** `cascade cache stats|clear|export <cascade.yaml | store folder>`. */
export async function cacheCommand(
  action: 'stats' | 'clear' | 'export',
  target: string,
  options: CacheCommandOptions,
  io: CliIo,
): Promise<number> {
  const folder = await storeFolderOf(target);
  const store = new CacheStore(folder, (message) => io.stderr(`cascade: ${message}\n`));
  try {
    if (action === 'stats') {
      const rows = store
        .stats()
        .filter((row) => options.namespace === undefined || row.namespace === options.namespace);
      io.stdout(`store: ${store.file}\n`);
      if (rows.length === 0) io.stdout('no entries\n');
      for (const row of rows) {
        const span = `${new Date(row.oldest).toISOString()} .. ${new Date(row.newest).toISOString()}`;
        io.stdout(
          `${row.namespace}: ${row.entries} entries (${row.semantic} with vectors), ${row.hits} hits served, ${row.expired} expired, stored ${span}\n`,
        );
      }
    } else if (action === 'clear') {
      const removed = store.clear(options.namespace);
      io.stdout(
        `removed ${removed} entries${options.namespace === undefined ? '' : ` of namespace ${options.namespace}`} from ${store.file}\n`,
      );
    } else {
      for (const entry of store.entries(options.namespace)) {
        const { answer, createdAt, expiresAt, ...rest } = entry;
        io.stdout(
          `${JSON.stringify({ ...rest, ...answer, createdAt: new Date(createdAt).toISOString(), ...(expiresAt !== undefined && { expiresAt: new Date(expiresAt).toISOString() }) })}\n`,
        );
      }
    }
  } finally {
    store.close();
  }
  return 0;
}
