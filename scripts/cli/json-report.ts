/** The report as JSON: the ConformanceReport as the suite returns it, plus who made it and replay commands. */
import type { ConformanceReport } from '../../conformance/index.js';
import type { ProcessDetails } from '../../conformance/protocol/index.js';
import { packageInfo } from './package-info.js';

export interface ReportMetadata {
  /** What was checked, e.g. "./my-storage.mjs (default export)". */
  readonly target: string;
  /** Command re-running each failed rule, by rule id. */
  readonly replayCommands: Readonly<Record<string, string>>;
  /** A backend program (`check --exec`): its protocol breaches and the tail of its stderr. */
  readonly process?: ProcessDetails | undefined;
}

export function renderJsonReport(report: ConformanceReport, metadata: ReportMetadata): string {
  const { name, version } = packageInfo();
  const document = {
    kit: { name, version },
    target: metadata.target,
    ...report,
    replayCommands: metadata.replayCommands,
    ...(metadata.process !== undefined ? { process: metadata.process } : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
