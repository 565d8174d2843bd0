/**
 * Linearizability checker for concurrent key-value histories (get/set/delete/incr/decr).
 *
 * Linearizability is local (Herlihy & Wing 1990): a history is linearizable iff each key's
 * sub-history is, so every key is checked on its own. Per key the search is the Wing & Gong
 * depth-first search with Lowe's memoization: extend a partial linearization with any
 * "minimal" operation (not yet linearized, every happens-before predecessor linearized) whose
 * recorded result the sequential model reproduces, and never revisit a configuration
 * (set of linearized operations, model value). A cap on configurations per key turns an
 * intractable search into an explicit `unknown` verdict, never into a silent pass.
 *
 * Timestamps are logical: one counter shared by all clients, incremented at every invocation
 * and every response. A happens-before B iff A.respondedAt < B.invokedAt.
 *
 * Operations whose outcome is unknown (a timeout, a dropped connection) may be given as
 * pending: `respondedAt = Infinity`. A pending operation may take effect at any point after
 * its invocation or never, and its `result` is ignored. `recordConcurrentHistory` never
 * produces pending events: it fails loudly on any unexpected error instead (see there).
 */
import { stepCounter } from '../contract/counter.js';
import { isStorageError } from '../contract/errors.js';

/** What incr/decr answered: the new value, or the kind of the StorageError it rejected with. */
export type CounterResult = number | 'SerializationError' | 'OperationFailed';

export type LinearOp =
  | { kind: 'get'; key: string; result: string | null }
  | { kind: 'set'; key: string; value: string }
  | { kind: 'delete'; key: string }
  | { kind: 'incr'; key: string; result: CounterResult }
  | { kind: 'decr'; key: string; result: CounterResult };

export interface HistoryEvent {
  client: number;
  op: LinearOp;
  /** Logical time of the call (shared counter). */
  invokedAt: number;
  /** Logical time the result was observed; `Infinity` for a pending operation (outcome unknown). */
  respondedAt: number;
}

export interface LinearizabilityOptions {
  /** Value of each key before the history (absent keys start missing, i.e. `null`). */
  initial?: ReadonlyMap<string, string | null>;
  /** Most configurations explored per key before answering `unknown` (default 200 000). */
  maxStatesPerKey?: number;
  /**
   * Most memory the search's memo may take per key before answering `unknown`, in bytes, as
   * estimated from the memo keys (default 64 MiB). A state's key grows with the number of
   * operations, so the state cap alone lets a long history (8,000 operations) take gigabytes.
   */
  maxMemoBytesPerKey?: number;
}

export type LinearizabilityVerdict =
  | { verdict: 'linearizable'; explored: number }
  | { verdict: 'violation'; key: string; history: HistoryEvent[]; explanation: string }
  | { verdict: 'unknown'; key: string; explored: number; reason: string };

export const DEFAULT_MAX_STATES_PER_KEY = 200_000;
export const DEFAULT_MAX_MEMO_BYTES_PER_KEY = 64 * 1024 * 1024;
/** Estimated bytes per memo entry besides its key (Set slot, string header). */
const MEMO_ENTRY_OVERHEAD_BYTES = 64;

/**
 * Checks a complete history. On a violation, `history` is a small subset of that key's events
 * that is still not linearizable (greedy delta debugging within the same state budget), and
 * `explanation` says why, with the subset rendered by `formatHistory`.
 */
