/** Shared views of a report for every renderer: results grouped by area, rule texts, long reasons. */
import { type Area, type ConformanceReport, type RuleInfo, type RuleResult, rules } from '../../conformance/index.js';
import { AREA_ORDER, AREA_TITLES } from './areas.js';

export interface AreaSummary {
  readonly area: Area;
  readonly title: string;
  readonly results: readonly RuleResult[];
  readonly pass: number;
  readonly fail: number;
  readonly skip: number;
}

/** Areas that have at least one result, in spec order. */
export function summarizeByArea(report: ConformanceReport): AreaSummary[] {
  return AREA_ORDER.flatMap((area) => {
    const results = report.results.filter((result) => result.area === area);
    if (results.length === 0) return [];
    const count = (status: RuleResult['status']) => results.filter((result) => result.status === status).length;
    return [{ area, title: AREA_TITLES[area], results, pass: count('pass'), fail: count('fail'), skip: count('skip') }];
  });
}

const RULES_BY_ID = new Map(rules.map((rule) => [rule.id, rule]));

/** The citable text of a rule (spec sentence, hint), by id. */
export function ruleInfo(id: string): RuleInfo | undefined {
  return RULES_BY_ID.get(id);
}

/** The anchor of a rule in SPEC.md. */
export function specAnchor(id: string): string {
  return id.toLowerCase();
}

/**
 * When several rules failed for one and the same reason (a factory that throws, a stub), that
 * reason, so renderers can say it once instead of once per rule.
 */
export function sharedFailureReason(report: ConformanceReport): string | undefined {
  const failures = report.results.filter((result) => result.status === 'fail');
  const first = failures[0];
  if (failures.length < 2 || first?.reason === undefined) return undefined;
  return failures.every((result) => result.reason === first.reason && result.counterexample === undefined)
    ? first.reason
    : undefined;
}

/** Cuts a long text, saying how much is left out and where to find all of it. */
export function truncate(text: string, max: number, whereFull: string): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters; ${whereFull})`;
}
