import { pathToFileURL } from 'node:url';
import { GateError } from '../src/errors/index.js';
import type { Gate } from '../src/spec/gate.js';

/**
 * Load a gate from a module. Its default export (or a named `gate` export) is either a Gate or a
 * function that takes the `options` of the cascade file and returns one.
 */
export async function loadCustomGate(modulePath: string, options: Record<string, unknown> = {}): Promise<Gate> {
  const loaded = (await import(pathToFileURL(modulePath).href)) as { default?: unknown; gate?: unknown };
  const exported = loaded.default ?? loaded.gate;
  const gate =
    typeof exported === 'function'
      ? await (exported as (options: Record<string, unknown>) => unknown)(options)
      : exported;
  if (!isGate(gate)) {
    throw new TypeError(
      `${modulePath} must export (as default or \`gate\`) an object with a \`name\` and a \`check(input)\` method, or a function returning one`,
    );
  }
  // Delegate rather than spread: a gate written as a class keeps its methods on the prototype, which a
  // spread would drop (and `check` with them, so every item would silently escalate).
  const prepareRequest = gate.prepareRequest;
  const maxCostUsd = gate.maxCostUsd;
  return {
    specificationVersion: 'v1',
    name: gate.name,
    costRank: gate.costRank ?? 5,
    ...(gate.threshold !== undefined && { threshold: gate.threshold }),
    check: async (input, checkOptions) => {
      const verdict = await gate.check(input, checkOptions);
      if (typeof verdict !== 'object' || verdict === null || typeof verdict.pass !== 'boolean') {
        throw new GateError(
          `custom gate "${gate.name}" (${modulePath}) returned ${JSON.stringify(verdict) ?? String(verdict)} instead of a verdict { pass: boolean, reason: string }`,
          { gate: gate.name },
        );
      }
      return verdict;
    },
    ...(prepareRequest && {
      prepareRequest: (request: Parameters<typeof prepareRequest>[0]) => prepareRequest.call(gate, request),
    }),
    ...(maxCostUsd && {
      maxCostUsd: (request: Parameters<typeof maxCostUsd>[0], answerTokens: number) =>
        maxCostUsd.call(gate, request, answerTokens),
    }),
  };
}

type UserGate = Omit<Gate, 'specificationVersion' | 'costRank'> & Partial<Pick<Gate, 'costRank'>>;

function isGate(value: unknown): value is UserGate {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as UserGate).check === 'function' &&
    typeof (value as UserGate).name === 'string'
  );
}
