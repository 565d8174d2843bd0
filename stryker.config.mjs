// @ts-check
/**
 * Mutation testing, one scope at a time (SA_MUTATION_SCOPE, set by stryker/mutate.mjs --scope):
 *  - memory (default): the reference backend and the shared contract helpers, judged by the
 *    conformance suite alone (stryker/conformance.mutation.test.ts), never by the unit tests in test/;
 *  - redis: implementations/redis, judged by the project's own Redis tests (stryker/scopes.mjs);
 *  - cli: scripts/cli, judged by test/cli.test.ts (the CLI runs as a child process);
 *  - suite: conformance/suite, judged by the defects, the runners and the memory conformance run.
 * Run it through stryker/mutate.mjs: `npm run mutate -- --scope redis` (full) or
 * `npm run mutate:incremental -- --scope redis`. See stryker/README.md.
 */
import { scope } from './stryker/scopes.mjs';

const memory = {
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

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default scope === undefined
  ? memory
  : {
      ...memory,
      vitest: { configFile: 'stryker/vitest.scope.config.ts', related: false },
      coverageAnalysis: scope.coverageAnalysis,
      mutate: scope.mutate,
      // test/ and scripts/ are the judges (or their helpers) here; the other backends are not.
      ignorePatterns: ['/dist', '/coverage', '/docs', '/.ci', '/*.tgz', '/reports', '/implementations/database'],
      // Real servers and child processes: a mutant's tests take seconds, not milliseconds.
      timeoutMS: scope.timeoutMS,
      timeoutFactor: 1.5,
      htmlReporter: { fileName: `reports/mutation/${scope.name}/mutation.html` },
      jsonReporter: { fileName: `reports/mutation/${scope.name}/mutation.json` },
      incrementalFile: `reports/mutation/${scope.name}/stryker-incremental.json`,
      thresholds: { high: 90, low: 75, break: null },
    };