export function checkLinearizability(
  history: readonly HistoryEvent[],
  options: LinearizabilityOptions = {},
): LinearizabilityVerdict {
  const cap = options.maxStatesPerKey ?? DEFAULT_MAX_STATES_PER_KEY;
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`maxStatesPerKey must be a positive integer, got ${cap}`);
  const memoBudget = options.maxMemoBytesPerKey ?? DEFAULT_MAX_MEMO_BYTES_PER_KEY;
  if (!(memoBudget > 0)) throw new RangeError(`maxMemoBytesPerKey must be positive, got ${memoBudget}`);
  const byKey = new Map<string, HistoryEvent[]>();
  for (const event of history) {
    validateEvent(event);
    const list = byKey.get(event.op.key);
    if (list === undefined) byKey.set(event.op.key, [event]);
    else list.push(event);
  }

  let explored = 0;
  let firstUnknown: LinearizabilityVerdict | undefined;
  for (const [key, events] of byKey) {
    const initial = options.initial?.get(key) ?? null;
    const outcome = searchKey(toKeyOps(events), initial, cap, memoBudget);
    explored += outcome.explored;
    if (outcome.kind === 'violation') {
      return { verdict: 'violation', key, ...shrinkViolation(key, events, initial, cap, outcome) };
    }
    // Keep going: a definite violation on a later key beats an unknown on this one.
    if (outcome.kind === 'unknown' && firstUnknown === undefined) {
      firstUnknown = {
        verdict: 'unknown',
        key,
        explored: outcome.explored,
        reason:
          `gave up on key ${JSON.stringify(key)} after ${outcome.explored} configurations ` +
          `(${outcome.limit === 'memory' ? `maxMemoBytesPerKey ${memoBudget}` : `maxStatesPerKey ${cap}`}) over ${events.length} operations; neither linearizable nor a violation was proven`,
      };
    }
  }
  return firstUnknown ?? { verdict: 'linearizable', explored };
}

/** One line per operation, in invocation order: client, logical interval, call and result. */
export function formatHistory(events: readonly HistoryEvent[]): string {
  return renderLines(events, undefined);
}

// ---------------------------------------------------------------------------------------------
// Sequential model of one key

type Value = string | null;

/** The model's answer for one operation applied to a value. */
interface Step {
  next: Value;
  /** What the operation returns in that state, comparable with `===` to the recorded result. */
  returns: Value | CounterResult | undefined;
}

function counterStep(value: Value, delta: 1 | -1, key: string): Step {
  try {
    const step = stepCounter(value, delta, key);
    return { next: step.stored, returns: step.result };
  } catch (error) {
    // The contract: a rejected incr/decr leaves the value unchanged.
    if (isStorageError(error) && (error.kind === 'SerializationError' || error.kind === 'OperationFailed')) {
      return { next: value, returns: error.kind };
    }
    throw error;
  }
}

function modelStep(op: LinearOp, value: Value): Step {
  switch (op.kind) {
    case 'get':
      return { next: value, returns: value };
    case 'set':
      return { next: op.value, returns: undefined };
    case 'delete':
      return { next: null, returns: undefined };
    case 'incr':
      return counterStep(value, 1, op.key);
    case 'decr':
      return counterStep(value, -1, op.key);
  }
}

function recordedResult(op: LinearOp): Value | CounterResult | undefined {
  return op.kind === 'get' || op.kind === 'incr' || op.kind === 'decr' ? op.result : undefined;
}

/**
 * "Some value, not known which". Shrinking uses it as the initial state to tell explanations
 * that hold whatever the key held before from ones that lean on the initial value. It
 * over-approximates every concrete value (a read learns it; a failed incr keeps it unknown),
 * so a history that fails from UNKNOWN fails from any initial value.
 */
const UNKNOWN: unique symbol = Symbol('unknown value');
type State = Value | typeof UNKNOWN;
const FAIL: unique symbol = Symbol('inconsistent');

/** The state after `op`, or FAIL if its recorded result (checked only when `observed`) is impossible in `state`. */
function transition(op: LinearOp, state: State, observed: boolean): State | typeof FAIL {
  if (state === UNKNOWN) {
    switch (op.kind) {
      case 'get':
        return observed ? op.result : UNKNOWN;
      case 'set':
        return op.value;
      case 'delete':
        return null;
      case 'incr':
      case 'decr':
        if (!observed || typeof op.result === 'string') return UNKNOWN;
        if (!Number.isInteger(op.result)) return FAIL;
        // Beyond 2^53 the number no longer says which decimal is stored.
        return Number.isSafeInteger(op.result) ? String(op.result) : UNKNOWN;
    }
  }
  const step = modelStep(op, state);
  return observed && step.returns !== recordedResult(op) ? FAIL : step.next;
}

// ---------------------------------------------------------------------------------------------
// Per-key search

