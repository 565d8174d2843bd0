/**
 * Known holes: realistic defects that the rules named in `targets` should report but do not
 * (yet). They are kept apart from `defects` so the defect set stays green, and
 * test/defects.test.ts expects each of them to escape: when a rule is strengthened and starts
 * catching one, that test fails and the defect moves into the regular set (as the first five
 * did: see former-holes.ts). Empty today.
 */
import type { Defect } from './defect.js';

/** A defect the rules in `targets` do not catch yet, with why. */
export interface KnownHole extends Defect {
  /** Why the target rules miss it, and what check would catch it. */
  readonly hole: string;
}

/** Defects that still escape the suite (test/defects.test.ts expects each to escape). Empty today. */
export const knownHoles: readonly KnownHole[] = [];
