import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { z } from 'zod';
import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';
import type { CascadeRequest } from '../src/spec/request.js';
import { extractJson } from './extract-json.js';
import { schemaValidator } from './schema-validator.js';

export interface JsonSchemaGateOptions {
  /** A JSON schema object, or a zod schema (converted with `z.toJSONSchema`). */
  schema: Record<string, unknown> | z.ZodType;
}

// zod is loaded by the first json-schema gate given a zod schema, not when the library loads.
const require = createRequire(import.meta.url);

/** A zod schema (v4 marks its schemas with `_zod`), converted with its own `z.toJSONSchema`. */
const isZodSchema = (schema: unknown): schema is z.ZodType =>
  typeof schema === 'object' && schema !== null && '_zod' in schema;

/**
 * Passes when the answer holds JSON that satisfies the schema; the parsed value goes into the result.
 * It also puts the schema on the request, so providers with structured output (OpenAI, Ollama) use it.
 */
export function createJsonSchemaGate(options: JsonSchemaGateOptions): Gate {
  const schema = isZodSchema(options.schema)
    ? ((require('zod') as typeof import('zod')).z.toJSONSchema(options.schema) as Record<string, unknown>)
    : options.schema;
  // Ajv2020 reads draft 2020-12; a `$schema` naming another draft would make it refuse the schema.
  const { $schema: _draft, ...body } = schema;
  let validate: ValidateFunction;
  try {
    validate = schemaValidator().compile(body);
  } catch (error) {
    throw new Error(`json-schema gate: the schema does not compile: ${(error as Error).message}`);
  }
  return {
    specificationVersion: 'v1',
    name: 'json-schema',
    costRank: 2,
    prepareRequest(request: CascadeRequest): CascadeRequest {
      if (request.outputSchema) return request;
      // Copied, then set: see src/common/copy-with.ts.
      const prepared = Object.assign({}, request);
      prepared.outputSchema = body;
      return prepared;
    },
    async check(input: GateInput): Promise<GateVerdict> {
      const found = extractJson(input.text);
      if (!found) return { pass: false, score: 0, reason: 'the answer holds no JSON' };
      if (!validate(found.value)) {
        const problems = (validate.errors ?? [])
          .slice(0, 3)
          .map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''}`.trim());
        return { pass: false, score: 0, reason: `JSON does not match the schema: ${problems.join('; ')}` };
      }
      return { pass: true, score: 1, reason: 'valid JSON', value: found.value };
    },
  };
}
