/** runSaStorageSuite under node:test (vitest is covered by every conformance.*.test.ts file). */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

function runNodeTest(file: string, env: Record<string, string> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.VITEST; // the child is a plain node:test process
  delete childEnv.NODE_OPTIONS;
  return spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    env: childEnv,
    timeout: 120_000,
  });
}

describe('runSaStorageSuite with { runner: "node:test" }', () => {
  test('registers one passing test per rule, named "<id>: <title>"', () => {
    const run = runNodeTest('test/node-runner/memory.node-test.ts');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('KV-01: set then get returns the value; a missing key reads as null');
    expect(run.stdout).toContain('MODEL-01: random command sequences agree with the reference model');
    expect(run.stdout).toMatch(/ℹ fail 0/);
  });

  test('declared capabilities become named skips with the reason', () => {
    const run = runNodeTest('test/node-runner/memory.node-test.ts', { DECLARE_NO_KEYS: '1' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PAT-01: .*skipped: the backend declares no "keys" capability: declared by the test/);
    expect(run.stdout).toMatch(/ℹ skipped 7/);
  });

  test('a failing rule fails its test with spec, hint and the failure', () => {
    const run = runNodeTest('test/node-runner/seconds-ttl.node-test.ts');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('TTL-01: a key lives until its deadline and is gone right after');
    expect(run.stdout).toContain('get("k") at (or before) its deadline: expected "v", got null');
    expect(run.stdout).toContain('if this fails, check:');
  });

  test('the diagnosis leads: the first test names the probable root cause, the sentence and one hint', () => {
    const run = runNodeTest('test/node-runner/seconds-ttl.node-test.ts');
    expect(run.status).toBe(1);
    const diagnosis = run.stdout.indexOf('diagnosis: probable root causes, most basic first');
    expect(diagnosis, run.stdout).toBeGreaterThanOrEqual(0);
    expect(diagnosis).toBeLessThan(run.stdout.indexOf('TTL-01: a key lives until'));
    // Only TTL-01 runs here: one failed read at the deadline, so the finding is about get, with TTL-01's hint.
    expect(run.stdout).toMatch(/1 probable root cause .*\n\s*1\. get: get\("k"\) at \(or before\) its deadline/);
    expect(run.stdout).toMatch(/breaks TTL-01\n\s*hint: check the comparison at the deadline/);
  });
});