/** One operation as the search sees it. */
interface KeyOp {
  event: HistoryEvent;
  /**
   * Must take effect. False for pending ops and for ops shrinking set aside: those may take
   * effect within their interval (pending: any time after invocation) or not at all.
   */
  mandatory: boolean;
  /** Its recorded result must match; false for pending ops and for shrinking's context ops (effect only). */
  observed: boolean;
  /**
   * Set aside by shrinking: optional, and when taken it may have had any effect (the value
   * becomes UNKNOWN). Coarser than its real effect, hence still a weakening of the history,
   * and far cheaper to search: every such op leads to the same state.
   */
  havoc?: boolean;
}

function toKeyOps(events: readonly HistoryEvent[]): KeyOp[] {
  // A pending get has no effect and no observable result: it constrains nothing.
  return events
    .filter((e) => Number.isFinite(e.respondedAt) || e.op.kind !== 'get')
    .map((event) => {
      const complete = Number.isFinite(event.respondedAt);
      return { event, mandatory: complete, observed: complete };
    });
}

/** Its recorded result proves it changed nothing: a get, or an incr/decr that rejected (the contract: no change). */
function isReadOnly(op: LinearOp): boolean {
  return op.kind === 'get' || typeof recordedResult(op) === 'string';
}

interface Deepest {
  /** Indices (into the sorted ops) of one longest consistent linearization found. */
  order: number[];
  value: State;
  /** The minimal operations at that point; every one of them contradicts the model. */
  blocked: number[];
}

type SearchOutcome =
  | { kind: 'linearizable'; explored: number }
  | { kind: 'violation'; explored: number; ops: KeyOp[]; deepest: Deepest }
  | { kind: 'unknown'; explored: number; limit: 'states' | 'memory' };

