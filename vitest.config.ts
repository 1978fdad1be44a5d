import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources (the "source" export condition);
// worker threads started by tests load the built files in dist/, which
// `npm test` builds first.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
