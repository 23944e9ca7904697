import type { CliIo } from './io.js';

export type StopSignalName = 'SIGINT' | 'SIGTERM';

/** Exit codes beyond 0/1/2: stopped by SIGINT or SIGTERM (what was done so far is kept). */
export const interruptedExitCode = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * SIGINT and SIGTERM as a stop signal for a long command: the first asks it to stop taking work, the
 * second to cancel what is in flight. `messages` says what each means for this command.
 */
export function listenForStop(io: CliIo, signals: NodeJS.EventEmitter, messages: { first: string; again: string }) {
  let received: StopSignalName | undefined;
  let count = 0;
  const handlers: ((count: number) => void)[] = [];
  const onSignal = (name: StopSignalName) => {
    received ??= name;
    count++;
    io.stderr(`\n${name}: ${count === 1 ? messages.first : messages.again}\n`);
    for (const handler of handlers) handler(count);
  };
  const onInterrupt = () => onSignal('SIGINT');
  const onTerminate = () => onSignal('SIGTERM');
  signals.on('SIGINT', onInterrupt);
  signals.on('SIGTERM', onTerminate);
  return {
    stopSignal: { onStop: (handler: (count: number) => void) => void handlers.push(handler) },
    received: () => received,
    dispose: () => {
      signals.off('SIGINT', onInterrupt);
      signals.off('SIGTERM', onTerminate);
    },
  };
}
