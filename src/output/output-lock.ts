import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError } from '../errors/index.js';

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

/** A process id that is alive on this machine (signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive hold on an output file, so two runs never write the same results twice: `<output>.lock`
 * holds the owner's pid and host. A lock left by a process that died on this machine is taken over, with
 * a note; one held by a live process, or by another host (whose processes cannot be checked), is refused.
 */
export class OutputLock {
  private constructor(
    readonly path: string,
    /** Set when a stale lock was taken over: whose it was. */
    readonly tookOverFrom?: LockOwner,
  ) {}

  static acquire(output: string): OutputLock {
    const path = `${output}.lock`;
    const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const descriptor = openSync(path, 'wx');
        writeSync(descriptor, `${JSON.stringify(owner)}\n`);
        closeSync(descriptor);
        return new OutputLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readOwner(path);
      if (holder && holder.host === owner.host && !isAlive(holder.pid)) {
        rmSync(path, { force: true });
        const lock = OutputLock.acquire(output);
        return new OutputLock(lock.path, holder);
      }
      if (!holder) {
        // Empty or unreadable: a process is between creating and filling it, or was killed there. Only
        // an old one is taken for abandoned.
        if (Date.now() - statSync(path).mtimeMs < 10_000) {
          throw new ConfigError(`${output} is being locked by another run just now (${path}); try again.`, {
            file: output,
            field: '--output',
          });
        }
        rmSync(path, { force: true });
        continue;
      }
      throw new ConfigError(
        holder.host === owner.host
          ? `${output} is being written by another run (pid ${holder.pid}, started ${holder.started}); wait for it to finish, or stop it first.`
          : `${output} is locked by a run on ${holder.host} (pid ${holder.pid}, started ${holder.started}). If that run is gone, delete ${path}.`,
        { file: output, field: '--output' },
      );
    }
    throw new ConfigError(`cannot lock ${output}: ${path} keeps coming back`, { file: output });
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}
