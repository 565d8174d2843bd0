import type { RuleContext } from '../suite/context.js';
import type { RuleInfo } from '../suite/types.js';

/** A rule: its citable text plus the check that enforces it. */
export interface Rule extends RuleInfo {
  /** Checks the rule; a failure throws with what happened. */
  run(t: RuleContext): Promise<void>;
}
