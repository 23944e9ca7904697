import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real data sets live in ../shared/data beside the repository; tests that need them skip when absent. */
export const sharedDataDir = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

export function sharedDataFile(relative: string): string | undefined {
  const file = `${sharedDataDir}${relative}`;
  return existsSync(file) ? file : undefined;
}
