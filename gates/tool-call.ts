import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';
import type { ToolDefinition } from '../src/spec/tools.js';
import { schemaValidator } from './schema-validator.js';
import { plural } from '../src/common/plural.js';

export interface ToolCallGateOptions {
  /** Fail an answer that calls no tool. @default false */
  require?: boolean;
  /** Fail an answer that calls any tool. @default false */
  forbid?: boolean;
}

// One set of compiled validators per tool list, however many items and tiers check against it.
const compiled = new WeakMap<readonly ToolDefinition[], Map<string, ValidateFunction>>();

function validatorsFor(tools: readonly ToolDefinition[]): Map<string, ValidateFunction> {
  let validators = compiled.get(tools);
  if (!validators) {
    const ajv = schemaValidator();
    validators = new Map(tools.map((tool) => [tool.name, ajv.compile(tool.parameters)]));
    compiled.set(tools, validators);
  }
  return validators;
}

/**
 * Passes when every tool call of the answer names a tool the request offered and its arguments satisfy
 * that tool's JSON schema: the cheap model's usual failure in an agent step (a made-up tool, or arguments
 * that would break the tool) is caught before the call is acted on, and the step escalates.
 */
export function createToolCallGate(options: ToolCallGateOptions = {}): Gate {
  return {
    specificationVersion: 'v1',
    name: 'tool-call',
    costRank: 2,
    async check(input: GateInput): Promise<GateVerdict> {
      const calls = input.completion.toolCalls ?? [];
      if (options.forbid && calls.length > 0) {
        return {
          pass: false,
          reason: `calls ${calls.map((call) => call.name).join(', ')} where no tool call is allowed`,
        };
      }
      if (calls.length === 0) {
        return options.require
          ? { pass: false, reason: 'calls no tool where one is required' }
          : { pass: true, reason: 'no tool call' };
      }
      const tools = input.request.tools ?? [];
      const validators = validatorsFor(tools);
      for (const call of calls) {
        const validate = validators.get(call.name);
        if (!validate) {
          return {
            pass: false,
            reason: `calls "${call.name}", which is not one of the tools offered (${tools.map((tool) => tool.name).join(', ') || 'none'})`,
          };
        }
        if (typeof call.arguments !== 'object' || call.arguments === null) {
          return {
            pass: false,
            reason: `"${call.name}" has arguments that are not a JSON object: ${JSON.stringify(call.arguments)}`,
          };
        }
        if (!validate(call.arguments)) {
          const issue = validate.errors?.[0];
          return {
            pass: false,
            reason:
              `"${call.name}" arguments break its schema: ${issue?.instancePath || '(root)'} ${issue?.message ?? ''}`.trim(),
          };
        }
      }
      return {
        pass: true,
        reason: `${plural(calls.length, 'tool call')} that match the tools offered`,
      };
    },
  };
}
