/** The report as Markdown, for pull-request comments and CI job summaries. */
import type { ConformanceReport, RuleResult } from '../../conformance/index.js';
import type { ReportMetadata } from './json-report.js';
import { packageInfo } from './package-info.js';
import { ruleInfo, sharedFailureReason, specAnchor, summarizeByArea, truncate } from './report-summary.js';
import { formatDuration } from './terminal.js';

const REASON_LIMIT = 2000;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function inlineCode(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function failureSection(result: RuleResult, metadata: ReportMetadata): string[] {
  const rule = ruleInfo(result.id);
  const lines = [`### ❌ ${result.id} — ${result.title}`, ''];
  if (rule) lines.push(`> ${rule.spec} (\`SPEC.md#${specAnchor(result.id)}\`)`, '');
  lines.push(
    '**Failure:**',
    '',
    fenced(truncate(result.reason ?? 'failed', REASON_LIMIT, 'the JSON report has all of it')),
    '',
  );
  if (result.counterexample !== undefined) lines.push('**Counterexample:**', '', fenced(result.counterexample), '');
  if (rule) lines.push(`**If this fails:** ${rule.hint}`, '');
  const replay = metadata.replayCommands[result.id];
  if (replay !== undefined) lines.push(`**Replay:** ${inlineCode(replay)}`, '');
  return lines;
}

/** A backend program's breaches and log (`check --exec`), as the text report's epilogue shows them. */
function processSection(metadata: ReportMetadata): string[] {
  const details = metadata.process;
  if (details === undefined) return [];
  const { incidents, stderrTail } = details;
  const lines = ['## Backend process', '', `Command: ${inlineCode(details.command)}`, ''];
  if (incidents.length === 0) lines.push('It broke the protocol 0 times.', '');
  else {
    lines.push(`It broke the protocol ${incidents.length} time(s):`, '');
    for (const incident of incidents) {
      const where = incident.during !== undefined ? `**${incident.during}**: ` : '';
      lines.push(
        `- ${where}${incident.kind}`,
        '',
        fenced(truncate(incident.message, REASON_LIMIT, 'the JSON report has all of it')),
        '',
      );
    }
  }
  if (stderrTail.length === 0) lines.push('Backend log (stderr): empty', '');
  else lines.push(`Backend log (stderr, last ${stderrTail.length} lines):`, '', fenced(stderrTail.join('\n')), '');
  return lines;
}

export function renderMarkdownReport(report: ConformanceReport, metadata: ReportMetadata): string {
  const { name, version } = packageInfo();
  const { pass, fail, skip } = report.counts;
  const lines = [
    `# SaStorage conformance: ${report.conformant ? '✅' : '❌'} ${cell(report.headline)}`,
    '',
    '| | |',
    '|---|---|',
    `| Backend | ${inlineCode(metadata.target)} |`,
    `| Profile | ${report.expect === 'unimplemented' ? 'stub contract (--expect unimplemented)' : 'contract'} |`,
    `| Clock | ${report.clock} |`,
    `| Seed | \`${report.seed}\` |`,
    `| Rules | ${pass} passed, ${fail} failed, ${skip} skipped |`,
    `| Duration | ${formatDuration(report.durationMs)} |`,
    `| Kit | ${name} ${version} |`,
    '',
    ...(report.diagnosis.length > 0
      ? [
          '## Diagnosis: probable root causes, most basic first',
          '',
          ...report.diagnosis.flatMap((finding, index) => [
            `${index + 1}. **${cell(finding.title)}**  `,
            `   breaks ${finding.breaks.join(', ')}${finding.seenIn.join() === finding.breaks.join() ? '' : ` (seen while running ${finding.seenIn.join(', ')})`}  `,
            `   hint: ${cell(finding.hint)}`,
          ]),
          '',
        ]
      : []),
    '## Results by area',
    '',
    '| Area | Pass | Fail | Skip | Not passed |',
    '|---|---:|---:|---:|---|',
    ...summarizeByArea(report).map((area) => {
      const notPassed = area.results
        .filter((result) => result.status !== 'pass')
        .map((result) => `${result.status === 'fail' ? '❌' : result.status === 'partial' ? '◐' : '⏭️'} ${result.id}`)
        .join(', ');
      return `| ${cell(area.title)} | ${area.pass} | ${area.fail} | ${area.skip} | ${notPassed} |`;
    }),
    '',
  ];
  const skipped = report.results.filter((result) => result.status === 'skip' || result.status === 'partial');
  if (skipped.length > 0) {
    lines.push(
      '## Skipped',
      '',
      ...skipped.map((result) => `- **${result.id}** ${result.title}: ${result.reason ?? 'skipped'}`),
      '',
    );
  }
  const failures = report.results.filter((result) => result.status === 'fail');
  if (failures.length > 0) {
    const shared = sharedFailureReason(report);
    lines.push('## Failures', '');
    if (shared !== undefined) {
      lines.push(`The ${failures.length} failed rules all failed for one reason:`, '', fenced(shared), '');
    } else {
      lines.push(...failures.flatMap((result) => failureSection(result, metadata)));
    }
  }
  lines.push(...processSection(metadata));
  return `${lines.join('\n').trimEnd()}\n`;
}
