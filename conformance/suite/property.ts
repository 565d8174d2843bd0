/**
 * Runs a fast-check property inside a rule: seeded from the run's seed, replayable by
 * (seed, path), shrunk, and turned into a RuleFailure that carries the counterexample.
 */
import fc from 'fast-check';
import type { RuleContext } from './context.js';
import { OutOfBudget, RuleFailure } from './failures.js';

export async function runProperty<T>(
  t: RuleContext,
  ruleId: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  overrides: { numRuns?: number; render?: (value: T) => string } = {},
): Promise<void> {
  const { seed, path, numRuns } = t.options;
  const asked = overrides.numRuns ?? numRuns;
  const budgetLeftMs = Math.max(1, Math.floor(t.deadline - performance.now()));
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      await predicate(value);
    }),
    {
      seed,
      ...(path !== undefined ? { path } : {}),
      numRuns: asked,
      // The rule's own time budget: no new run starts after it (what ran is reported, see below).
      interruptAfterTimeLimit: budgetLeftMs,
      markInterruptAsFailure: false,
      endOnFailure: false,
    },
  );
  // fast-check reports an interrupt before the first run completed as a failure without a counterexample.
  if (!details.failed || (details.interrupted && details.counterexample === null)) {
    if (details.interrupted && details.numRuns < asked) {
      throw new OutOfBudget(
        `${ruleId}: ${details.numRuns} of ${asked} property runs passed before the rule's time budget ran out`,
        { done: details.numRuns, asked },
      );
    }
    return;
  }
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
