/**
 * A true verdict on any backend (issue 12): whatever the backend does — every call hangs, one
 * method hangs, it crawls, it answers with the wrong type, it throws from its own timer, it
 * exits the process — the check ends with a report; and options are checked, not ignored.
 * The CLI cases run as a child process, as a user runs them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { StorageError } from '../conformance/contract/index.js';
import { checkConformance, runSaStorageSuite, SuiteOptionsError } from '../conformance/index.js';
import { replayLine } from '../conformance/suite/runners.js';
import { MemoryStorage } from '../implementations/memory/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sa-kit-verdict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name === 'FORCE_COLOR') delete env[name];
  return env;
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli/main.ts', 'check', ...args], {
      cwd: root,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const fixture = (name: string) => `test/fixtures/verdict/${name}`;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('the CLI always ends with a verdict', () => {
  test('every call never settles: NOT CONFORMANT with a report and exit 1 (was: exit 13, no report)', async () => {
    const json = join(dir, 'hang.json');
    const run = await cli([fixture('every-call-hangs.mjs'), '--json', json]);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('NOT CONFORMANT — no method settles');
    const report = readJson(json);
    expect(report.verdict).toBe('not-conformant');
    expect(report.counts.fail).toBe(report.results.length);
  }, 60_000);

  test('a backend calling process.exit(0) mid-check: reported, exit 1, JSON still written', async () => {
    const json = join(dir, 'exit.json');
    const run = await cli([fixture('exits-during-check.ts'), '--only', 'CTR-01', '--json', json]);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('process.exit(0) was called during a conformance check');
    expect(readJson(json).verdict).toBe('not-conformant');
  }, 60_000);

  test("an exception thrown from the backend's own timer is a finding, not a silent death", async () => {
    const run = await cli([fixture('throws-from-own-timer.ts'), '--only', 'KV-03']);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/an exception was thrown, uncaught, from a callback the backend scheduled during KV-03/);
    expect(run.stdout).toContain('reading "socket"');
  }, 60_000);

  test('an unhandled rejection the backend leaves behind fails the rule that was running', async () => {
    const run = await cli([fixture('unhandled-rejection.ts'), '--only', 'KV-01']);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/left a rejected promise unhandled during KV-01: Error: replica write of/);
  }, 60_000);

  test('a module whose top-level await never settles: a clear error and exit 2, not a hang', async () => {
    const run = await cli([fixture('load-never-settles.mjs')], { SA_STORAGE_KIT_LOAD_TIMEOUT_MS: '1500' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('did not finish within 1.5 s');
  }, 60_000);

  test('--time-budget: a slow correct backend gets PARTIAL with what was checked, exit 3 (never NOT CONFORMANT)', async () => {
    const json = join(dir, 'partial.json');
    const run = await cli(
      [
        fixture('slow-correct.ts'),
        '--clock',
        'real',
        '--only',
        'MODEL-01',
        '--time-budget',
        '1500',
        '--runs',
        '25',
        '--json',
        json,
      ],
      { SLOW_MS: '30' },
    );
    expect(run.status, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toMatch(/◐ MODEL-01 .*: checked \d+ of 25 runs, \d+ calls in a 1500 ms budget/);
    expect(run.stdout).toMatch(/^PARTIAL — no rule failed/m);
    expect(readJson(json)).toMatchObject({ verdict: 'partial', conformant: false, limits: { timeBudgetMs: 1500 } });
  }, 60_000);

  test('misspelt export and capability names are refused, naming the nearest valid one', async () => {
    const exportTypo = await cli([fixture('misspelt-export.mjs')]);
    expect(exportTypo.status).toBe(2);
    expect(exportTypo.stderr).toContain('exports "unsuported"');
    expect(exportTypo.stderr).toContain('did you mean "unsupported"?');
    const capabilityTypo = await cli([fixture('misspelt-capability.ts')]);
    expect(capabilityTypo.status).toBe(2);
    expect(capabilityTypo.stderr).toContain('unknown capability "atomic-countres"; did you mean "atomic-counters"?');
    const optionTypo = await cli(['--backend', 'memory', '--time-budjet', '100']);
    expect(optionTypo.status).toBe(2);
    expect(optionTypo.stderr).toContain('did you mean --time-budget?');
  }, 60_000);
});

class HungKeys extends MemoryStorage {
  override keys(): Promise<string[]> {
    return new Promise(() => {});
  }
}

describe('one hung method costs one time-out per run', () => {
  test('keys never settles: later calls fail at once, naming the first time-out', async () => {
    const report = await checkConformance((ctx) => new HungKeys({ clock: ctx.clock }), { callTimeoutMs: 1000 });
    expect(report.verdict).toBe('not-conformant');
    const pattern = report.results.find((r) => r.id === 'PAT-01');
    expect(pattern?.status).toBe('fail');
    expect(pattern?.reason).toMatch(
      /was not attempted: keys\(\) already failed to settle — keys\("\*"\) did not settle within 1000 ms/,
    );
    // Each rule that meets keys() fails at once instead of waiting again.
    for (const result of report.results.filter((r) => r.status === 'fail'))
      expect(result.durationMs).toBeLessThan(1000);
  }, 30_000);
});

/** A correct backend whose every call takes `delayMs` of real time. */
class SlowStorage extends MemoryStorage {
  constructor(readonly delayMs: number) {
    super();
    for (const method of [
      'get',
      'set',
      'delete',
      'exists',
      'expire',
      'ttl',
      'clear',
      'mget',
      'mset',
      'mdel',
      'incr',
      'decr',
      'keys',
    ] as const) {
      const methods = this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const original = (methods[method] as (...args: unknown[]) => Promise<unknown>).bind(this);
      (this as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        return original(...args);
      };
    }
  }
}

