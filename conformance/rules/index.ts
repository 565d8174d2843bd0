/**
 * The rule registry: every decision of the contract as a rule with a stable ID, grouped
 * by area. The spec document (SPEC.md) is generated from this list.
 */
import { bulkRules } from './bulk.js';
import { concurrencyRules } from './concurrency.js';
import { counterRules } from './counters.js';
import { failureRules } from './failures.js';
import { keysValuesRules } from './keys-values.js';
import { modelRules } from './model.js';
import { namespaceRules } from './namespaces.js';
import { patternRules } from './patterns.js';
import type { Rule } from './rule.js';
import { stubRules } from './stub.js';
import { ttlRules } from './ttl.js';
import { wiringRules } from './wiring.js';

/** The contract's rules, in spec order: the wiring probes first, so their findings lead. */
export const contractRules: readonly Rule[] = [
  ...wiringRules,
  ...keysValuesRules,
  ...ttlRules,
  ...bulkRules,
  ...counterRules,
  ...patternRules,
  ...namespaceRules,
  ...failureRules,
  ...concurrencyRules,
  ...modelRules,
];

export type { Rule };
/** Rules an unimplemented backend is held to instead (`expect: 'unimplemented'`). */
export { stubRules };
