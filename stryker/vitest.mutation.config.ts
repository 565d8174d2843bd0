/**
 * Vitest config for mutation testing (`npm run mutate`): the ONLY test file is the conformance
 * suite run against MemoryStorage, so every mutant is judged by the suite, never by test/.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['stryker/conformance.mutation.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
