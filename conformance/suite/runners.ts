/**
 * runSaStorageSuite: registers one test per rule, named "<id>: <title>", in the calling
 * test runner. The core of the suite imports no runner: vitest is loaded only inside a
 * vitest worker, node:test only when asked for, or any runner's API can be passed in.
 */
import { contractRules, stubRules } from '../rules/index.js';
import { formatDiagnosis } from './diagnosis.js';
import { formatFailure, replayEnv } from './format.js';
import { ConformanceSession } from './session.js';
import type { StorageFactory, SuiteOptions } from './types.js';

type TestFn = (name: string, fn: (context?: unknown) => Promise<void> | void, timeout?: number) => unknown;

/** The parts of a test runner the suite needs (mocha, jest, vitest and node:test all have them). */
export interface TestRunnerApi {
  describe: (name: string, fn: () => void) => unknown;
  test: TestFn & { skip?: TestFn };
  beforeAll: (fn: () => Promise<void> | void, timeout?: number) => unknown;
}

export interface RunSuiteOptions extends SuiteOptions {
  /** 'vitest' (default), 'node:test', or a runner's API object. */
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

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : Number(raw);
}

/** Registers the conformance suite in the current test file. */
export function runSaStorageSuite(factory: StorageFactory, options: RunSuiteOptions = {}): void {
  const api = resolveRunner(options.runner);
  const fromEnv = {
    seed: options.seed ?? envNumber('SA_STORAGE_KIT_SEED'),
    path: options.path ?? (process.env.SA_STORAGE_KIT_PATH || undefined),
    replayPath: options.replayPath ?? (process.env.SA_STORAGE_KIT_REPLAY_PATH || undefined),
  };
  const session = new ConformanceSession(factory, { ...options, ...fromEnv });
  const profile = session.expect === 'unimplemented' ? 'stub contract' : `${session.clock} clock`;
  const selected = new Set(session.rules.map((rule) => rule.id));
  api.describe(`${options.name ?? 'SaStorage conformance'} (${profile}, seed ${session.seed})`, () => {
    api.beforeAll(() => session.prepare(), 120_000);
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
      api.test(
        name,
        async (context?: unknown) => {
          const result = await session.runRule(rule);
          if (result.status === 'fail') {
            const replay = replayEnv(result);
            throw new Error(
              formatFailure(rule, result, replay ? `${replay} <your test command> -t "${rule.id}"` : undefined),
            );
          }
          if (result.status === 'skip') {
            const skipper = (context as { skip?: (note?: string) => void } | undefined)?.skip;
            if (typeof skipper === 'function') skipper.call(context, result.reason);
            else console.warn(`${rule.id} skipped: ${result.reason}`);
          }
        },
        300_000,
      );
    }
  });
}
