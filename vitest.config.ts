import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Generous, so that on a slow CI machine a test fails at one of its own waits, which says what
    // it waited for, rather than here.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Interop and CLI tests start daemons and real clients; keep parallelism modest on 2 cores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
