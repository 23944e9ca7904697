import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type LoadCascadeOptions, loadCascadeFile, readCascadeYaml } from '../config/load-cascade.js';
import type { Cascade } from '../engine/cascade.js';
import { ConfigError } from '../errors/index.js';
import type { ServerKey } from './server-keys.js';

/** The cascades a `cascade serve` target holds: one file, or every .yaml/.yml in a folder, by name and file name. */
export async function loadServedCascades(target: string, options: LoadCascadeOptions): Promise<Map<string, Cascade>> {
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((name) => /\.ya?ml$/.test(name) && !/^server\.ya?ml$/.test(name))
        .sort()
        .map((name) => join(target, name))
    : [target];
  if (files.length === 0) throw new ConfigError(`${target}: no cascade files (.yaml) to serve`, { file: target });
  const cascades = new Map<string, Cascade>();
  for (const file of files) {
    const cascade = await loadCascadeFile(file, options);
    for (const name of new Set([cascade.name, basename(file, extname(file))])) {
      if (cascades.has(name)) {
        throw new ConfigError(`${file}: the name "${name}" is taken by another cascade in ${target}`, {
          file,
          field: 'name',
        });
      }
      cascades.set(name, cascade);
    }
  }
  return cascades;
}

/** `keys:` of a server file (`server.yaml` in the folder, or `--keys <file>`): name, sha256 or env, dailyUsd. */
export async function loadServerKeys(file: string): Promise<ServerKey[]> {
  const raw = (await readCascadeYaml(file)) as { keys?: unknown };
  if (!Array.isArray(raw?.keys))
    throw new ConfigError(`${file}: keys: expected a list of { name, sha256 | env, dailyUsd }`, {
      file,
      field: 'keys',
    });
  return raw.keys.map((entry, index) => {
    const key = (entry ?? {}) as Record<string, unknown>;
    const where = `${file}: keys[${index}]`;
    if (typeof key['name'] !== 'string') throw new ConfigError(`${where}.name: required`, { file, field: 'name' });
    if (typeof key['sha256'] !== 'string' && typeof key['env'] !== 'string') {
      throw new ConfigError(
        `${where}: give \`sha256\` (the key's SHA-256, hex) or \`env\` (a variable holding the key); never the key itself`,
        { file, field: 'sha256' },
      );
    }
    if (typeof key['sha256'] === 'string' && !/^[0-9a-f]{64}$/i.test(key['sha256'])) {
      throw new ConfigError(`${where}.sha256: expected 64 hex digits`, { file, field: 'sha256' });
    }
    if (key['dailyUsd'] !== undefined && !(typeof key['dailyUsd'] === 'number' && key['dailyUsd'] >= 0)) {
      throw new ConfigError(`${where}.dailyUsd: expected a number of at least 0`, { file, field: 'dailyUsd' });
    }
    return {
      name: key['name'],
      ...(typeof key['sha256'] === 'string' && { sha256: key['sha256'].toLowerCase() }),
      ...(typeof key['env'] === 'string' && { env: key['env'] }),
      ...(typeof key['dailyUsd'] === 'number' && { dailyUsd: key['dailyUsd'] }),
    };
  });
}
