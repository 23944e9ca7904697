import { ConfigError } from '../errors/index.js';
import type { LoadCascadeOptions } from '../config/load-cascade.js';

/** Where answers come from: `--replay`, `--on-miss`, `--offline`, `--no-cache`; shared by `ask` and `run`. */
export interface SourceOptions {
  replay?: string;
  /** `--replay-pace`: wait each recorded latency. */
  replayPace?: boolean;
  onMiss?: string;
  offline?: boolean;
  /** `--no-cache` sets this to false. */
  cache?: boolean;
}

/** The cascade loading options these flags ask for, refusing combinations that mean nothing. */
export function loadOptionsFrom(
  options: SourceOptions,
  env: NodeJS.ProcessEnv,
  capture: boolean,
  onNotice?: (message: string) => void,
): LoadCascadeOptions {
  if (options.onMiss !== undefined && options.onMiss !== 'fail' && options.onMiss !== 'live') {
    throw new ConfigError(`Expected \`--on-miss\` to be \`fail\` or \`live\`, got \`${options.onMiss}\``);
  }
  if (options.replayPace && !options.replay)
    throw new ConfigError('`--replay-pace` waits the recorded latencies of `--replay <file>`; give `--replay` too');
  if (options.onMiss !== undefined && !options.replay)
    throw new ConfigError('`--on-miss` says what to do when `--replay <file>` lacks a request; give `--replay` too');
  return {
    env,
    ...(options.replay && { replay: options.replay }),
    ...(options.onMiss === 'live' && { onReplayMiss: 'live' as const }),
    ...(options.replayPace && { replayPaced: true }),
    ...(options.offline && { offline: true }),
    ...(capture && { capture: true }),
    ...(options.cache === false && { cache: false }),
    ...(onNotice && { onNotice }),
  };
}
