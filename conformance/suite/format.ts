/** Human-readable rendering of results, shared by the test-runner adapters and the CLI. */
import type { RuleInfo, RuleResult } from './types.js';

/** The command that re-runs exactly this failure under a test runner (env vars read by runSaStorageSuite). */
export function replayEnv(result: RuleResult): string | undefined {
  if (!result.replay) return undefined;
  const path = result.replay.path ? ` SA_STORAGE_KIT_PATH=${result.replay.path}` : '';
  const commands = result.replay.replayPath ? ` SA_STORAGE_KIT_REPLAY_PATH='${result.replay.replayPath}'` : '';
  return `SA_STORAGE_KIT_SEED=${result.replay.seed}${path}${commands}`;
}

/** A failed rule as text: spec sentence, failure, counterexample, replay and hint. */
export function formatFailure(rule: RuleInfo, result: RuleResult, replayCommand?: string): string {
  const where =
    result.breaks !== undefined && result.breaks !== rule.id
      ? ` (breaks ${result.breaks} — seen while running ${rule.id})`
      : '';
  const lines = [`${rule.id} ${rule.title}`, `  spec: ${rule.spec}`, `  failure${where}: ${result.reason ?? 'failed'}`];
  if (result.counterexample) {
    lines.push('  counterexample:', ...result.counterexample.split('\n').map((line) => `    ${line}`));
  }
  if (result.replay) {
    const path = `${result.replay.path ? ` path ${result.replay.path}` : ''}${result.replay.replayPath ? ` replayPath ${result.replay.replayPath}` : ''}`;
    lines.push(`  replay: seed ${result.replay.seed}${path}${replayCommand ? ` → ${replayCommand}` : ''}`);
  }
  lines.push(`  if this fails, check: ${rule.hint}`);
  return lines.join('\n');
}
