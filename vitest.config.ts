import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Loopback servers and CLI runs are cheap, but two cores are all CI has.
    maxWorkers: 2,
    // The batch suite measures retained heap after forced collections.
    execArgv: ['--expose-gc'],
  },
});
