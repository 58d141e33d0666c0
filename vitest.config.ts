import { defineConfig } from 'vitest/config';

// chDB binds one data directory per process, so test files run in separate forked processes.
// Two cores: two files at a time; generous timeouts because tests start real servers and child processes.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
