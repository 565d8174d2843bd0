/**
 * Checking a backend program: the suite over a ProcessBackend, with what the process itself
 * did wrong (an exit, garbage on stdout, an unknown id, a hang) put in the verdict.
 */
import { checkConformance } from '../suite/check.js';
import type { ConformanceReport, RuleResult, SuiteOptions } from '../suite/types.js';
import { ProcessBackend, type ProcessBackendOptions, type ProcessIncident } from './process-backend.js';

/** What the backend program itself did during a check: what every report shows beside the rules. */
export interface ProcessDetails {
  /** The program's command line, as given (run through the shell). */
  readonly command: string;
  /** Protocol breaches, each with the rule during which it happened. */
  readonly incidents: readonly ProcessIncident[];
  /** The program's last stderr lines (its log). */
  readonly stderrTail: readonly string[];
}

/** A conformance report on a backend program, plus what the program itself did wrong. */
export interface ProcessCheckReport extends ConformanceReport {
  /** What the program itself did: its protocol breaches and its log. */
  readonly process: ProcessDetails;
}

/** The details of `backend` now; `stderrLines` bounds the log's tail. */
export function processDetails(backend: ProcessBackend, stderrLines?: number): ProcessDetails {
  return {
    command: backend.command,
    incidents: [...backend.incidents],
    stderrTail: backend.stderrTail(stderrLines),
  };
}

/**
 * A rule during which the process broke the protocol fails, with that as its first reason,
 * even if the calls it made happened to be answered in a way the rule accepts (a ConnectionError
 * where any StorageError would do). The headline names the first breach: it is the root cause.
 */
export function applyIncidents(report: ConformanceReport, incidents: readonly ProcessIncident[]): ConformanceReport {
  if (incidents.length === 0) return report;
  const byRule = new Map<string, ProcessIncident>();
  for (const incident of incidents) {
    if (incident.during !== undefined && !byRule.has(incident.during)) byRule.set(incident.during, incident);
  }
  const results: RuleResult[] = report.results.map((result) => {
    const incident = byRule.get(result.id);
    if (incident === undefined || result.status === 'skip') return result; // a partial rule met by a breach fails
    if (result.status === 'fail' && result.reason?.includes(incident.message)) return result;
    const reason =
      result.status === 'fail' ? `${incident.message}\n(the rule's own finding: ${result.reason})` : incident.message;
    return { ...result, status: 'fail', reason };
  });
  const counts = { pass: 0, fail: 0, skip: 0, partial: 0 };
  for (const result of results) counts[result.status]++;
  const first = incidents[0] as ProcessIncident;
  const where = first.during !== undefined ? ` (during ${first.during})` : '';
  const summary = first.message.replace(/;? ?\n\s*\|? ?/g, (gap) => (gap.startsWith(';') ? '; ' : ' | '));
  return {
    ...report,
    conformant: false,
    verdict: 'not-conformant',
    results,
    counts,
    headline: `NOT CONFORMANT — ${summary}${where}; ${counts.fail} of ${results.length} rules failed`,
  };
}

/** Runs the suite against the program `command` (spawned through the shell) and reaps it. */
export async function checkProcessBackend(
  command: string,
  options: SuiteOptions & { readonly process?: ProcessBackendOptions } = {},
): Promise<ProcessCheckReport> {
  const { process: processOptions, ...suiteOptions } = options;
  const backend = new ProcessBackend(command, {
    silenceTimeoutMs: suiteOptions.callTimeoutMs ?? 5000,
    ...processOptions,
  });
  let report: ConformanceReport;
  try {
    report = await checkConformance(backend.factory, {
      ...suiteOptions,
      onRuleStart: (rule) => {
        backend.during(rule.id);
        suiteOptions.onRuleStart?.(rule);
      },
    });
  } finally {
    await backend.close();
  }
  return {
    ...applyIncidents(report, backend.incidents),
    process: processDetails(backend),
  };
}
