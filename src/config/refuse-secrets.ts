import { ConfigError } from '../errors/index.js';
import { formatPath } from '../common/format-issues.js';

const secretKeyNames = /^(api[-_]?key|secret|token|access[-_]?token|authorization|password)$/i;
/** Shapes of provider keys (OpenAI `sk-…`, Anthropic `sk-ant-…`, bearer tokens). */
const secretValue = /(^|\s)(sk-[A-Za-z0-9_-]{16,}|Bearer\s+\S{16,})/;

/**
 * Refuse a cascade file that holds a secret. Keys in YAML end up in version control and logs;
 * they belong in the environment. The message names the field and never the value.
 */
export function refuseSecrets(raw: unknown, where: string, path: (string | number)[] = []): void {
  if (Array.isArray(raw)) {
    for (const [index, item] of raw.entries()) refuseSecrets(item, where, [...path, index]);
    return;
  }
  if (raw !== null && typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw)) {
      const fieldPath = [...path, key];
      if (secretKeyNames.test(key)) {
        throw new ConfigError(
          `${where}: ${formatPath(fieldPath)}: API keys are not read from cascade files. Remove \`${key}\`, export the key in an environment variable, and name that variable instead, e.g. \`apiKeyEnv: OPENAI_API_KEY\`.`,
          { file: where, field: formatPath(fieldPath) },
        );
      }
      refuseSecrets(value, where, fieldPath);
    }
    return;
  }
  if (typeof raw === 'string' && secretValue.test(raw)) {
    throw new ConfigError(
      `${where}: ${formatPath(path)}: this value looks like an API key (shown nowhere). Keys are not read from cascade files: export it in an environment variable and name the variable with \`apiKeyEnv\`.`,
      { file: where, field: formatPath(path) },
    );
  }
}

/** Key-shaped values in a message (a YAML error quotes the lines around it) replaced by `[redacted]`. */
export function maskKeyShapes(text: string): string {
  return text.replace(/sk-[A-Za-z0-9_-]{8,}/g, '[redacted]').replace(/Bearer\s+\S{8,}/g, 'Bearer [redacted]');
}
