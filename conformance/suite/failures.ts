/** How a rule says it failed, and how a check says it could not decide. */
import type { Replay } from './types.js';

/**
 * What a single check verifies: the contract sentence (rule id) it breaks when it fails, which
 * method it puts under test, and (for the hint) what kind of wrong answer it looks for. Every part
 * is optional: the running rule is the default sentence, and the method is read from the check's text.
 */
export interface CheckTag {
  /** Rule id whose sentence this check verifies, e.g. "TTL-04". */
  readonly breaks?: string;
  /** The method under test (the suspect when the check fails), e.g. "expire". */
  readonly method?: string;
  /** A hint that fits this check better than its rule's hint. */
  readonly hint?: string;
  /** The check's own text, without the answer (filled in by the expect helpers). */
  readonly text?: string;
}

/** A contract violation found by a rule. */
export class RuleFailure extends Error {
  readonly counterexample: string | undefined;
  readonly replay: Omit<Replay, 'ruleId'> | undefined;
  readonly check: CheckTag;

  constructor(
    message: string,
    details: { counterexample?: string; replay?: Omit<Replay, 'ruleId'>; check?: CheckTag } = {},
  ) {
    super(message);
    this.name = 'RuleFailure';
    this.counterexample = details.counterexample;
    this.replay = details.replay;
    this.check = details.check ?? {};
  }
}

/** The check could not reach a verdict (e.g. a search cap); reported as a skip with the reason, never as a pass. */
export class Inconclusive extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Inconclusive';
  }
}

/**
 * The rule ran out of the suite's own time budget before checking everything: reported as
 * `partial` with what it checked, never as a failure (the backend broke no rule by being slow).
 */
export class OutOfBudget extends Error {
  constructor(
    message: string,
    readonly runs?: { readonly done: number; readonly asked: number },
  ) {
    super(message);
    this.name = 'OutOfBudget';
  }
}

/** Never throws, whatever the value (a revoked proxy, a null-prototype object, a throwing toJSON). */
export function describeValue(value: unknown): string {
  try {
    return describeValueUnsafe(value);
  } catch {
    return `a ${typeof value} that cannot be shown`;
  }
}

function describeValueUnsafe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 60))}… (${value.length} chars)` : JSON.stringify(value);
  }
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `a function ${value.name || '(anonymous)'}`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
