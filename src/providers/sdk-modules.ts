import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';

/**
 * The vendor SDKs, imported at the first call that needs one rather than when the library loads:
 * together they are most of `import 'frugal-cascade'` and of `cascade --help` (the Anthropic SDK alone
 * takes about 130 ms to load here).
 */
let openai: Promise<typeof OpenAI> | undefined;
let anthropic: Promise<typeof Anthropic> | undefined;

export const loadOpenAI = (): Promise<typeof OpenAI> => {
  openai ??= import('openai').then((module) => module.default);
  return openai;
};

export const loadAnthropic = (): Promise<typeof Anthropic> => {
  anthropic ??= import('@anthropic-ai/sdk').then((module) => module.default);
  return anthropic;
};

/** The two error classes `mapSdkError` tells apart; both SDKs (one generator) carry them as statics. */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
}
