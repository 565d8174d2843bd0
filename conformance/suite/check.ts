/** checkConformance: every selected rule against a factory, no test runner involved. */
import { ProcessWatch } from './process-watch.js';
import { ConformanceSession } from './session.js';
import type { ConformanceReport, StorageFactory, SuiteOptions } from './types.js';

/**
 * Runs the suite and resolves with the report, whatever the backend does: while it runs, the
 * process is kept alive and watched (see ProcessWatch). Bad options reject with SuiteOptionsError.
 */
export async function checkConformance(
  factory: StorageFactory,
  options: SuiteOptions = {},
): Promise<ConformanceReport> {
  const session = new ConformanceSession(factory, options);
  const watch = new ProcessWatch();
  session.watch = watch;
  watch.start();
  try {
    await session.prepare();
    for (const rule of session.rules) {
      options.onRuleStart?.(rule);
      const result = await session.runRule(rule);
      options.onRuleEnd?.(result);
    }
    // What the backend scheduled near the end still surfaces before the verdict.
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
    return session.report();
  } finally {
    watch.stop();
  }
}
