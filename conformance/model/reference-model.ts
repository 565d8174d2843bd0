/**
 * The contract as a pure in-memory model, used as the oracle of the model-based test.
 *
 * Time is handled with windows so that one model serves both clock modes: every call is
 * observed over [start, end] and every deadline is known within [lo, hi]. With a virtual
 * clock start = end and lo = hi, so every verdict is exact. With a real clock a key near its
 * deadline is "unknown": the model accepts either outcome and then collapses to what the
 * backend showed (a key seen gone stays gone).
 */
import { compilePattern, isStorageError, type StorageErrorKind, stepCounter } from '../contract/index.js';
import { describeValue, RuleFailure } from '../suite/failures.js';

/** [start, end] of one call, in the suite's time. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

interface ModelEntry {
  value: string;
  /** Earliest and latest possible deadline. Persistent: both Infinity. Maybe-gone: lo = -Infinity. */
  lo: number;
  hi: number;
}

type Status = 'live' | 'gone' | 'unknown';

export type CounterOutcome = number | StorageErrorKind;

export class ReferenceModel {
  readonly #entries = new Map<string, ModelEntry>();

  constructor(readonly toleranceMs: number) {}

  /** Keys the model holds (possibly live), for choosing clock moves. */
  deadlines(): number[] {
    return [...this.#entries.values()].map((e) => e.hi).filter((d) => Number.isFinite(d));
  }

  describe(): string {
    const parts = [...this.#entries].map(([key, e]) => {
      const deadline =
        e.hi === Number.POSITIVE_INFINITY ? 'persistent' : e.lo === e.hi ? `d=${e.lo}` : `d∈[${e.lo},${e.hi}]`;
      return `${JSON.stringify(key)}=${JSON.stringify(e.value)} (${deadline})`;
    });
    return `{${parts.join(', ')}}`;
  }

