/**
 * Redis restarting mid-pipeline: ioredis resends plain commands on reconnect, but a pipeline or MULTI
 * that was partly answered when the connection closed is rejected ("Command aborted due to connection
 * close"), because resending all of it could run its first commands twice. For work that is safe to
 * run twice (trims, sets, enqueues by job id) that is no reason to fail a run: run it again.
 */
export async function retryAborted<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isConnectionCloseAbort(error)) throw error;
    }
  }
}

/** ioredis's AbortError carries the aborted `command`; an AbortSignal's abort does not. */
export function isConnectionCloseAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError' && 'command' in error;
}

/**
 * A pipeline's `exec()` resolves even when some of its commands failed, each with its own error;
 * throw the first, so a command that never ran is not taken for done (and `retryAborted` can rerun it).
 */
export function throwFirstError<T>(results: [Error | null, T][] | null): [Error | null, T][] {
  const failed = results?.find(([error]) => error !== null);
  if (failed?.[0]) throw failed[0];
  return results ?? [];
}