function searchKey(
  keyOps: readonly KeyOp[],
  initial: State,
  cap: number,
  memoBudget = DEFAULT_MAX_MEMO_BYTES_PER_KEY,
): SearchOutcome {
  const ops = [...keyOps].sort(
    (a, b) => a.event.invokedAt - b.event.invokedAt || a.event.respondedAt - b.event.respondedAt,
  );
  const n = ops.length;
  const invoked = Float64Array.from(ops, (o) => o.event.invokedAt);
  const responded = Float64Array.from(ops, (o) => o.event.respondedAt);
  const mandatory = Uint8Array.from(ops, (o) => (o.mandatory ? 1 : 0));
  const observed = Uint8Array.from(ops, (o) => (o.observed ? 1 : 0));
  const havoc = Uint8Array.from(ops, (o) => (o.havoc ? 1 : 0));
  const readOnly = Uint8Array.from(ops, (o) => (o.mandatory && o.observed && isReadOnly(o.event.op) ? 1 : 0));
  const mustLinearize = mandatory.reduce((sum, m) => sum + m, 0);
  if (mustLinearize === 0) return { kind: 'linearizable', explored: 0 };
  // The linearized set as a bitset of 16-bit words, so a memo key is a short string of them.
  const words = new Uint16Array(Math.ceil(n / 16));
  const scratch = new Uint16Array(words.length);
  const flip = (i: number): void => {
    words[i >> 4]! ^= 1 << (i & 15);
  };
  // Optional ops with a deadline: once an op invoked after its response is linearized, it can
  // no longer take effect ("expired"). Pending ops (respondedAt = Infinity) never expire.
  const expiring = ops.flatMap((o, i) => (!o.mandatory && Number.isFinite(o.event.respondedAt) ? [i] : []));

  // Values are interned so memo keys stay short even for 1 MiB values.
  const valueIds = new Map<State, number>();
  const internValue = (v: State): number => {
    let id = valueIds.get(v);
    if (id === undefined) {
      id = valueIds.size;
      valueIds.set(v, id);
    }
    return id;
  };
  // stepCounter throws on errors, which is slow in a hot loop: cache each (op, state) transition.
  const stepCache = ops.map(() => new Map<State, State | typeof FAIL>());
  const consistent = (i: number, v: State): State | typeof FAIL => {
    const cache = stepCache[i]!;
    let next = cache.get(v);
    if (next === undefined) {
      next = havoc[i] === 1 ? UNKNOWN : transition(ops[i]!.event.op, v, observed[i] === 1);
      cache.set(v, next);
    }
    return next;
  };

  const done = new Uint8Array(n);
  let value: State = initial;
  let linearized = 0;
  let completed = 0;

  /** Invocation time of the latest-invoked linearized op (ops are sorted by invocation). */
  const latestInvoked = (): number => {
    if (expiring.length === 0) return Number.NEGATIVE_INFINITY; // only expiry needs it
    for (let j = n - 1; j >= 0; j--) if (done[j] === 1) return invoked[j]!;
    return Number.NEGATIVE_INFINITY;
  };

  /**
   * Minimal operations: i is minimal iff no unlinearized mandatory j responded before i was
   * invoked (an optional predecessor that is still unlinearized is simply skipped), and an
   * optional i has not expired.
   */
  const candidates = (): number[] => {
    const latest = latestInvoked();
    let minResponse = Number.POSITIVE_INFINITY;
    let minOptionalResponse = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (done[j] === 1) continue;
      if (mandatory[j] === 1) minResponse = Math.min(minResponse, responded[j]!);
      else if (responded[j]! >= latest) minOptionalResponse = Math.min(minOptionalResponse, responded[j]!);
    }
    const found: number[] = [];
    // Of the havoc ops only the one with the earliest deadline is worth taking (any other
    // could stand in for it later), and none while the value is UNKNOWN already.
    let havocChoice = -1;
    for (let i = 0; i < n && invoked[i]! <= minResponse; i++) {
      if (done[i] === 1 || (mandatory[i] === 0 && responded[i]! < latest)) continue;
      if (havoc[i] === 1) {
        if (value !== UNKNOWN && (havocChoice < 0 || responded[i]! < responded[havocChoice]!)) havocChoice = i;
        continue;
      }
      const next = consistent(i, value);
      // A consistent read-only op can be linearized right now without losing any solution:
      // moving it to the front of any valid continuation keeps that continuation valid (it
      // changes no value and only unblocks successors). So no branching here (Lowe's trick).
      // Not from UNKNOWN, where a read does change the state (it learns the value), and not
      // if that would expire an optional op the continuation might still need.
      if (next === value && readOnly[i] === 1 && invoked[i]! <= minOptionalResponse) return [i];
      found.push(i);
    }
    if (havocChoice >= 0) found.push(havocChoice);
    // Obligations before optional (pending, set-aside) ops, which may also never happen.
    return found.sort((a, b) => mandatory[b]! - mandatory[a]!);
  };

  interface Frame {
    op: number;
    previous: State;
    options: number[];
    next: number;
  }
  const undo = (i: number, previous: State): void => {
    done[i] = 0;
    flip(i);
    value = previous;
    linearized--;
    completed -= mandatory[i]!;
  };
  const visited = new Set<string>();
  let memoBytes = 0;
  let explored = 1;
  visited.add(`${internValue(value)}:${String.fromCharCode(...words)}`);
  const stack: Frame[] = [{ op: -1, previous: value, options: candidates(), next: 0 }];
  let deepest: Deepest = { order: [], value, blocked: stack[0]!.options };

  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.options.length) {
      stack.pop();
      if (top.op >= 0) undo(top.op, top.previous);
      continue;
    }
    const i = top.options[top.next++]!;
    const next = consistent(i, value);
    if (next === FAIL) continue;
    const previous = value;
    done[i] = 1;
    flip(i);
    value = next;
    linearized++;
    completed += mandatory[i]!;
    if (completed === mustLinearize) return { kind: 'linearizable', explored };

    // An expired optional op counts as done: taken or skipped, the future is the same.
    scratch.set(words);
    if (expiring.length > 0) {
      const latest = latestInvoked();
      for (const o of expiring) if (done[o] === 0 && responded[o]! < latest) scratch[o >> 4]! |= 1 << (o & 15);
    }
    const memo = `${internValue(value)}:${String.fromCharCode(...scratch)}`;
    if (visited.has(memo)) {
      undo(i, previous);
      continue;
    }
    visited.add(memo);
    if (++explored > cap) return { kind: 'unknown', explored, limit: 'states' };
    memoBytes += 2 * memo.length + MEMO_ENTRY_OVERHEAD_BYTES;
    if (memoBytes > memoBudget) return { kind: 'unknown', explored, limit: 'memory' };
    const frame: Frame = { op: i, previous, options: candidates(), next: 0 };
    stack.push(frame);
    // At the final deepest configuration every candidate is inconsistent: a consistent one
    // would have led (now or earlier, via the memo) to a deeper configuration.
    if (linearized > deepest.order.length) {
      deepest = { order: stack.slice(1).map((f) => f.op), value, blocked: frame.options };
    }
  }
  return { kind: 'violation', explored, ops, deepest };
}

