import { pathToFileURL } from 'node:url';
import type { Gate } from '../src/spec/gate.js';

/**
 * Load a gate from a module. Its default export (or a named `gate` export) is either a Gate or a
 * function that takes the `options` of the cascade file and returns one.
 */
export async function loadCustomGate(modulePath: string, options: Record<string, unknown> = {}): Promise<Gate> {
  const loaded = (await import(pathToFileURL(modulePath).href)) as { default?: unknown; gate?: unknown };
  const exported = loaded.default ?? loaded.gate;
  const gate = typeof exported === 'function' ? await (exported as (options: Record<string, unknown>) => unknown)(options) : exported;
  if (!isGate(gate)) {
    throw new TypeError(`${modulePath} must export (as default or \`gate\`) an object with a \`name\` and a \`check(input)\` method, or a function returning one`);
  }
  return { ...gate, specificationVersion: 'v1', costRank: gate.costRank ?? 5 };
}

type UserGate = Omit<Gate, 'specificationVersion' | 'costRank'> & Partial<Pick<Gate, 'costRank'>>;

function isGate(value: unknown): value is UserGate {
  return typeof value === 'object' && value !== null && typeof (value as UserGate).check === 'function' && typeof (value as UserGate).name === 'string';
}
