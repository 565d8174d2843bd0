#!/usr/bin/env node
/**
 * Runs Stryker (stryker.config.mjs), then holds the report to stryker/equivalent-mutants.md.
 *
 *   node stryker/mutate.mjs                 full run: every mutant is tested (`npm run mutate`)
 *   node stryker/mutate.mjs --incremental   reuse the results of unchanged mutants (`npm run mutate:incremental`)
 *
 * Stryker's incremental mode only sees changes in the mutated files and in the test file
 * (stryker/conformance.mutation.test.ts). The real judge is the suite behind that file
 * (conformance/rules, suite, model, …), so a change there would silently reuse stale verdicts.
 * This script fingerprints the judge and falls back to a full run whenever it changed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const FINGERPRINT = 'reports/mutation/judge-fingerprint.txt';
const INCREMENTAL_FILE = 'reports/mutation/stryker-incremental.json';

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

const wantIncremental = process.argv.includes('--incremental');
const fingerprint = judgeFingerprint();
const previous = existsSync(FINGERPRINT) ? readFileSync(FINGERPRINT, 'utf8').trim() : undefined;
let force = true;
if (wantIncremental) {
  if (!existsSync(INCREMENTAL_FILE)) console.log(`no ${INCREMENTAL_FILE} yet: full run`);
  else if (previous !== fingerprint)
    console.log('the suite (rules, suite, model or harness) changed since the last run: full run');
  else force = false;
}

const stryker = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...(force ? ['--force'] : [])], {
  stdio: 'inherit',
});
if (stryker.status !== 0) process.exit(stryker.status ?? 1);
writeFileSync(FINGERPRINT, `${fingerprint}\n`);

const check = spawnSync(process.execPath, ['stryker/check-equivalents.mjs'], { stdio: 'inherit' });
process.exit(check.status ?? 1);
