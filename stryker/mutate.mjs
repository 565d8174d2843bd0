#!/usr/bin/env node
/**
 * Runs Stryker (stryker.config.mjs), then holds the report to stryker/equivalent-mutants.md.
 *
 *   node stryker/mutate.mjs                 full run: every mutant is tested (`npm run mutate`)
 *   node stryker/mutate.mjs --incremental   reuse the results of unchanged mutants (`npm run mutate:incremental`)
 *   node stryker/mutate.mjs --scope redis   another scope (memory, redis, redis-config, cli, cli-arguments, suite; see stryker/scopes.mjs)
 *   … -- --mutate <file>[:lines]            extra arguments after `--` go to `stryker run` (e.g. one file)
 *
 * Stryker's incremental mode only sees changes in the mutated files and in the test file
 * (stryker/conformance.mutation.test.ts). The real judge is the suite behind that file
 * (conformance/rules, suite, model, …), so a change there would silently reuse stale verdicts.
 * This script fingerprints the judge and falls back to a full run whenever it changed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MUTATED = new Set([
  'conformance/contract/glob.ts',
  'conformance/contract/validation.ts',
  'conformance/contract/counter.ts',
  'conformance/contract/errors.ts',
]);
const JUDGE_DIRS = ['conformance/contract', 'conformance/suite', 'conformance/rules', 'conformance/model'];
const JUDGE_FILES = [
  'conformance/index.ts',
  'conformance/clock.ts',
  'stryker/conformance.mutation.test.ts',
  'stryker/vitest.mutation.config.ts',
  'stryker.config.mjs',
  'package-lock.json',
];

function judgeFingerprint() {
  const files = [
    ...JUDGE_FILES,
    ...JUDGE_DIRS.flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.ts'))
        .map((name) => join(dir, name)),
    ),
  ]
    .filter((file) => !MUTATED.has(file) && existsSync(file))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

const args = process.argv.slice(2);
const scopeAt = args.indexOf('--scope');
const scopeName = scopeAt >= 0 ? args[scopeAt + 1] : 'memory';
const passThroughAt = args.indexOf('--');
const passThrough = passThroughAt >= 0 ? args.slice(passThroughAt + 1) : [];
process.env.SA_MUTATION_SCOPE = scopeName;
const { scope } = await import('./scopes.mjs'); // throws on an unknown scope name
const reports = scope === undefined ? 'reports/mutation' : `reports/mutation/${scope.name}`;
const FINGERPRINT = `${reports}/judge-fingerprint.txt`;
const INCREMENTAL_FILE = `${reports}/stryker-incremental.json`;
if (scope !== undefined) {
  // The judge of a scope is its test files and what they import from test/ and scripts/redis.
  JUDGE_FILES.push(...scope.tests, 'stryker/scopes.mjs', 'stryker/vitest.scope.config.ts', 'stryker/child-mutant.ts');
  JUDGE_DIRS.push('test', 'scripts/redis', 'conformance/defects');
  for (const pattern of scope.mutate) {
    if (!pattern.endsWith('/*.ts')) MUTATED.add(pattern);
    else {
      const dir = pattern.slice(0, -'/*.ts'.length);
      for (const name of readdirSync(dir)) if (name.endsWith('.ts')) MUTATED.add(join(dir, name));
    }
  }
}

const wantIncremental = args.includes('--incremental');
const fingerprint = judgeFingerprint();
const previous = existsSync(FINGERPRINT) ? readFileSync(FINGERPRINT, 'utf8').trim() : undefined;
let force = true;
if (wantIncremental) {
  if (!existsSync(INCREMENTAL_FILE)) console.log(`no ${INCREMENTAL_FILE} yet: full run`);
  else if (previous !== fingerprint)
    console.log('the suite (rules, suite, model or harness) changed since the last run: full run');
  else force = false;
}

const stryker = spawnSync(
  'npx',
  ['stryker', 'run', 'stryker.config.mjs', ...(force ? ['--force'] : []), ...passThrough],
  { stdio: 'inherit' },
);
if (stryker.status !== 0) process.exit(stryker.status ?? 1);
mkdirSync(reports, { recursive: true });
writeFileSync(FINGERPRINT, `${fingerprint}\n`);

const check = spawnSync(process.execPath, ['stryker/check-equivalents.mjs', '--scope', scopeName], {
  stdio: 'inherit',
});
process.exit(check.status ?? 1);
