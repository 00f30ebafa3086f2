import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // What a poll waits for goes through queues, sockets or a browser on a busy 2-core machine.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // 2-core machines: files run in parallel, each with its own schema and queue prefix.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    // A failed test shows what the service logged at error meanwhile.
    setupFiles: ['test/helpers/failure-logs.ts'],
  },
});
