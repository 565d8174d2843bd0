/**
 * runSaStorageSuite: registers one test per rule, named "<id>: <title>", in the calling
 * test runner. The core of the suite imports no runner: vitest is loaded only inside a
 * vitest worker, node:test only when asked for, or any runner's API can be passed in.
 */
import { contractRules, stubRules } from '../rules/index.js';
import { formatDiagnosis } from './diagnosis.js';
import { formatFailure, replayEnv } from './format.js';
import { RUNNER_OPTION_CHECKS, validateSuiteOptions } from './options.js';
import { ConformanceSession } from './session.js';
import type { StorageFactory, SuiteOptions } from './types.js';

type TestFn = (name: string, fn: (context?: unknown) => Promise<void> | void, timeout?: number) => unknown;

/** The parts of a test runner the suite needs (mocha, jest, vitest and node:test all have them). */
export interface TestRunnerApi {
  /** Groups the rules' tests (`describe`). */
  describe: (name: string, fn: () => void) => unknown;
  /** Registers one test per rule, with its timeout; `test.skip` for a skipped rule. */
  test: TestFn & { skip?: TestFn };
  /** Prepares the session once (calibration) before the first rule. */
  beforeAll: (fn: () => Promise<void> | void, timeout?: number) => unknown;
  /** Accepted so a runner's whole API can be passed as is (`{ describe, test, beforeAll, afterAll }`); not needed. */
  afterAll?: (fn: () => Promise<void> | void, timeout?: number) => unknown;
}

/** Options of {@link runSaStorageSuite}: the suite's options, plus which runner and the group's name. */
export interface RunSuiteOptions extends SuiteOptions {
  /**
   * 'vitest' (default), 'node:test', or a runner's API object, e.g. Jest's or mocha's
   * `{ describe, test, beforeAll }` (mocha: `{ describe, test: it, beforeAll: before }`).
   */
  runner?: 'vitest' | 'node:test' | TestRunnerApi;
  /** Name of the enclosing describe block (default "SaStorage conformance"). */
  name?: string;
}

// Loaded only inside a vitest worker, so importing the suite elsewhere (the CLI) never needs vitest.
const vitest = process.env.VITEST ? await import('vitest') : undefined;

function resolveRunner(runner: RunSuiteOptions['runner']): TestRunnerApi {
  if (runner !== undefined && typeof runner === 'object') return runner;
  if (runner === 'node:test') {
    const nodeTest = process.getBuiltinModule('node:test') as typeof import('node:test');
    return {
      describe: nodeTest.describe,
      test: Object.assign(
        (name: string, fn: (context?: unknown) => Promise<void> | void, timeout?: number) =>
          nodeTest.test(name, { timeout }, fn),
        {
          skip: (name: string, fn: () => void) => nodeTest.test(name, { skip: true }, fn),
        },
      ),
      beforeAll: (fn: () => Promise<void> | void) => nodeTest.before(fn),
    };
  }
  if (vitest === undefined) {
    throw new Error(
      'runSaStorageSuite: vitest is not running this file; pass { runner: "node:test" } or your runner’s { describe, test, beforeAll }, or use checkConformance()',
    );
  }
  return {
    describe: vitest.describe,
    test: vitest.test as unknown as TestRunnerApi['test'],
    beforeAll: vitest.beforeAll,
  };
}

type RunnerName = 'vitest' | 'node:test' | 'jest' | 'mocha' | 'unknown';

/** Which runner registers the tests, for the replay line (each runner filters tests with its own flag). */
function runnerName(runner: RunSuiteOptions['runner'], api: TestRunnerApi): RunnerName {
  if (runner === 'node:test') return 'node:test';
  if (runner === undefined || runner === 'vitest') return 'vitest';
  if (process.env.JEST_WORKER_ID !== undefined) return 'jest';
  if (process.env.VITEST) return 'vitest';
  const nodeTest = process.getBuiltinModule('node:test') as typeof import('node:test');
  if (api.describe === nodeTest.describe || api.test === (nodeTest.test as unknown)) return 'node:test';
  if (typeof (globalThis as { mocha?: unknown }).mocha === 'object' || process.argv.some((a) => /mocha/.test(a))) {
    return 'mocha';
  }
  return 'unknown';
}

