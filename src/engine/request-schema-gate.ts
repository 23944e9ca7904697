import { createJsonSchemaGate } from '../../gates/json-schema.js';
import type { Gate } from '../spec/gate.js';
import type { CascadeRequest } from '../spec/request.js';

// One compiled gate per schema object: a served request's schema is checked on every tier it reaches.
const compiled = new WeakMap<Record<string, unknown>, Gate>();

/**
 * The gates a tier runs on a request: its own, and, when the request carries an output schema (an
 * OpenAI `response_format` through `cascade serve`) and the tier has no json-schema gate of its own, a
 * json-schema gate for that schema, so an answer that breaks what the caller asked for escalates.
 */
export function gatesFor(tierGates: readonly Gate[], request: CascadeRequest): readonly Gate[] {
  const schema = request.outputSchema;
  if (!schema || tierGates.some((gate) => gate.name === 'json-schema')) return tierGates;
  let gate = compiled.get(schema);
  if (!gate) {
    gate = createJsonSchemaGate({ schema });
    compiled.set(schema, gate);
  }
  return [gate, ...tierGates];
}
