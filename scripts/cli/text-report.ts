/** The report for a terminal or a CI log: a table by area, skipped rules, failure details, verdict. */
import { type ConformanceReport, formatDiagnosis, type RuleResult } from '../../conformance/index.js';
import { ruleInfo, sharedFailureReason, specAnchor, summarizeByArea, truncate } from './report-summary.js';
import { formatDuration, type Style, statusSymbol } from './terminal.js';

export interface TextReportContext {
  readonly style: Style;
  /** Full failure texts instead of cut ones. */
  readonly verbose: boolean;
  readonly replayRule: (result: RuleResult) => string;
  readonly replayRun: string;
}

const REASON_LIMIT = 600;

function indentContinuation(text: string, indent: string): string {
  return text.split('\n').join(`\n${indent}`);
}

const MARKS_SHOWN = 6;

/** The ids of the rules that did not pass, marked ✗ or –, at most MARKS_SHOWN of them. */
function notPassedMarks(results: readonly RuleResult[], style: Style): string {
  const notPassed = results.filter((result) => result.status !== 'pass');
  const shown = notPassed.slice(0, MARKS_SHOWN).map((result) => `${statusSymbol(result.status, style)} ${result.id}`);
  if (notPassed.length > MARKS_SHOWN) shown.push(`… +${notPassed.length - MARKS_SHOWN}`);
  return shown.join(' ');
}

function renderTable(report: ConformanceReport, style: Style): string[] {
  const areas = summarizeByArea(report);
  const width = Math.max('Total'.length, ...areas.map((area) => area.title.length));
  const num = (n: number) => String(n).padStart(5);
  const lines = [
    style.bold('Results by area'),
    `  ${'Area'.padEnd(width)}  ${'pass'.padStart(5)} ${'fail'.padStart(5)} ${'skip'.padStart(5)}`,
  ];
  for (const area of areas) {
    const all = area.fail === area.results.length ? 'fail' : area.skip === area.results.length ? 'skip' : undefined;
    const marks = all !== undefined ? `${statusSymbol(all, style)} all` : notPassedMarks(area.results, style);
    lines.push(
      `  ${area.title.padEnd(width)}  ${num(area.pass)} ${num(area.fail)} ${num(area.skip)}${marks ? `   ${marks}` : ''}`,
    );
  }
  const { pass, fail, skip } = report.counts;
  lines.push(`  ${'Total'.padEnd(width)}  ${num(pass)} ${num(fail)} ${num(skip)}`);
  return lines;
}

function renderSkipped(report: ConformanceReport, style: Style): string[] {
  const skipped = report.results.filter((result) => result.status === 'skip');
  if (skipped.length === 0) return [];
  return [
    '',
    style.bold(`Skipped (${skipped.length})`),
    ...skipped.map(
      (result) => `  ${statusSymbol('skip', style)} ${result.id} ${result.title}: ${result.reason ?? 'skipped'}`,
    ),
  ];
}

/** Rules that ran out of the suite's time budget (what they checked), limits declared, incidents. */
function renderPartialAndDeclared(report: ConformanceReport, style: Style): string[] {
  const lines: string[] = [];
  const partial = report.results.filter((result) => result.status === 'partial');
  if (partial.length > 0) {
    lines.push('', style.bold(`Partial (${partial.length}) — ran out of the suite's time budget, nothing failed`));
    for (const result of partial) {
      const c = result.coverage;
      const runs = c?.runs !== undefined ? `${c.runs} of ${c.runsAsked} runs, ` : '';
      lines.push(
        `  ${statusSymbol('partial', style)} ${result.id} ${result.title}: checked ${runs}${c?.calls ?? 0} calls in a ${c?.budgetMs ?? '?'} ms budget (raise --time-budget, or lower --runs)`,
      );
    }
  }
  const declared = Object.entries(report.declared.unsupported);
  const resolution = report.declared.ttlResolution;
  if (declared.length > 0 || resolution !== undefined) {
    lines.push('', style.bold('Declared limits of the backend'));
    for (const [capability, reason] of declared) lines.push(`  no ${capability}: ${reason}`);
    if (resolution !== undefined) lines.push(`  TTL resolution ${resolution.ms} ms: ${resolution.reason}`);
  }
  const incidents = report.incidents ?? [];
  if (incidents.length > 0) {
    lines.push('', style.bold(`Outside any rule (${incidents.length})`), ...incidents.map((text) => `  ${text}`));
  }
  return lines;
}

