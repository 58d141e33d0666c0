import * as path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = __dirname;

// chDB binds one data directory per process, so test files run in separate forked processes.
// Two cores: two files at a time; generous timeouts because tests start real servers and child processes.
export default defineConfig({
  resolve: {
    // The server's sources import the SDK by package name; tests run both from source, as one copy of each module.
    alias: [
      { find: /^otel-activity\/contract$/, replacement: path.join(root, 'sdk', 'contract.ts') },
      { find: /^otel-activity\/internal\/(.*)$/, replacement: path.join(root, 'sdk', '$1') },
      { find: /^otel-activity-server\/internal\/(.*)$/, replacement: path.join(root, '$1') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
