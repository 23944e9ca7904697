/** `frugal-cascade/test`: helpers for testing code built on the library. */
export { MockProvider, type MockAnswer, type MockCall, type MockProviderOptions } from './mock-provider.js';