// ---------------------------------------------------------------------------------------------
// Shrinking and explanation

/** Greedy delta debugging: drop chunks (halving down to single items) while `fails` holds. */
function ddmin<T>(items: readonly T[], fails: (kept: T[]) => boolean): T[] {
  let current = [...items];
  for (let chunk = Math.ceil(current.length / 2); chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
    for (let start = 0; start < current.length; ) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      if (fails(candidate)) current = candidate;
      else start += chunk;
    }
  }
  return current;
}

/**
 * The ops of `others` (all optional or unobserved) that can matter to `anchor`. An op invoked
 * after every anchor op responded can always go last (or be skipped), so it cannot matter.
 * From an unknown initial value, neither can ops that responded before every op of the
 * search was invoked: whatever they did only picks the value the rest starts from, and a
 * failure from UNKNOWN holds from every value. That cut is grown to a fixpoint, since a
 * long-running op in the window may start before it.
 */
function searchWindow(anchor: readonly KeyOp[], others: readonly KeyOp[], fromUnknown: boolean): KeyOp[] {
  const last = Math.max(...anchor.map((o) => o.event.respondedAt));
  let first = fromUnknown ? Math.min(...anchor.map((o) => o.event.invokedAt)) : Number.NEGATIVE_INFINITY;
  for (;;) {
    const window = others.filter((o) => o.event.invokedAt <= last && o.event.respondedAt >= first);
    const earliest = Math.min(first, ...window.map((o) => o.event.invokedAt));
    if (earliest >= first) return window;
    first = earliest;
  }
}

/**
 * Shrinks a violation to a small explanatory subset, within a budget of `cap` configurations.
 * Dropping a write outright could "explain" a later read by the missing write, so nothing is
 * dropped outright except ops whose recorded result proves they had no effect. Two phases:
 *  1. fewest observed results: an op whose result is no longer checked keeps its effect,
 *     within its interval, as context (a read-only op has none and simply goes);
 *  2. smallest context: set context ops aside (within their interval: any effect, or none)
 *     while it still fails.
 * Every accepted step was proven a violation of a weakening of the real history (a result
 * unchecked, an op's effect widened to anything or nothing, ops shown irrelevant left out), so
 * the explanation is faithful to the whole history; and since checking more results and
 * dropping optional ops only remove linearizations, the returned events (with all their
 * results) are a non-linearizable sub-history on their own.
 */