function renderFailure(result: RuleResult, context: TextReportContext): string[] {
  const { style, verbose } = context;
  const rule = ruleInfo(result.id);
  const label = (name: string) => style.dim(`${name}:`.padEnd(16));
  const indent = ' '.repeat(18);
  const reason = result.reason ?? 'failed';
  const lines = [`${statusSymbol('fail', style)} ${style.bold(`${result.id} ${result.title}`)}`];
  if (rule) lines.push(`  ${label('spec')}${rule.spec} (SPEC.md#${specAnchor(result.id)})`);
  if (result.breaks !== undefined && result.breaks !== result.id) {
    lines.push(`  ${label('breaks')}${result.breaks} — seen while running ${result.id}`);
  }
  lines.push(
    `  ${label('failure')}${indentContinuation(verbose ? reason : truncate(reason, REASON_LIMIT, 'see --json or --verbose'), indent)}`,
  );
  if (result.counterexample !== undefined) {
    lines.push(`  ${label('counterexample')}${indentContinuation(result.counterexample, indent)}`);
  }
  if (rule) lines.push(`  ${label('hint')}${rule.hint}`);
  lines.push(`  ${label('replay')}${context.replayRule(result)}`);
  return lines;
}

function renderFailures(report: ConformanceReport, context: TextReportContext): string[] {
  const failures = report.results.filter((result) => result.status === 'fail');
  if (failures.length === 0) return [];
  const shared = sharedFailureReason(report);
  if (shared !== undefined) {
    const lines = [
      '',
      context.style.bold(`The ${failures.length} failed rules all failed for one reason:`),
      `  ${shared.replace(/\s*\n\s*/g, ' ')}`,
    ];
    if (/^not implemented/.test(shared) && report.expect === 'conformant') {
      lines.push('  If this backend is a stub on purpose, check the stub contract instead: add --expect unimplemented');
    }
    return lines;
  }
  return [
    '',
    context.style.bold(`Failures (${failures.length})`),
    ...failures.flatMap((result) => ['', ...renderFailure(result, context)]),
  ];
}

/** The diagnosis first: each probable root cause, the sentences it breaks, one hint. */
function renderDiagnosis(report: ConformanceReport, context: TextReportContext): string[] {
  if (report.diagnosis.length === 0) return [];
  const { style } = context;
  const count = report.diagnosis.length;
  return [
    '',
    style.bold(`Diagnosis: ${count} probable root cause${count === 1 ? '' : 's'}, most basic first`),
    ...formatDiagnosis(report.diagnosis, { evidence: context.verbose ? Number.POSITIVE_INFINITY : 3 })
      .split('\n')
      .map((line) => `  ${line}`),
  ];
}

export function renderTextReport(report: ConformanceReport, context: TextReportContext): string {
  const { style } = context;
  const headline = report.headline.replace(/\s*\n\s*/g, ' ');
  const lines = [
    ...renderDiagnosis(report, context),
    '',
    ...renderTable(report, style),
    ...renderSkipped(report, style),
    ...renderPartialAndDeclared(report, style),
    ...renderFailures(report, context),
    '',
    report.conformant
      ? style.bold(style.green(headline))
      : report.verdict === 'partial'
        ? style.bold(style.yellow(headline))
        : style.bold(style.red(headline)),
    `limits: ${report.limits.callTimeoutMs} ms per call, ${report.limits.timeBudgetMs} ms per rule`,
    `seed ${report.seed} · ${report.clock} clock · ${report.results.length} rule${report.results.length === 1 ? '' : 's'} in ${formatDuration(report.durationMs)}`,
    style.dim(`replay this run: ${context.replayRun}`),
  ];
  return `${lines.join('\n')}\n`;
}