describe('the suite’s own time budget never fails a rule', () => {
  test('a correct backend at 30 ms per call, real clock: MODEL-01 is partial with runs done, never failed', async () => {
    const report = await checkConformance(() => new SlowStorage(30), {
      clock: 'real',
      only: ['MODEL-01'],
      timeBudgetMs: 1500,
      seed: 7,
    });
    const model = report.results[0];
    expect(model?.status, model?.reason).toBe('partial');
    expect(model?.coverage?.budgetMs).toBe(1500);
    expect(model?.coverage?.runsAsked).toBe(25);
    expect(model?.coverage?.runs ?? 0).toBeLessThan(25);
    expect(model?.reason).toMatch(/property runs passed before the rule's time budget ran out/);
    expect(report.verdict).toBe('partial');
    expect(report.conformant).toBe(false);
    expect(report.headline).toMatch(/^PARTIAL/);
  }, 60_000);

  test('a straight-line rule still running past its budget is stopped and reported partial', async () => {
    const report = await checkConformance(() => new SlowStorage(100), {
      clock: 'real',
      only: ['KV-07'],
      timeBudgetMs: 10,
      callTimeoutMs: 150,
      seed: 1,
    });
    const result = report.results[0];
    expect(result?.status, result?.reason).toBe('partial');
    expect(result?.coverage?.calls).toBeGreaterThan(0);
  }, 60_000);
});

describe('the factory and dispose have deadlines', () => {
  test('a factory that never returns: every rule fails with that reason, after one deadline', async () => {
    const report = await checkConformance(() => new Promise<never>(() => {}), { only: ['KV-01', 'KV-02', 'TTL-01'] });
    expect(report.verdict).toBe('not-conformant');
    expect(report.headline).toMatch(/the storage factory did not return a storage within 10000 ms/);
    expect(report.results.every((r) => r.status === 'fail')).toBe(true);
  }, 30_000);

  test('a dispose that never finishes is waited for once, then no more', async () => {
    const started = performance.now();
    const report = await checkConformance(
      (ctx) => ({ storage: new MemoryStorage({ clock: ctx.clock }), dispose: () => new Promise<void>(() => {}) }),
      { only: ['KV-01', 'KV-02', 'KV-03'] },
    );
    expect(report.verdict).toBe('conformant');
    expect(performance.now() - started).toBeLessThan(20_000); // one 10 s wait, not one per storage
  }, 30_000);
});

describe('the verdict', () => {
  test('all skipped is never conformant', async () => {
    const report = await checkConformance((ctx) => new MemoryStorage({ clock: ctx.clock }), {
      only: ['PAT-01', 'PAT-02'],
      unsupported: { keys: 'no key listing' },
    });
    expect(report.counts).toMatchObject({ pass: 0, skip: 2 });
    expect(report.conformant).toBe(false);
    expect(report.verdict).toBe('not-conformant');
    expect(report.declared.unsupported).toEqual({ keys: 'no key listing' });
  });
});

describe('options are checked, not ignored', () => {
  const factory = () => new MemoryStorage();
  test.each([
    [{ unsuported: { keys: 'x' } }, /unknown option "unsuported"; did you mean "unsupported"\?/],
    [
      { unsupported: { 'atomic-countres': 'x' } },
      /unknown capability "atomic-countres"; did you mean "atomic-counters"\?/,
    ],
    [{ numRuns: '10' }, /option "numRuns" must be a whole number ≥ 1, not "10"/],
    [{ clock: 'rael' }, /option "clock" must be "virtual" or "real", not "rael"/],
    [{ unsupported: { keys: 42 } }, /unsupported"\.keys must be the reason, a non-empty string/],
    [{ timeBudget: 5 }, /did you mean "timeBudgetMs"\?/],
  ])('checkConformance refuses %o', async (options, message) => {
    await expect(checkConformance(factory, options as never)).rejects.toThrow(message);
    await expect(checkConformance(factory, options as never)).rejects.toBeInstanceOf(SuiteOptionsError);
  });

  test('runSaStorageSuite refuses them at once, before registering anything', () => {
    const registered: string[] = [];
    const runner = { describe: (name: string) => registered.push(name), test: () => {}, beforeAll: () => {} };
    expect(() => runSaStorageSuite(factory, { runner, unsuported: {} } as never)).toThrow(
      /did you mean "unsupported"\?/,
    );
    expect(() => runSaStorageSuite(factory, { runer: 'node:test' } as never)).toThrow(/did you mean "runner"\?/);
    expect(registered).toEqual([]);
  });
});

/** A backend whose `method` answers with `value` (or behaves as `answer` says). */
function answering(method: string, answer: () => unknown) {
  return (ctx: { clock: { now(): number } }) => {
    const storage = new MemoryStorage({ clock: ctx.clock });
    (storage as unknown as Record<string, unknown>)[method] = answer;
    return storage;
  };
}

describe('odd answers fail the rule that met them, naming the call', () => {
  test.each([
    ['get', () => Promise.resolve(undefined), 'KV-01', /get\("[^"]*"\) resolved with undefined, not a string or null/],
    ['exists', () => Promise.resolve(1), 'KV-05', /exists\("[^"]*"\) resolved with 1, not a boolean/],
    ['incr', () => Promise.resolve('1'), 'CTR-01', /incr\("[^"]*"\) resolved with "1", not a whole number/],
    [
      'get',
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of this case
      () => ({ then: (ok: (v: unknown) => void) => ok(null) }),
      'KV-01',
      /returned a thenable that is not a Promise \[FAIL-02\]: it resolved with null/,
    ],
    [
      'get',
      () => ({
        // biome-ignore lint/suspicious/noThenProperty: a thenable that settles twice is the point
        then: (ok: (v: unknown) => void) => {
          ok('a');
          ok('b');
        },
      }),
      'KV-01',
      /it settled 2 times \(resolved with "a", then resolved with "b"\)/,
    ],
    ['get', () => Promise.reject('plain string'), 'KV-01', /rejected with "plain string", which is not a StorageError/],
    [
      'get',
      () => {
        throw 42;
      },
      'KV-01',
      /threw synchronously instead of returning a rejected promise \[FAIL-02\]: 42/,
    ],
  ])('%s answering oddly fails %s', async (method, answer, rule, message) => {
    const report = await checkConformance(answering(method, answer), { only: [rule as string] });
    const result = report.results[0];
    expect(result?.status).toBe('fail');
    expect(result?.reason).toMatch(message);
  });

  test('a StorageError is still passed through to the rule', async () => {
    const report = await checkConformance(
      answering('get', () => Promise.reject(new StorageError('ConnectionError', 'down'))),
      { only: ['KV-01'] },
    );
    expect(report.results[0]?.reason).toMatch(/ConnectionError|down/);
  });
});

describe('replay lines use each runner’s own flags', () => {
  const env = 'SA_STORAGE_KIT_SEED=5';
  test.each([
    ['node:test', 'node --test --test-name-pattern="MODEL-01:"'],
    ['vitest', 'npx vitest run <your test file> -t "MODEL-01:"'],
    ['jest', 'npx jest <your test file> -t "MODEL-01:"'],
    ['mocha', '--grep "MODEL-01:"'],
  ] as const)('%s', (runner, flags) => {
    const line = replayLine(runner, env, 'MODEL-01');
    expect(line.startsWith(env)).toBe(true);
    expect(line).toContain(flags);
    if (runner === 'node:test') expect(line).not.toContain(' -t ');
  });
});
