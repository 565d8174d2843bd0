/**
 * The report as JUnit XML (what CI systems show in their test tabs): one <testsuite> per
 * area, one <testcase> per rule, <failure> and <skipped> with the reason.
 */
import type { ConformanceReport, RuleResult } from '../../conformance/index.js';
import type { ReportMetadata } from './json-report.js';
import { packageInfo } from './package-info.js';
import { ruleInfo, summarizeByArea } from './report-summary.js';

/** Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/FFFF) become U+FFFD. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const attributes = (pairs: Record<string, string | number>) =>
  Object.entries(pairs)
    .map(([name, value]) => `${name}="${escapeXml(String(value))}"`)
    .join(' ');

function failureBody(result: RuleResult, replay: string | undefined): string {
  const rule = ruleInfo(result.id);
  return [
    rule ? `spec: ${rule.spec}` : undefined,
    `failure: ${result.reason ?? 'failed'}`,
    result.counterexample !== undefined ? `counterexample: ${result.counterexample}` : undefined,
    rule ? `hint: ${rule.hint}` : undefined,
    replay !== undefined ? `replay: ${replay}` : undefined,
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}

function testcase(result: RuleResult, metadata: ReportMetadata): string {
  const head = `    <testcase ${attributes({ classname: `sa-storage-kit.${result.area}`, name: `${result.id}: ${result.title}`, time: seconds(result.durationMs) })}`;
  if (result.status === 'pass') return `${head}/>`;
  if (result.status === 'skip' || result.status === 'partial') {
    const message = result.status === 'partial' ? `partial: ${result.reason}` : (result.reason ?? 'skipped');
    return `${head}>\n      <skipped ${attributes({ message })}/>\n    </testcase>`;
  }
  const message = (result.reason ?? 'failed').split('\n')[0] as string;
  return [
    `${head}>`,
    `      <failure ${attributes({ message: message.length > 500 ? `${message.slice(0, 500)}…` : message, type: 'NotConformant' })}>${escapeXml(failureBody(result, metadata.replayCommands[result.id]))}</failure>`,
    '    </testcase>',
  ].join('\n');
}

/**
 * A backend program's own failures (`check --exec`): one failed testcase per protocol breach,
 * and its stderr tail as the suite's <system-err>, where CI test tabs show a log.
 */
function processSuite(metadata: ReportMetadata): string[] {
  const details = metadata.process;
  if (details === undefined) return [];
  const { incidents, stderrTail } = details;
  const cases =
    incidents.length === 0
      ? [
          `    <testcase ${attributes({ classname: 'sa-storage-kit.process', name: 'speaks the protocol', time: '0.000' })}/>`,
        ]
      : incidents.map((incident, index) => {
          const message = incident.message.split('\n')[0] as string;
          return [
            `    <testcase ${attributes({ classname: 'sa-storage-kit.process', name: `protocol breach ${index + 1}: ${incident.kind}${incident.during !== undefined ? ` (during ${incident.during})` : ''}`, time: '0.000' })}>`,
            `      <failure ${attributes({ message: message.length > 500 ? `${message.slice(0, 500)}…` : message, type: 'ProtocolBreach' })}>${escapeXml(incident.message)}</failure>`,
            '    </testcase>',
          ].join('\n');
        });
  return [
    [
      `  <testsuite ${attributes({ name: `SaStorage conformance: backend process ${details.command}`, tests: cases.length, failures: incidents.length, errors: 0, skipped: 0, time: '0.000' })}>`,
      ...cases,
      `    <system-err>${escapeXml(stderrTail.join('\n'))}</system-err>`,
      '  </testsuite>',
    ].join('\n'),
  ];
}

export function renderJunitReport(report: ConformanceReport, metadata: ReportMetadata): string {
  const { name, version } = packageInfo();
  const properties = [
    ['target', metadata.target],
    ['seed', String(report.seed)],
    ['clock', report.clock],
    ['expect', report.expect],
    ['headline', report.headline],
    ['kit', `${name} ${version}`],
  ]
    .map(([key, value]) => `      <property ${attributes({ name: key as string, value: value as string })}/>`)
    .join('\n');
  const suites = summarizeByArea(report).map((area) => {
    const time = area.results.reduce((sum, result) => sum + result.durationMs, 0);
    return [
      `  <testsuite ${attributes({ name: `SaStorage conformance: ${area.title}`, tests: area.results.length, failures: area.fail, errors: 0, skipped: area.skip, time: seconds(time), timestamp: report.startedAt.replace(/\.\d+Z$/, '') })}>`,
      '    <properties>',
      properties,
      '    </properties>',
      ...area.results.map((result) => testcase(result, metadata)),
      '  </testsuite>',
    ].join('\n');
  });
  const { pass, fail, skip } = report.counts;
  // The diagnosis leads: one failed testcase per probable root cause, before the rules.
  const diagnosis =
    report.diagnosis.length === 0
      ? []
      : [
          [
            `  <testsuite ${attributes({ name: 'SaStorage conformance: diagnosis', tests: report.diagnosis.length, failures: report.diagnosis.length, errors: 0, skipped: 0, time: '0.000' })}>`,
            ...report.diagnosis.map((finding, index) =>
              [
                `    <testcase ${attributes({ classname: 'sa-storage-kit.diagnosis', name: `root cause ${index + 1}: ${finding.method}`, time: '0.000' })}>`,
                `      <failure ${attributes({ message: finding.title.length > 500 ? `${finding.title.slice(0, 500)}…` : finding.title, type: 'ProbableRootCause' })}>${escapeXml([`breaks ${finding.breaks.join(', ')}`, `hint: ${finding.hint}`, ...finding.evidence].join('\n'))}</failure>`,
                '    </testcase>',
              ].join('\n'),
            ),
            '  </testsuite>',
          ].join('\n'),
        ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes({ name: 'sa-storage-kit conformance', tests: pass + fail + skip, failures: fail, errors: 0, skipped: skip, time: seconds(report.durationMs) })}>`,
    ...diagnosis,
    ...processSuite(metadata),
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
