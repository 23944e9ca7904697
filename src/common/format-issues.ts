import type { z } from 'zod';

/** `tiers[1].gates[0].min` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  const shown = json.length > 60 ? `${json.slice(0, 57)}...` : json;
  return `\`${shown}\` (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`;
}

/**
 * One line per problem: where it is, what was expected and what was found.
 * Example: `cascades/x.yaml: tiers[0].gates[1].min: Too big: expected number to be <=1, got `1.5` (number)`
 */
export function formatIssues(where: string, issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues
    .map((issue) => {
      if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
        return `${where}: ${formatPath(issue.path)}: required, expected ${issue.expected}`;
      }
      // A wrong apiKeyEnv is often the key itself pasted in: never echo it.
      const hidden = issue.path[issue.path.length - 1] === 'apiKeyEnv';
      const found =
        issue.code === 'unrecognized_keys'
          ? ''
          : hidden
            ? ' (value not shown)'
            : `, got ${describe(valueAt(input, issue.path))}`;
      return `${where}: ${formatPath(issue.path)}: ${issue.message}${found}`;
    })
    .join('\n');
}