/** The command line that re-runs one rule under `runner`, with the replay environment in front. */
export function replayLine(runner: RunnerName, env: string, ruleId: string): string {
  // Test names are "<id>: <title>"; anchoring on "<id>:" keeps KV-1 from matching KV-10.
  const pattern = `${ruleId}:`;
  switch (runner) {
    case 'node:test':
      return `${env} node --test --test-name-pattern="${pattern}" <your test file>`;
    case 'vitest':
      return `${env} npx vitest run <your test file> -t "${pattern}"`;
    case 'jest':
      return `${env} npx jest <your test file> -t "${pattern}"`;
    case 'mocha':
      return `${env} npx mocha <your test file> --grep "${pattern}"`;
    default:
      return `${env} <your test command, filtered to the test named "${pattern}">`;
  }
}

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : Number(raw);
}

/** Registers the conformance suite in the current test file. */
export function runSaStorageSuite(factory: StorageFactory, options: RunSuiteOptions = {}): void {
  validateSuiteOptions(options, 'runSaStorageSuite', RUNNER_OPTION_CHECKS);
  const api = resolveRunner(options.runner);
  const runner = runnerName(options.runner, api);
  const fromEnv = {
    seed: options.seed ?? envNumber('SA_STORAGE_KIT_SEED'),
    path: options.path ?? (process.env.SA_STORAGE_KIT_PATH || undefined),
    replayPath: options.replayPath ?? (process.env.SA_STORAGE_KIT_REPLAY_PATH || undefined),
  };
  const { runner: _runner, name: _name, ...suiteOptions } = options;
  const session = new ConformanceSession(factory, { ...suiteOptions, ...fromEnv }, 'runSaStorageSuite');
  const profile = session.expect === 'unimplemented' ? 'stub contract' : `${session.clock} clock`;
  const selected = new Set(session.rules.map((rule) => rule.id));
  api.describe(`${options.name ?? 'SaStorage conformance'} (${profile}, seed ${session.seed})`, () => {
    api.beforeAll(() => session.prepare(), session.prepareTimeoutMs);
    // The diagnosis leads: this first test runs every rule (the rule tests below then report their
    // own result) and fails with the probable root causes, most basic first.
    api.test(
      'diagnosis: probable root causes, most basic first',
      async () => {
        await session.runAll();
        const findings = session.diagnosis();
        if (findings.length > 0) {
          throw new Error(
            `${findings.length} probable root cause${findings.length === 1 ? '' : 's'} (the failed rules below follow from them):\n${formatDiagnosis(findings)}`,
          );
        }
      },
      1_800_000,
    );
    for (const rule of [...contractRules, ...stubRules]) {
      if (!selected.has(rule.id)) continue;
      const name = `${rule.id}: ${rule.title}`;
      const skip = session.skipReason(rule);
      if (skip !== undefined && api.test.skip) {
        api.test.skip(`${name} — skipped: ${skip}`, () => undefined);
        continue;
      }
      // No declared parameter (Jest and mocha would wait for a `done` callback); vitest's and
      // node:test's context still arrives as the first argument.
      const body = async (...args: unknown[]) => {
        const context = args[0];
        const result = await session.runRule(rule);
        options.onRuleEnd?.(result); // as checkConformance does (the project's CI counts inconclusive rules)
        if (result.status === 'fail') {
          const replay = replayEnv(result);
          throw new Error(formatFailure(rule, result, replay ? replayLine(runner, replay, rule.id) : undefined));
        }
        if (result.status === 'skip' || result.status === 'partial') {
          const note = result.status === 'partial' ? `partial: ${result.reason}` : result.reason;
          const skipper = (context as { skip?: (note?: string) => void } | undefined)?.skip;
          if (typeof skipper === 'function') skipper.call(context, note);
          else console.warn(`${rule.id} ${result.status === 'partial' ? 'partial' : 'skipped'}: ${note}`);
        }
      };
      api.test(name, body, session.ruleTimeoutMs + 10_000);
    }
  });
}
