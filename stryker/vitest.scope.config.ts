/**
 * Vitest config for the mutation scopes beyond MemoryStorage (stryker/scopes.mjs): exactly the
 * scope's judge files, plus the setup that hands the active mutant to child processes.
 */
import { defineConfig } from 'vitest/config';
import { scope } from './scopes.mjs';

export default defineConfig({
  test: {
    include: scope?.tests ?? [],
    setupFiles: ['stryker/child-mutant.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
