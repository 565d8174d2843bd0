// @ts-check
/**
 * Mutation testing of the reference backend and the shared contract helpers, judged by the
 * conformance suite alone (stryker/conformance.mutation.test.ts), never by the unit tests in test/.
 * Run it through stryker/mutate.mjs: `npm run mutate` (full) or `npm run mutate:incremental`.
 * See stryker/README.md.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: {
    configFile: 'stryker/vitest.mutation.config.ts',
    // One test file: no need for vitest's related-file lookup.
    related: false,
  },
  coverageAnalysis: 'perTest',
  mutate: [
    'implementations/memory/**/*.ts',
    'conformance/contract/glob.ts',
    'conformance/contract/validation.ts',
    'conformance/contract/counter.ts',
    'conformance/contract/errors.ts',
  ],
  // Keep the sandbox small and independent of files other work touches (test/ is never run here).
  ignorePatterns: [
    '/test',
    '/scripts',
    '/dist',
    '/coverage',
    '/docs',
    '/.ci',
    '/implementations/redis',
    '/implementations/database',
    '/*.tgz',
  ],
  // TypeScript 7 (native tsc) has no JS API, and Stryker's sandbox tsconfig rewrite calls
  // ts.parseConfigFileTextToJson. Our tsconfig has no extends/references that leave the project,
  // so the rewrite is not needed: point it at a file that does not exist to skip it.
  tsconfigFile: 'stryker/.no-tsconfig-rewrite.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  concurrency: 2,
  // MemoryStorage never awaits, so a mutant that never finishes is a synchronous endless loop (or
  // an exponential glob search): give up 3 s past twice the covering tests' normal time (~1 s).
  timeoutMS: 3000,
  timeoutFactor: 2,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: {
    allowColor: false,
    allowEmojis: false,
    logTests: false,
    maxTestsToLog: 0,
    reportScoreTable: true,
  },
  // Reuse of unchanged results (`npm run mutate:incremental`). Kept under reports/ (gitignored,
  // cache it in CI): ~1 MB that changes on every run. stryker/mutate.mjs forces a full run when the
  // suite itself changed, which Stryker's own diff cannot see.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 95, low: 90, break: null },
};
