/** Command lines that re-run a check, a whole run or exactly one failure. */
import type { RuleResult } from '../../conformance/index.js';
import type { CheckArguments } from './arguments.js';
import type { CheckTarget } from './check-target.js';
import { runningFromSource } from './package-info.js';

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `npm start --` inside this repository (the CLI runs from source), `npx sa-storage-kit check` elsewhere. */
function commandPrefix(): string {
  return runningFromSource() ? 'npm start --' : 'npx sa-storage-kit check';
}

function settingArgs(target: CheckTarget, args: CheckArguments): string[] {
  return [
    ...target.replayArgs,
    ...(target.clock === 'real' && args.backend !== 'redis' ? ['--clock', 'real'] : []),
    ...(args.expect === 'unimplemented' ? ['--expect', 'unimplemented'] : []),
    ...(args.callTimeoutMs !== undefined ? ['--call-timeout', String(args.callTimeoutMs)] : []),
    ...(args.timeBudgetMs !== undefined ? ['--time-budget', String(args.timeBudgetMs)] : []),
  ];
}

/** Re-runs exactly this rule; for a property rule, exactly its shrunk counterexample (seed, path, replay path). */
export function replayRuleCommand(result: RuleResult, seed: number, target: CheckTarget, args: CheckArguments): string {
  const replaySeed = result.replay?.seed ?? seed;
  const path = result.replay?.path;
  const replayPath = result.replay?.replayPath;
  const parts = [
    ...settingArgs(target, args),
    '--only',
    result.id,
    '--seed',
    String(replaySeed),
    ...(path !== undefined ? ['--path', path] : []),
    ...(replayPath !== undefined ? ['--replay-path', replayPath] : []),
  ];
  return `${commandPrefix()} ${parts.map(shellQuote).join(' ')}`;
}

/** Re-runs the whole check with the same seed (and the same rule selection and run count). */
export function replayRunCommand(seed: number, target: CheckTarget, args: CheckArguments): string {
  const parts = [
    ...settingArgs(target, args),
    ...(args.only.length > 0 ? ['--only', args.only.join(',')] : []),
    ...(args.runs !== undefined ? ['--runs', String(args.runs)] : []),
    '--seed',
    String(seed),
    ...(args.path !== undefined ? ['--path', args.path] : []),
    ...(args.replayPath !== undefined ? ['--replay-path', args.replayPath] : []),
  ];
  return `${commandPrefix()} ${parts.map(shellQuote).join(' ')}`;
}
