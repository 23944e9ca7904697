import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Exit codes of a process ended by these signals, as a shell reports them. */
const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * A fresh folder under the system's temporary one, removed when the bench ends: at its exit, and on
 * Ctrl-C or SIGTERM (which end a process without its exit listeners). The bench then exits with the
 * signal's code, whatever else listens to it (a `cascade run` in the same process would take it as a
 * stop and go on). A replay bench's fixtures alone are a hundred megabytes.
 */
export function benchFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
  for (const [signal, code] of Object.entries(signalExitCodes)) process.once(signal, () => process.exit(code));
  return folder;
}
