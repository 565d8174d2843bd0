/**
 * Hands Stryker's active mutant to child processes. Stryker's vitest runner activates a mutant
 * in the test worker only (globalThis.__stryker__); the CLI tests and the node:test runner tests
 * run the code in a child process, where Stryker's instrumented code reads the mutant from the
 * __STRYKER_ACTIVE_MUTANT__ environment variable instead. Children inherit process.env.
 */
import { beforeAll } from 'vitest';

beforeAll(() => {
  const active = (globalThis as { __stryker__?: { activeMutant?: unknown } }).__stryker__?.activeMutant;
  if (active === undefined || active === null) delete process.env.__STRYKER_ACTIVE_MUTANT__;
  else process.env.__STRYKER_ACTIVE_MUTANT__ = String(active);
});
