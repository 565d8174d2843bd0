/**
 * How the report reads on the project's defect set: for each one-bug defect, the whole profile
 * is run and we count the failing rules and the findings the report leads with, and whether the
 * first finding names the defect's method. Run: `npx tsx scripts/bench/diagnosis-stats.ts [--json out.json]`.
 * Before the diagnosis existed, each failing rule was its own item of the summary, so "findings"
 * falls back to the failing-rule count and "first names the method" to the first failing rule's
 * reason naming it.
 */
import { writeFileSync } from 'node:fs';
import { defects } from '../../conformance/defects/index.js';
import { checkConformance } from '../../conformance/index.js';

interface Row {
  readonly id: string;
  readonly method: string | undefined;
  readonly failingRules: number;
  readonly findings: number;
  readonly firstNamesMethod: boolean;
  readonly first: string;
}

interface FindingLike {
  readonly method?: string;
  readonly title?: string;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const rows: Row[] = [];
for (const defect of defects) {
  const report = await checkConformance(defect.create, {
    seed: 1,
    clock: defect.clock ?? 'virtual',
    ...defect.options,
  });
  const failing = report.results.filter((r) => r.status === 'fail');
  const findings = (report as { diagnosis?: readonly FindingLike[] }).diagnosis;
  const declared = (defect as { method?: string | readonly string[] }).method;
  const methods = declared === undefined ? [] : typeof declared === 'string' ? [declared] : declared;
  const method = methods.length ? methods.join('|') : undefined;
  const firstFinding = findings?.[0];
  const first = firstFinding
    ? `${firstFinding.method}: ${firstFinding.title}`
    : `${failing[0]?.id} ${failing[0]?.reason}`;
  const firstNamesMethod =
    method !== undefined &&
    (firstFinding
      ? methods.includes(firstFinding.method ?? '')
      : new RegExp(`\\b(${method})\\(`).test(failing[0]?.reason ?? ''));
  if (process.env.DIAGNOSIS_DEBUG && !firstNamesMethod && findings) {
    for (const f of findings as readonly (FindingLike & { evidence?: readonly string[] })[]) {
      console.log(`[${defect.id}] ${f.method}: ${(f.evidence ?? []).map((e) => e.slice(0, 140)).join('\n      ')}`);
    }
  }
  rows.push({
    id: defect.id,
    method,
    failingRules: failing.length,
    findings: findings ? findings.length : failing.length,
    firstNamesMethod,
    first: first.slice(0, 160),
  });
}

const failingRules = rows.map((r) => r.failingRules);
const findingCounts = rows.map((r) => r.findings);
const named = rows.filter((r) => r.firstNamesMethod).length;
console.log(`defects: ${rows.length}`);
console.log(`failing rules per defect: median ${median(failingRules)}, max ${Math.max(...failingRules)}`);
console.log(`findings per defect: median ${median(findingCounts)}, max ${Math.max(...findingCounts)}`);
console.log(`defects that read as exactly one finding: ${rows.filter((r) => r.findings === 1).length}/${rows.length}`);
console.log(
  `first finding names the defect's method: ${named}/${rows.length} (${((100 * named) / rows.length).toFixed(1)} %)`,
);
for (const row of rows.filter((r) => !r.firstNamesMethod)) {
  console.log(`  ${row.id} (method ${row.method ?? '?'}): first is ${row.first}`);
}
const out = process.argv.indexOf('--json');
if (out > 0 && process.argv[out + 1]) writeFileSync(process.argv[out + 1] as string, JSON.stringify(rows, null, 2));
