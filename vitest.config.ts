import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources (the "source" export condition);
// worker threads started by tests and by the library load the built files in
// dist/, which `npm test` builds first.
//
// The POSIX conformance suite runs in the threads pool: each test file runs
// in a worker thread, so every setup (in-thread, and shared across threads)
// is driven from a worker thread, as it will be in use.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/conformance/**'],
          pool: 'forks',
        },
      },
      {
        // The hostfs suite again, the host directory mounted on a SharedVfs
        // and served by its actor thread (files that inspect the embedded
        // instance's internals are left to the unit project).
        extends: true,
        test: {
          name: 'hostfs-shared',
          include: ['test/hostfs/*.test.ts'],
          exclude: ['test/hostfs/hostfs-escape-swap.test.ts', 'test/hostfs/hostfs-identity.test.ts', 'test/hostfs/hostfs-map-file.test.ts', 'test/hostfs/hostfs-options.test.ts', 'test/hostfs/hostfs-window.test.ts'],
          env: { AVFS_HOSTFS_SETUP: 'shared' },
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          pool: 'threads',
        },
      },
    ],
  },
});
