import { defineConfig } from 'vitest/config'

// One runner for every kind of test. Files that start real services (sshd, MariaDB, Chromium)
// live under tests/integration and tests/e2e; the harness gives each its own ports and temp dir,
// so files may run in parallel.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/temp-root.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
})
