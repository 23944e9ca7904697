import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';

const require = createRequire(import.meta.url);
let ajv: Ajv2020 | undefined;

/**
 * The one Ajv (draft 2020-12) the gates compile schemas with, loaded by the first gate that needs it
 * rather than when the library loads.
 */
export function schemaValidator(): Ajv2020 {
  if (!ajv) {
    const { Ajv2020: Validator } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    ajv = new Validator({ allErrors: true, strict: false });
  }
  return ajv;
}
