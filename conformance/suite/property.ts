/**
 * Runs a fast-check property inside a rule: seeded from the run's seed, replayable by
 * (seed, path), shrunk, and turned into a RuleFailure that carries the counterexample.
 */
import fc from 'fast-check';
import type { RuleContext } from './context.js';
import { RuleFailure } from './failures.js';

export async function runProperty<T>(
  t: RuleContext,
  ruleId: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  overrides: { numRuns?: number; render?: (value: T) => string } = {},
): Promise<void> {
  const { seed, path, numRuns, timeBudgetMs } = t.options;
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      await predicate(value);
    }),
    {
      seed,
      ...(path !== undefined ? { path } : {}),
      numRuns: overrides.numRuns ?? numRuns,
      ...(timeBudgetMs !== undefined ? { interruptAfterTimeLimit: timeBudgetMs, markInterruptAsFailure: false } : {}),
      endOnFailure: false,
    },
  );
  if (!details.failed) return;
  const error = details.errorInstance;
  const reason = error instanceof Error ? error.message : String(error);
  let counterexample = details.counterexample === null ? undefined : fc.stringify(details.counterexample[0]);
  // fc.commands appends which commands ran; replaying a shrunk sequence needs it as well.
  const replayPath = counterexample?.match(/ \/\*replayPath="([^"]*)"\*\/$/);
  if (replayPath && counterexample) counterexample = counterexample.slice(0, replayPath.index);
  if (overrides.render && details.counterexample !== null) counterexample = overrides.render(details.counterexample[0]);
  throw new RuleFailure(
    `${ruleId} property failed after ${details.numRuns} run(s) (${details.numShrinks} shrinks): ${reason}`,
    {
      ...(counterexample !== undefined ? { counterexample } : {}),
      ...(error instanceof RuleFailure ? { check: error.check } : {}),
      replay: {
        seed: details.seed,
        ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
        ...(replayPath?.[1] ? { replayPath: replayPath[1] } : {}),
      },
    },
  );
}