  #deadline(ttlMs: number | null, w: Window): { lo: number; hi: number } {
    if (ttlMs === null) return { lo: Number.POSITIVE_INFINITY, hi: Number.POSITIVE_INFINITY };
    return { lo: w.start + ttlMs - this.toleranceMs, hi: w.end + ttlMs + this.toleranceMs };
  }

  #status(entry: ModelEntry, w: Window): Status {
    if (w.end <= entry.lo) return 'live';
    if (w.start > entry.hi) return 'gone';
    return 'unknown';
  }

  /** The entry if it may be live; a certainly-expired entry is dropped. */
  #entry(key: string, w: Window): { entry: ModelEntry; status: Status } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const status = this.#status(entry, w);
    if (status === 'gone') {
      this.#entries.delete(key);
      return undefined;
    }
    return { entry, status };
  }

  #fail(rule: string, call: string, expected: string, got: unknown): never {
    throw new RuleFailure(
      `${call} resolved to ${describeValue(got)}, expected ${expected} [${rule}]; model before: ${this.describe()}`,
      { check: { breaks: rule, text: call } },
    );
  }

  get(key: string, w: Window, got: string | null, call = `get(${JSON.stringify(key)})`): void {
    const found = this.#entry(key, w);
    if (found === undefined) {
      if (got !== null) this.#fail('TTL-02', call, 'null (missing or expired key)', got);
      return;
    }
    if (got === null && found.status === 'unknown') {
      this.#entries.delete(key);
      return;
    }
    if (got !== found.entry.value)
      this.#fail(found.status === 'live' ? 'KV-01' : 'TTL-01', call, describeValue(found.entry.value), got);
  }

  exists(key: string, w: Window, got: boolean): void {
    const found = this.#entry(key, w);
    const call = `exists(${JSON.stringify(key)})`;
    if (found === undefined) {
      if (got !== false) this.#fail('TTL-02', call, 'false', got);
    } else if (found.status === 'live' && got !== true) {
      this.#fail('KV-06', call, 'true', got);
    } else if (found.status === 'unknown' && !got) {
      this.#entries.delete(key);
    }
  }

  ttl(key: string, w: Window, got: number | null): void {
    const call = `ttl(${JSON.stringify(key)})`;
    const found = this.#entry(key, w);
    if (found === undefined) {
      if (got !== null) this.#fail('TTL-04', call, 'null (missing or expired key)', got);
      return;
    }
    const { entry, status } = found;
    const canBeNull = entry.hi === Number.POSITIVE_INFINITY || status === 'unknown';
    const low = Math.max(0, Math.ceil(entry.lo - w.end));
    const high = Math.floor(entry.hi - w.start);
    if (got === null) {
      if (!canBeNull)
        this.#fail('TTL-04', call, entry.lo === entry.hi ? String(high) : `a number in [${low}, ${high}]`, got);
      if (status === 'unknown' && entry.hi !== Number.POSITIVE_INFINITY) this.#entries.delete(key);
      return;
    }
    const hasDeadline = entry.lo !== Number.POSITIVE_INFINITY;
    if (!hasDeadline) this.#fail('TTL-04', call, 'null (persistent key)', got);
    if (!(Number.isInteger(got) && got >= low && got <= high)) {
      this.#fail('TTL-04', call, low === high ? String(low) : `a whole number in [${low}, ${high}]`, got);
    }
  }

  set(key: string, value: string, ttlMs: number | null, w: Window): void {
    this.#entries.set(key, { value, ...this.#deadline(ttlMs, w) });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  expire(key: string, ttlMs: number, w: Window): void {
    const found = this.#entry(key, w);
    if (found === undefined) return;
    const deadline = this.#deadline(ttlMs, w);
    // Unknown: it was either live (new deadline) or already gone (stays gone).
    if (found.status === 'unknown') found.entry.lo = Number.NEGATIVE_INFINITY;
    else found.entry.lo = deadline.lo;
    found.entry.hi = deadline.hi;
  }

  clear(): void {
    this.#entries.clear();
  }

  counter(key: string, delta: 1 | -1, w: Window, got: CounterOutcome): void {
    const call = `${delta > 0 ? 'incr' : 'decr'}(${JSON.stringify(key)})`;
    const fresh = outcome(null, delta, key);
    const found = this.#entry(key, w);
    if (found === undefined) {
      if (got !== fresh.result) this.#fail(ruleFor(fresh.result), call, describeValue(fresh.result), got);
      this.#entries.set(key, {
        value: fresh.stored as string,
        lo: Number.POSITIVE_INFINITY,
        hi: Number.POSITIVE_INFINITY,
      });
      return;
    }
    const { entry, status } = found;
    const onLive = outcome(entry.value, delta, key);
    const matchesLive = got === onLive.result;
    const matchesFresh = status === 'unknown' && got === fresh.result;
    if (!matchesLive && !matchesFresh) {
      this.#fail(
        ruleFor(onLive.result),
        call,
        `${describeValue(onLive.result)} (value ${JSON.stringify(entry.value)})`,
        got,
      );
    }
    if (matchesLive && matchesFresh) {
      // Same answer either way: the value is certain, whether a deadline remains is not.
      entry.value = onLive.stored as string;
      entry.hi = Number.POSITIVE_INFINITY;
    } else if (matchesLive) {
      if (onLive.stored !== null) entry.value = onLive.stored; // the deadline is kept
    } else {
      this.#entries.set(key, {
        value: fresh.stored as string,
        lo: Number.POSITIVE_INFINITY,
        hi: Number.POSITIVE_INFINITY,
      });
    }
  }

  keys(pattern: string, w: Window, got: readonly string[]): void {
    const call = `keys(${JSON.stringify(pattern)})`;
    if (!Array.isArray(got)) this.#fail('PAT-06', call, 'an array of keys', got);
    const seen = new Set<string>();
    const matches = compilePattern(pattern);
    for (const key of got) {
      if (seen.has(key)) this.#fail('PAT-06', call, 'each key once', got);
      seen.add(key);
      if (!matches(key)) this.#fail('PAT-07', call, `only keys matching the pattern (not ${JSON.stringify(key)})`, got);
      if (this.#entry(key, w) === undefined)
        this.#fail('PAT-06', call, `only live keys (${JSON.stringify(key)} is missing or expired)`, got);
    }
    for (const key of [...this.#entries.keys()]) {
      const found = this.#entry(key, w);
      if (found === undefined || !matches(key) || seen.has(key)) continue;
      if (found.status === 'live') this.#fail('PAT-07', call, `a list including ${JSON.stringify(key)}`, got);
      else this.#entries.delete(key);
    }
  }
}

function outcome(stored: string | null, delta: 1 | -1, key: string): { result: CounterOutcome; stored: string | null } {
  try {
    const step = stepCounter(stored, delta, key);
    return { result: step.result, stored: step.stored };
  } catch (error) {
    if (isStorageError(error)) return { result: error.kind, stored: null };
    throw error;
  }
}

function ruleFor(result: CounterOutcome): string {
  if (result === 'SerializationError') return 'CTR-04';
  if (result === 'OperationFailed') return 'CTR-05';
  return 'CTR-02';
}
