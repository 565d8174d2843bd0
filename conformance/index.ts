/** `sa-storage-kit/conformance`: the conformance suite for SaStorage backends. */

export { VirtualClock } from './clock.js';
export { contractRules, type Rule, stubRules } from './rules/index.js';
export { checkConformance } from './suite/check.js';
export { type Finding, formatDiagnosis } from './suite/diagnosis.js';
export { formatFailure, replayEnv } from './suite/format.js';
export { CAPABILITIES, SuiteOptionsError } from './suite/options.js';
export { type RunSuiteOptions, runSaStorageSuite, type TestRunnerApi } from './suite/runners.js';
export type {
  Area,
  Capability,
  ClockMode,
  ConformanceReport,
  DisposableStorage,
  FactoryContext,
  Replay,
  RuleCoverage,
  RuleInfo,
  RuleResult,
  RuleStatus,
  StorageFactory,
  SuiteOptions,
  TtlResolution,
  Verdict,
} from './suite/types.js';

import { contractRules, stubRules } from './rules/index.js';
import type { RuleInfo } from './suite/types.js';

/** The registry as data: every rule's id, area, title, spec sentence and hint. */
export const rules: readonly RuleInfo[] = [...contractRules, ...stubRules].map(
  ({ id, area, title, spec, hint, requires, millisecondTtl }) => ({
    id,
    area,
    title,
    spec,
    hint,
    ...(requires ? { requires } : {}),
    ...(millisecondTtl ? { millisecondTtl } : {}),
  }),
);
