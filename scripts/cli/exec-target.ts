/** `check --exec COMMAND`: a backend program speaking the process protocol (docs/protocol.md). */
import type { ConformanceReport } from '../../conformance/index.js';
import {
  applyIncidents,
  ProcessBackend,
  type ProcessDetails,
  processDetails,
} from '../../conformance/protocol/index.js';
import type { CheckArguments } from './arguments.js';
import type { CheckTarget } from './check-target.js';

export interface ExecHooks {
  /** Incidents that follow are attributed to this rule. */
  during(ruleId: string): void;
  /** The report with the process's protocol breaches in the verdict. */
  amend(report: ConformanceReport): ConformanceReport;
  /** What the program did and wrote on stderr, for the report files. */
  details(): ProcessDetails;
  /** The same, as text printed after the report. */
  epilogue(verbose: boolean): string;
}

/** Lines of the program's log the report files carry (the terminal shows 20, 200 with --verbose). */
const STDERR_LINES_IN_FILES = 50;

/** The epilogue of the text report: the breaches (5 of them unless verbose) and the log's tail. */
function renderProcessEpilogue(details: ProcessDetails, verbose: boolean): string {
  const lines: string[] = [];
  const { incidents, stderrTail: tail } = details;
  if (incidents.length > 0) {
    lines.push('', `The backend process broke the protocol ${incidents.length} time(s):`);
    for (const incident of incidents.slice(0, verbose ? undefined : 5)) {
      const where = incident.during !== undefined ? `[${incident.during}] ` : '';
      lines.push(`  ${where}${incident.message.split('\n').join('\n    ')}`);
    }
  }
  lines.push(
    '',
    tail.length === 0 ? 'Backend log (stderr): empty' : `Backend log (stderr, last ${tail.length} lines):`,
  );
  for (const line of tail) lines.push(`  | ${line}`);
  return `${lines.join('\n')}\n`;
}

export function resolveExecTarget(command: string, args: CheckArguments): CheckTarget {
  const backend = new ProcessBackend(command, { silenceTimeoutMs: args.callTimeoutMs ?? 5000 });
  return {
    label: `the program \`${command}\` (process protocol 1)`,
    factory: backend.factory,
    clock: args.clock ?? 'virtual',
    unsupported: undefined,
    replayArgs: ['--exec', command],
    notes: [],
    dispose: () => backend.close(),
    process: {
      during: (ruleId) => backend.during(ruleId),
      amend: (report) => applyIncidents(report, backend.incidents),
      details: () => processDetails(backend, STDERR_LINES_IN_FILES),
      epilogue: (verbose) => renderProcessEpilogue(processDetails(backend, verbose ? 200 : 20), verbose),
    },
  };
}
