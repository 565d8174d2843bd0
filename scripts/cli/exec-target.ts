/** `check --exec COMMAND`: a backend program speaking the process protocol (docs/protocol.md). */
import type { ConformanceReport } from '../../conformance/index.js';
import { applyIncidents, ProcessBackend } from '../../conformance/protocol/index.js';
import type { CheckArguments } from './arguments.js';
import type { CheckTarget } from './check-target.js';

export interface ExecHooks {
  /** Incidents that follow are attributed to this rule. */
  during(ruleId: string): void;
  /** The report with the process's protocol breaches in the verdict. */
  amend(report: ConformanceReport): ConformanceReport;
  /** What the program did and wrote on stderr, printed after the report. */
  epilogue(verbose: boolean): string;
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
      epilogue: (verbose) => {
        const lines: string[] = [];
        if (backend.incidents.length > 0) {
          lines.push('', `The backend process broke the protocol ${backend.incidents.length} time(s):`);
          for (const incident of backend.incidents.slice(0, verbose ? undefined : 5)) {
            const where = incident.during !== undefined ? `[${incident.during}] ` : '';
            lines.push(`  ${where}${incident.message.split('\n').join('\n    ')}`);
          }
        }
        const tail = backend.stderrTail(verbose ? 200 : 20);
        lines.push(
          '',
          tail.length === 0 ? 'Backend log (stderr): empty' : `Backend log (stderr, last ${tail.length} lines):`,
        );
        for (const line of tail) lines.push(`  | ${line}`);
        return `${lines.join('\n')}\n`;
      },
    },
  };
}
