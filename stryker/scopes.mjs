// @ts-check
/**
 * The mutation scopes beyond MemoryStorage (`npm run mutate -- --scope <name>`): what is mutated
 * and which of the project's own tests judge it. The `memory` scope (no SA_MUTATION_SCOPE) is
 * stryker.config.mjs itself, judged by the conformance suite alone.
 *
 * Each scope has its own report (reports/mutation/<name>/), incremental file and list of
 * explained survivors (stryker/equivalent-mutants.<name>.md).
 */

/**
 * @typedef {object} Scope
 * @property {string} name
 * @property {string[]} mutate       files Stryker mutates
 * @property {string[]} tests        the judge: test files run against each mutant
 * @property {'perTest' | 'off'} coverageAnalysis  'off' when the code runs in a child process (no coverage from there)
 * @property {number} timeoutMS      slack over the judge's normal time before a mutant counts as hanging
 */

/** @type {Record<string, Scope>} */
export const SCOPES = {
  redis: {
    name: 'redis',
    mutate: [
      'implementations/redis/config.ts',
      'implementations/redis/errors.ts',
      'implementations/redis/reply-watchdog.ts',
      'implementations/redis/slots.ts',
      'implementations/redis/redis-storage.ts',
    ],
    tests: [
      'test/redis-url.test.ts',
      'test/redis-config.test.ts',
      'test/redis-errors.test.ts',
      'test/reply-watchdog.test.ts',
      'test/redis-storage.test.ts',
      'test/redis-wire.test.ts',
      'test/redis-cluster.test.ts',
    ],
    coverageAnalysis: 'perTest',
    timeoutMS: 15_000,
  },
  // The fast slices: one file each, judged by tests that need no long run (minutes, not hours).
  'redis-config': {
    name: 'redis-config',
    mutate: ['implementations/redis/config.ts'],
    // URL parsing and the TLS-downgrade check against a few throwaway servers (~3 s), option resolution without one.
    tests: ['test/redis-url.test.ts', 'test/redis-config.test.ts'],
    coverageAnalysis: 'perTest',
    timeoutMS: 10_000,
  },
  'cli-arguments': {
    name: 'cli-arguments',
    mutate: ['scripts/cli/arguments.ts'],
    // The parser called directly (no child process): every mutant is judged in milliseconds.
    tests: ['test/cli-arguments.test.ts'],
    coverageAnalysis: 'perTest',
    timeoutMS: 5_000,
  },
  cli: {
    name: 'cli',
    mutate: ['scripts/cli/*.ts'],
    tests: ['test/cli.test.ts'],
    // The tests run the CLI as a child process (stryker/child-mutant.ts hands it the mutant).
    coverageAnalysis: 'off',
    timeoutMS: 60_000,
  },
  suite: {
    name: 'suite',
    mutate: ['conformance/suite/*.ts'],
    tests: ['test/defects.test.ts', 'test/conformance.memory.test.ts', 'test/runners.test.ts'],
    coverageAnalysis: 'perTest',
    timeoutMS: 30_000,
  },
};

const requested = process.env.SA_MUTATION_SCOPE;
if (requested !== undefined && requested !== 'memory' && !(requested in SCOPES)) {
  throw new Error(`unknown mutation scope ${JSON.stringify(requested)}: memory, ${Object.keys(SCOPES).join(', ')}`);
}
/** The scope of this run; undefined for the default `memory` scope. */
export const scope = requested === undefined || requested === 'memory' ? undefined : SCOPES[requested];
