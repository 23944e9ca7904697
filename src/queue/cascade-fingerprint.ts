import { canonicalJson, sha256 } from '../common/canonical-json.js';
import { readCascadeYaml } from '../config/load-cascade.js';

/**
 * A digest of what the cascade file says (its data, not its layout or comments). A queued run keeps the
 * digest it started with: workers with another file listen on another queue, and resuming the run with a
 * changed file is refused, so one run's results all come from one cascade.
 */
export async function cascadeFingerprint(file: string): Promise<string> {
  return sha256(canonicalJson(await readCascadeYaml(file)));
}