function shrinkViolation(
  key: string,
  events: readonly HistoryEvent[],
  initial: Value,
  cap: number,
  found: Extract<SearchOutcome, { kind: 'violation' }>,
): { history: HistoryEvent[]; explanation: string } {
  let best = found;
  let budget = cap;
  let exhausted = false;
  const fails = (ops: KeyOp[], from: State): boolean => {
    if (exhausted) return false;
    const outcome = searchKey(ops, from, budget);
    budget -= outcome.explored;
    if (outcome.kind === 'unknown' || budget <= 0) exhausted = true;
    if (outcome.kind !== 'violation') return false;
    best = outcome;
    return true;
  };

  // Prefer an explanation that holds whatever the key held before: it does not lean on the
  // initial value, and it lets 2b/`searchWindow` leave out everything long past. Only when the
  // failure needs the initial value, shrink from it.
  const anyInitial = fails(found.ops, UNKNOWN);
  const from: State = anyInitial ? UNKNOWN : initial;

  // Phase 1: fewest observed results.
  const observedOps = found.ops.filter((o) => o.observed);
  const baseContext = found.ops.filter((o) => !o.observed);
  const contextOf = (kept: readonly KeyOp[]): KeyOp[] => {
    const keep = new Set(kept);
    const demoted = observedOps.flatMap((o) =>
      keep.has(o) || isReadOnly(o.event.op) ? [] : [{ ...o, observed: false }],
    );
    return [...baseContext, ...demoted];
  };
  const observedKept = ddmin(observedOps, (kept) => fails([...kept, ...contextOf(kept)], from));
  let context = contextOf(observedKept);

  // Phase 2: smallest mandatory context. A context op set aside stays in the search as a
  // havoc op (within its interval: any effect, or none), so the explanation cannot lean on an
  // op merely left out: it holds whatever the set-aside ops did. Only those in the window of
  // the kept ops are searched (see `searchWindow`), and cheap cuts first narrow that window.
  const settled = context.filter((o) => !o.mandatory); // pending: optional already
  const optional = (o: KeyOp): KeyOp => (o.mandatory ? { ...o, mandatory: false, observed: false, havoc: true } : o);
  const failsKeeping = (kept: readonly KeyOp[]): boolean => {
    const keep = new Set(kept);
    const setAside = context.filter((o) => !keep.has(o)).map(optional);
    const anchor = [...observedKept, ...kept];
    return fails([...anchor, ...searchWindow(anchor, setAside, from === UNKNOWN)], from);
  };
  // 2a. Context invoked after every checked op responded can always go last: it cannot matter.
  const lastChecked = Math.max(...observedKept.map((o) => o.event.respondedAt));
  let mandatoryContext = context.filter((o) => o.mandatory);
  const beforeLast = mandatoryContext.filter((o) => o.event.invokedAt <= lastChecked);
  // Certain to fail still; searched anyway so that `best` describes the reported ops.
  if (beforeLast.length < mandatoryContext.length && failsKeeping(beforeLast)) mandatoryContext = beforeLast;
  // 2b. From UNKNOWN, ops wholly before all the others only pick the value those start from:
  // keep the shortest recent stretch of context that still fails (all of it mandatory, so
  // these searches are as cheap as phase 1's).
  if (from === UNKNOWN) {
    const firstChecked = Math.min(...observedKept.map((o) => o.event.invokedAt));
    const cuts = [...new Set(mandatoryContext.map((o) => o.event.respondedAt))]
      .filter((t) => t < firstChecked)
      .sort((x, y) => y - x);
    for (const cut of [firstChecked, ...cuts]) {
      // Grow the cut to a fixpoint so that every dropped op responded before every op of the
      // search (pending ones included) began.
      let start = cut;
      let kept = mandatoryContext;
      for (;;) {
        kept = mandatoryContext.filter((o) => o.event.respondedAt >= start);
        const earliest = Math.min(start, ...[...kept, ...settled].map((o) => o.event.invokedAt));
        if (earliest >= start) break;
        start = earliest;
      }
      if (kept.length === mandatoryContext.length) break;
      const anchor = [...observedKept, ...kept];
      if (fails([...anchor, ...settled], UNKNOWN)) {
        mandatoryContext = kept;
        break;
      }
    }
  }
  // 2c. Then set aside what is not needed.
  context = ddmin(mandatoryContext, failsKeeping);

  const { deepest, ops: searched } = best;
  // Reported: the ops the failure needs. Optional ones (pending, set aside) only widen the
  // search, so the reported ops fail on their own too.
  const ops = searched.filter((o) => o.mandatory);
  const render = (i: number): string => {
    const o = searched[i]!;
    return `c${o.event.client}@${o.event.invokedAt} ${describeOp(o.event)}${o.havoc ? ' (set aside: any effect)' : o.mandatory ? '' : ' (optional)'}`;
  };
  const order = deepest.order.length === 0 ? '(none)' : deepest.order.map(render).join('; ');
  const blocked = deepest.blocked.map((i) => {
    const e = searched[i]!.event;
    const expected = deepest.value === UNKNOWN ? 'no such result' : showResult(modelStep(e.op, deepest.value).returns);
    return `c${e.client}@${e.invokedAt} ${e.op.kind} returned ${showResult(recordedResult(e.op))} but the model gives ${expected}`;
  });
  const checked = ops.filter((o) => o.observed).length;
  const others = events.length - ops.length;
  const subset =
    others === 0 ? `all ${events.length} operations on it` : `${ops.length} of its ${events.length} operations`;
  const given =
    checked === ops.length
      ? 'their results contradict each other'
      : `the result${checked === 1 ? '' : 's'} marked * cannot be explained, given only that the other ` +
        `${ops.length - checked} took effect within their intervals`;
  const whatever = [
    ...(others > 0 ? [`whatever the other ${others} on this key did`] : []),
    ...(anyInitial ? ['whatever the key held before'] : []),
  ];
  const explanation = [
    `key ${JSON.stringify(key)} (initially ${showValue(initial)}) is not linearizable. ` +
      `${exhausted ? 'Partly shrunk (budget spent)' : 'Minimal failing subset'}: ${subset}; ` +
      `${[given, ...whatever].join(', ')}.`,
    `One longest consistent order (${deepest.order.length} ops${anyInitial ? ', from an unknown initial value' : ''}): ` +
      `${order}; value then ${deepest.value === UNKNOWN ? 'still unknown' : showValue(deepest.value)}.`,
    `Every operation that may come next contradicts it: ${blocked.join('; ')}.`,
    renderLines(
      ops.map((o) => o.event),
      checked === ops.length ? undefined : new Set(ops.filter((o) => o.observed).map((o) => o.event)),
    ),
  ].join('\n');
  return {
    history: ops.map((o) => o.event).sort((a, b) => a.invokedAt - b.invokedAt || a.respondedAt - b.respondedAt),
    explanation,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering and validation

/** formatHistory's lines; with `marked`, each line starts with "* " (in the set) or "  ". */
function renderLines(events: readonly HistoryEvent[], marked: ReadonlySet<HistoryEvent> | undefined): string {
  const sorted = [...events].sort((a, b) => a.invokedAt - b.invokedAt || a.respondedAt - b.respondedAt);
  const width = Math.max(
    1,
    ...sorted.map((e) => String(e.invokedAt).length),
    ...sorted.map((e) => (Number.isFinite(e.respondedAt) ? String(e.respondedAt).length : 1)),
  );
  const clientWidth = Math.max(1, ...sorted.map((e) => String(e.client).length));
  return sorted
    .map((e) => {
      const mark = marked === undefined ? '' : marked.has(e) ? '* ' : '  ';
      const end = Number.isFinite(e.respondedAt)
        ? `${String(e.respondedAt).padStart(width)}]`
        : `${'∞'.padStart(width)})`;
      return `${mark}c${String(e.client).padEnd(clientWidth)} [${String(e.invokedAt).padStart(width)},${end} ${describeOp(e)}`;
    })
    .join('\n');
}

const MAX_SHOWN = 40;

function showValue(value: Value): string {
  // A backend may answer undefined (a contract breach): render it rather than crash on it.
  if (value === null || value === undefined) return String(value);
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 4)}…" (${value.length} chars)` : text;
}

