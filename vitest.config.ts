import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', testTimeout: 90_000, hookTimeout: 90_000, fileParallelism: false } },
      // Benchmarks print figures; only `npm run bench:*` runs them.
      { test: { name: 'bench', include: ['bench/**/*.test.ts'], environment: 'node', testTimeout: 300_000, hookTimeout: 120_000, fileParallelism: false } },
    ],
  },
});
