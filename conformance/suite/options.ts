/**
 * Validation of what the user passes to checkConformance, runSaStorageSuite and the CLI's module
 * exports: a misspelt option name, capability name or a value of the wrong type is refused at
 * once, naming the word and the nearest valid one, instead of being silently ignored.
 */
import type { Capability } from './types.js';

/** Every capability a backend may declare unsupported (one list: types, validation, CLI). */
export const CAPABILITIES: readonly Capability[] = [
  'keys',
  'namespaces',
  'large-values',
  'atomic-counters',
  'atomic-mset',
  'ttl',
  'expire',
];

/** Options were wrong: names the option (and the nearest valid word when there is one). */
export class SuiteOptionsError extends TypeError {
  readonly code = 'SA_STORAGE_KIT_OPTIONS';
  constructor(message: string) {
    super(message);
    this.name = 'SuiteOptionsError';
  }
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const prev = rows[i - 1] as number[];
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** The valid word nearest to `word` (case-insensitive), if it is near enough to be a likely typo. */
export function nearest(word: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of valid) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function didYouMean(word: string, valid: readonly string[]): string {
  const near = nearest(word, valid);
  return near !== undefined ? `did you mean "${near}"?` : `valid: ${valid.join(', ')}`;
}

type Check = (value: unknown) => string | undefined;

const isString: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
const isFunction: Check = (v) => (typeof v === 'function' ? undefined : 'a function');
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : values.map((x) => `"${x}"`).join(' or ');
const wholeNumber =
  (min: number, what = 'a whole number'): Check =>
  (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? undefined : `${what} ≥ ${min}`;
const stringList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'an array of strings';
const seedCheck: Check = (v) =>
  typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) <= 2 ** 31 ? undefined : 'a 32-bit integer';

/** The options every entry point takes, with what each must be. */
const SUITE_OPTION_CHECKS: Record<string, Check> = {
  clock: oneOf('virtual', 'real'),
  seed: seedCheck,
  path: isString,
  replayPath: isString,
  numRuns: wholeNumber(1),
  timeBudgetMs: wholeNumber(1, 'a whole number of milliseconds'),
  only: stringList,
  unsupported: () => undefined, // checked in detail below
  ttlResolution: () => undefined, // checked in detail below
  callTimeoutMs: wholeNumber(1, 'a whole number of milliseconds'),
  toleranceMs: wholeNumber(0, 'a whole number of milliseconds'),
  expect: oneOf('conformant', 'unimplemented'),
  onRuleStart: isFunction,
  onRuleEnd: isFunction,
};

/** runSaStorageSuite's own options, on top of the suite's. */
export const RUNNER_OPTION_CHECKS: Record<string, Check> = {
  runner: (v) =>
    v === 'vitest' || v === 'node:test' || (v !== null && typeof v === 'object')
      ? undefined
      : '"vitest", "node:test" or an object { describe, test, beforeAll }',
  name: isString,
};

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

/** Checks a capability map; `where` names it in messages ("options.unsupported", "export unsupported"). */
export function validateUnsupported(value: unknown, where: string): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SuiteOptionsError(
      `${where} must map capabilities to reasons, e.g. { keys: 'no key listing' }, not ${describeType(value)}`,
    );
  }
  for (const [capability, reason] of Object.entries(value)) {
    if (!(CAPABILITIES as readonly string[]).includes(capability)) {
      throw new SuiteOptionsError(
        `${where}: unknown capability "${capability}"; ${didYouMean(capability, CAPABILITIES)} (capabilities: ${CAPABILITIES.join(', ')})`,
      );
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new SuiteOptionsError(
        `${where}.${capability} must be the reason, a non-empty string (it is shown in the report), not ${describeType(reason)}`,
      );
    }
  }
}

/** Checks the TTL resolution declaration `{ ms, reason }`. */
export function validateTtlResolution(value: unknown, where: string): void {
  if (value === undefined) return;
  const shape = `${where} must be { ms: 1000, reason: 'the store keeps whole seconds' }`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SuiteOptionsError(`${shape}, not ${describeType(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'ms' && key !== 'reason') {
      throw new SuiteOptionsError(`${where}: unknown field "${key}"; ${didYouMean(key, ['ms', 'reason'])}`);
    }
  }
  const { ms, reason } = value as { ms?: unknown; reason?: unknown };
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 1 || ms > 60_000) {
    throw new SuiteOptionsError(
      `${where}.ms must be a whole number of milliseconds from 1 to 60000, not ${describeType(ms)}`,
    );
  }
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new SuiteOptionsError(
      `${where}.reason must be a non-empty string (shown in the report), not ${describeType(reason)}`,
    );
  }
}

/**
 * Refuses unknown option names (naming the nearest valid one) and values of the wrong type.
 * `extra` adds the checks of an entry point's own options (runSaStorageSuite's runner, name).
 */
export function validateSuiteOptions(options: unknown, where: string, extra: Record<string, Check> = {}): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new SuiteOptionsError(`${where}: the options must be an object, not ${describeType(options)}`);
  }
  const checks = { ...SUITE_OPTION_CHECKS, ...extra };
  const names = Object.keys(checks);
  for (const [name, value] of Object.entries(options)) {
    const check = checks[name];
    if (check === undefined) {
      throw new SuiteOptionsError(`${where}: unknown option "${name}"; ${didYouMean(name, names)}`);
    }
    if (value === undefined) continue;
    const expected = check(value);
    if (expected !== undefined) {
      throw new SuiteOptionsError(`${where}: option "${name}" must be ${expected}, not ${describeType(value)}`);
    }
  }
  const { unsupported, ttlResolution } = options as { unsupported?: unknown; ttlResolution?: unknown };
  validateUnsupported(unsupported, `${where}: option "unsupported"`);
  validateTtlResolution(ttlResolution, `${where}: option "ttlResolution"`);
}
