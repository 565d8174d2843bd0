/**
 * `sa-storage-kit check`: resolve the backend, run the suite with live progress, print the
 * report, write the requested report files, and turn the verdict into an exit code.
 */
import {
  type ConformanceReport,
  checkConformance,
  contractRules,
  type RuleResult,
  stubRules,
} from '../../conformance/index.js';
import type { CheckArguments } from './arguments.js';
import { type CheckTarget, resolveCheckTarget } from './check-target.js';
import { CliError, EXIT_CONFORMANT, EXIT_NOT_CONFORMANT, EXIT_PARTIAL, oneLine, UsageError } from './errors.js';
import { type ReportMetadata, renderJsonReport } from './json-report.js';
import { renderJunitReport } from './junit-report.js';
import { renderMarkdownReport } from './markdown-report.js';
import { writeOutputFile } from './output-files.js';
import { packageInfo } from './package-info.js';
import { createProgress } from './progress.js';
import { replayRuleCommand, replayRunCommand } from './replay-command.js';
import type { CommandIo } from './spec-command.js';
import { colorWanted, createStyle } from './terminal.js';
import { renderTextReport } from './text-report.js';

/** The rules the run will cover; an --only prefix that matches none of them is a usage error. */
function selectedRuleIds(args: CheckArguments): string[] {
  const profile = args.expect === 'unimplemented' ? stubRules : contractRules;
  if (args.only.length === 0) return profile.map((rule) => rule.id);
  const matches = (prefix: string) => profile.filter((rule) => rule.id === prefix || rule.id.startsWith(prefix));
  const unknown = args.only.filter((prefix) => matches(prefix).length === 0);
  if (unknown.length > 0) {
    const areas = [...new Set(profile.map((rule) => rule.id.replace(/-\d+$/, '')))].join(', ');
    const which =
      args.expect === 'unimplemented' ? 'stub rule (with --expect unimplemented only STUB rules run)' : 'rule';
    throw new UsageError(
      `--only ${unknown.join(',')} matches no ${which}; ids look like ${profile[0]?.id}, prefixes: ${areas}`,
    );
  }
  return profile
    .filter((rule) => args.only.some((prefix) => rule.id === prefix || rule.id.startsWith(prefix)))
    .map((r) => r.id);
}

/** process.exit as it was before any check patched it (a check makes a backend's exit throw). */
const exitProcess = process.exit.bind(process);

function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

async function runSuite(target: CheckTarget, args: CheckArguments, seed: number, io: CommandIo, idWidth: number) {
  const style = createStyle(colorWanted(io.stdout));
  const progress = createProgress(io.stdout, style, idWidth);
  try {
    return await checkConformance(target.factory, {
      clock: target.clock,
      seed,
      expect: args.expect,
      ...(args.path !== undefined ? { path: args.path } : {}),
      ...(args.replayPath !== undefined ? { replayPath: args.replayPath } : {}),
      ...(args.runs !== undefined ? { numRuns: args.runs } : {}),
      ...(args.only.length > 0 ? { only: args.only } : {}),
      ...(args.callTimeoutMs !== undefined ? { callTimeoutMs: args.callTimeoutMs } : {}),
      ...(args.timeBudgetMs !== undefined ? { timeBudgetMs: args.timeBudgetMs } : {}),
      ...(target.unsupported !== undefined ? { unsupported: target.unsupported } : {}),
      ...(target.ttlResolution !== undefined ? { ttlResolution: target.ttlResolution } : {}),
      ...progress,
      onRuleStart: (rule) => {
        target.process?.during(rule.id);
        progress.onRuleStart(rule);
      },
    });
  } catch (error) {
    throw new CliError(`the check stopped: ${oneLine(error)}`, 2, { cause: error });
  }
}

/** Stops a throwaway server (and anything else the target started) when the user presses Ctrl-C. */
function disposeOnInterrupt(target: CheckTarget): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    void target.dispose().finally(() => exitProcess(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function writeReportFiles(
  report: ConformanceReport,
  args: CheckArguments,
  metadata: ReportMetadata,
  io: CommandIo,
): void {
  const files = [
    [args.json, 'JSON report', renderJsonReport],
    [args.junit, 'JUnit report', renderJunitReport],
    [args.markdown, 'Markdown report', renderMarkdownReport],
  ] as const;
  for (const [path, what, render] of files) {
    if (path === undefined) continue;
    writeOutputFile(path, render(report, metadata), what);
    io.stdout.write(`${what}: ${path}\n`);
  }
}

export async function runCheck(args: CheckArguments, io: CommandIo): Promise<number> {
  const ruleIds = selectedRuleIds(args);
  const target = await resolveCheckTarget(args);
  const seed = args.seed ?? randomSeed();
  const style = createStyle(colorWanted(io.stdout));
  const { name, version } = packageInfo();
  const profile = args.expect === 'unimplemented' ? 'stub contract' : 'contract';
  io.stdout.write(`${style.bold(`${name} ${version}`)} — checking ${target.label}\n`);
  for (const note of target.notes) io.stdout.write(`${note}\n`);
  io.stdout.write(
    `${profile} · ${target.clock} clock · seed ${seed} · ${ruleIds.length} rule${ruleIds.length === 1 ? '' : 's'}\n\n`,
  );

  const stopListening = disposeOnInterrupt(target);
  // Backstop: if the process ends while the check runs (process.reallyExit, an exit the watch did
  // not see), it never ends with 0: CI must not read a check that did not finish as conformant.
  const onExitDuringCheck = (code: number) => {
    io.stderr.write(`sa-storage-kit: the process exited (code ${code}) before the check finished: no verdict\n`);
    if (args.json !== undefined) {
      try {
        writeOutputFile(
          args.json,
          `${JSON.stringify({ target: target.label, verdict: 'not-conformant', conformant: false, headline: `NOT CONFORMANT — the process exited (code ${code}) during the check` }, null, 2)}\n`,
          'JSON report',
        );
      } catch {}
    }
    process.exitCode = EXIT_NOT_CONFORMANT;
  };
  process.on('exit', onExitDuringCheck);
  let report: ConformanceReport;
  try {
    report = await runSuite(target, args, seed, io, Math.max(...ruleIds.map((id) => id.length)));
    if (target.process !== undefined) report = target.process.amend(report);
  } finally {
    process.off('exit', onExitDuringCheck);
    stopListening();
    await boundedDispose(target);
  }

  const replayRule = (result: RuleResult) => replayRuleCommand(result, report.seed, target, args);
  const replayCommands = Object.fromEntries(
    report.results.filter((result) => result.status === 'fail').map((result) => [result.id, replayRule(result)]),
  );
  io.stdout.write(
    renderTextReport(report, {
      style,
      verbose: args.verbose,
      replayRule,
      replayRun: replayRunCommand(report.seed, target, args),
    }),
  );
  if (target.process !== undefined) io.stdout.write(target.process.epilogue(args.verbose));
  writeReportFiles(report, args, { target: target.label, replayCommands, process: target.process?.details() }, io);
  if (report.conformant) return EXIT_CONFORMANT;
  return report.verdict === 'partial' ? EXIT_PARTIAL : EXIT_NOT_CONFORMANT;
}

/** The target's own dispose (a throwaway server) may not hold the verdict back for ever. */
async function boundedDispose(target: CheckTarget): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    target.dispose().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 10_000);
    }),
  ]);
  clearTimeout(timer);
}