function showResult(result: Value | CounterResult | undefined): string {
  if (typeof result === 'number') return String(result);
  if (result === 'SerializationError' || result === 'OperationFailed') return result;
  return showValue(result ?? null);
}

function describeOp(event: HistoryEvent): string {
  const { op } = event;
  const key = showValue(op.key);
  const pendingMark = Number.isFinite(event.respondedAt) ? '' : ' → ? (pending)';
  switch (op.kind) {
    case 'get':
      return `get(${key})${pendingMark || ` → ${showValue(op.result)}`}`;
    case 'set':
      return `set(${key}, ${showValue(op.value)})${pendingMark}`;
    case 'delete':
      return `delete(${key})${pendingMark}`;
    case 'incr':
    case 'decr':
      return `${op.kind}(${key})${pendingMark || ` → ${showResult(op.result)}`}`;
  }
}

/** Malformed events are a recorder bug: fail loudly rather than check something else. */
function validateEvent(event: HistoryEvent): void {
  const { op, invokedAt, respondedAt } = event;
  const where = (): string => `history event ${JSON.stringify(event)}`;
  if (typeof op?.key !== 'string') throw new TypeError(`${where()}: op.key must be a string`);
  if (!['get', 'set', 'delete', 'incr', 'decr'].includes(op.kind)) throw new TypeError(`${where()}: unknown op kind`);
  if (op.kind === 'set' && typeof op.value !== 'string') throw new TypeError(`${where()}: set value must be a string`);
  if (!Number.isFinite(invokedAt)) throw new RangeError(`${where()}: invokedAt must be finite`);
  if (Number.isNaN(respondedAt) || respondedAt < invokedAt || respondedAt === Number.NEGATIVE_INFINITY) {
    throw new RangeError(`${where()}: respondedAt must be >= invokedAt (or Infinity for a pending op)`);
  }
}
