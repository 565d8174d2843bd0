/** checkConformance: every selected rule against a factory, no test runner involved. */
import { ConformanceSession } from './session.js';
import type { ConformanceReport, StorageFactory, SuiteOptions } from './types.js';

/** Runs every selected rule against the factory, without a test runner, and resolves to the report. */
export async function checkConformance(
  factory: StorageFactory,
  options: SuiteOptions = {},
): Promise<ConformanceReport> {
  const session = new ConformanceSession(factory, options);
  await session.prepare();
  for (const rule of session.rules) {
    options.onRuleStart?.(rule);
    const result = await session.runRule(rule);
    options.onRuleEnd?.(result);
  }
  return session.report();
}
