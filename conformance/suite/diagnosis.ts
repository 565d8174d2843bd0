/**
 * The diagnosis that leads every report: rule failures grouped by probable root cause.
 *
 * Each failed check is an observation: the sentence it breaks (its rule id, or the one its check
 * is tagged with), the rule that was running, and the method under test (tagged, or read from the
 * check's text: "ttl after expire(…)" puts expire under test). Observations of one method make one
 * finding; a failed wiring probe (WIRE-xx) absorbs every observation its mistake explains (a check
 * after the clock moved, a check that used two namespaces). Findings are ordered most basic first:
 * wiring, then set, get, delete, … in the order a backend is usually written and read.
 */
import { SA_STORAGE_METHODS } from '../contract/index.js';
import type { CheckTag } from './failures.js';
import type { RuleInfo } from './types.js';

/** One failed check, as the session saw it. */
export interface Observation {
  /** The rule that was running. */
  readonly seenIn: string;
  /** The rule whose sentence the check verifies. */
  readonly breaks: string;
  /** The method under test, when it can be told. */
  readonly method: string | undefined;
  /** Every method the check names (the one under test among them): a finding may explain it through any. */
  readonly candidates: readonly string[];
  /** The check's message. */
  readonly message: string;
  /** The check's own hint, when it has one. */
  readonly hint: string | undefined;
  /** The virtual clock had moved before the check failed. */
  readonly clockMoved: boolean;
  /** Storages of more than one namespace were involved. */
  readonly namespaces: number;
  /** The shrunk script of a property rule, if any. */
  readonly counterexample: string | undefined;
}

/** A probable root cause: what the report leads with. */
export interface Finding {
  /** The method whose behaviour is wrong ("set", "keys", …), or "clock" / "namespace" for a wiring probe's finding. */
  readonly method: string;
  /** One line: what is wrong, from the smallest failing check. */
  readonly title: string;
  /** Rule ids whose sentences the backend breaks here, in spec order. */
  readonly breaks: readonly string[];
  /** Rule ids that were running when it was seen. */
  readonly seenIn: readonly string[];
  /** One hint that fits every observation of this finding. */
  readonly hint: string;
  /** Each observation: "breaks TTL-04 — seen while running CTR-04: <message>". */
  readonly evidence: readonly string[];
}

/** Most basic first: how a backend is usually built and what the rest relies on. */
const METHOD_ORDER: readonly string[] = [
  'set',
  'get',
  'delete',
  'exists',
  'ttl',
  'expire',
  'mset',
  'mget',
  'mdel',
  'incr',
  'decr',
  'keys',
  'clear',
];
const METHODS = SA_STORAGE_METHODS.join('|');
/**
 * A method named in a check's text: a call ("get(…)"), or a method word where prose names a call
 * ("exists of…", "after incr", "created by incr"). Plain English ("8 KiB keys", "the deadline set")
 * is not a mention.
 */
const MENTION = new RegExp(
  `(^|\\bafter |\\bby |\\bvia |\\bthen |\\band )(${METHODS})\\b(?=\\(|\\s|$|,)|\\b(${METHODS})\\(`,
  'g',
);

const CALL = new RegExp(`\\b(${METHODS})\\(`, 'g');

/** A check that reads a key at (or just before) its deadline: the expiry test is under test too. */
const EXPIRY_EDGE =
  /at (?:\(or before\) )?(?:its|the) (?:exact )?deadline|before \S+ expires|before the \S+ TTL passes|\(deadline s \+ 1\)/;

interface Mention {
  readonly method: string;
  /** Named after "after" or "by": the earlier call whose effect the check reads. */
  readonly subject: boolean;
}

function mentions(text: string): Mention[] {
  const head = text.split(/: (?:expected|missing|unexpected|resolved)/)[0] ?? text;
  const afterAt = head.search(/\bafter\b/);
  return [...head.matchAll(MENTION)].map((m) => ({
    method: (m[2] ?? m[3]) as string,
    subject: /^(after|by) /.test(m[1] ?? '') || (afterAt >= 0 && (m.index ?? 0) > afterAt),
  }));
}

/**
 * The method a check's text puts under test: the first method named after "after" or "by" ("ttl
 * after expire(…)", "ttl of a counter created by incr": the earlier call is the one whose effect is
 * checked), else the first method named.
 */
export function methodUnderTest(text: string): string | undefined {
  const named = mentions(text);
  return (named.find((m) => m.subject) ?? named[0])?.method;
}

/** The kind of a value as describeValue shows it ("a number in […]" is a number), if it can be told. */
function shapeOf(shown: string): string | undefined {
  if (shown === 'null') return 'nullable';
  if (shown === 'undefined') return 'undefined';
  if (shown.startsWith('"')) return 'string';
  if (shown === 'true' || shown === 'false') return 'boolean';
  if (shown.startsWith('[')) return 'array';
  if (/^-?(\d|NaN|Infinity)/.test(shown) || /^a (whole )?number/.test(shown)) return 'number';
  if (shown.startsWith('{')) return 'object';
  return undefined;
}

/**
 * A check that got an answer of the wrong kind (undefined for null, a count for a boolean, a string
 * for a number) is about the method that answered, whatever call came before.
 */
function wrongShape(message: string): boolean {
  const answer = message.match(/expected (.+?), got (.+?)(?: \(|$)/s);
  if (!answer) return false;
  const expected = shapeOf(answer[1] as string);
  const got = shapeOf(answer[2] as string);
  if (expected === undefined || got === undefined || expected === got) return false;
  const valueOrNull = (a: string, b: string) => a === 'nullable' && ['string', 'number', 'array'].includes(b);
  return !valueOrNull(expected, got) && !valueOrNull(got, expected);
}

/** The sentence that fixes what each method answers: a wrong kind of answer breaks it, wherever it is seen. */
const SHAPE_SENTENCE: Readonly<Record<string, string>> = {
  get: 'KV-01',
  exists: 'KV-06',
  ttl: 'TTL-04',
  mget: 'BULK-01',
  incr: 'CTR-02',
  decr: 'CTR-02',
  keys: 'PAT-06',
};

/** The rule id a message is tagged with ("… [TTL-04]"), as the guard and the reference model tag theirs. */
export function sentenceTag(message: string): string | undefined {
  return message.match(/\[([A-Z]+-\d+)\]/)?.[1];
}

export function observe(
  rule: { readonly id: string },
  message: string,
  check: CheckTag & { readonly text?: string },
  trace: { readonly clockMoved: boolean; readonly namespaces: number },
  counterexample?: string,
): Observation {
  // A property failure reads "MODEL-01 property failed after 3 run(s) …: <check>": read the check.
  const own = message.replace(/^[A-Z]+-\d+ property failed after [^:]*: /, '');
  const text = check.text ?? own;
  const named = mentions(text);
  const shape = wrongShape(own);
  const method = check.method ?? (shape ? named[0]?.method : undefined) ?? methodUnderTest(text);
  return {
    seenIn: rule.id,
    breaks: check.breaks ?? sentenceTag(own) ?? (shape && method ? SHAPE_SENTENCE[method] : undefined) ?? rule.id,
    method,
    // A property's shrunk script names every call that led to the failure: any of them may be the cause.
    candidates: [
      ...new Set([
        ...(check.method !== undefined ? [check.method] : []),
        ...named.map((m) => m.method),
        ...[...(counterexample ?? '').matchAll(CALL)].map((m) => m[1] as string),
        // A key read at its deadline meets the expiry test every read shares; get's is the reference one.
        ...(EXPIRY_EDGE.test(text) ? ['get'] : []),
      ]),
    ],
    message,
    hint: check.hint,
    clockMoved: trace.clockMoved,
    namespaces: trace.namespaces,
    counterexample,
  };
}

/** Wiring rules: when one fails, the observations its mistake explains join its finding. */
const WIRING: Readonly<Record<string, (o: Observation) => boolean>> = {
  // A clock the backend does not read (or reads late) makes every TTL answer depend on real time.
  'WIRE-01': (o) => o.clockMoved || o.breaks.startsWith('TTL-') || o.method === 'ttl' || o.method === 'expire',
  'WIRE-02': (o) => o.namespaces > 1,
  'WIRE-03': (o) => o.clockMoved || o.breaks.startsWith('TTL-') || o.method === 'ttl' || o.method === 'expire',
};

/** What each method must do, naming the kit helper that does it: the hint of a finding over several sentences. */
const METHOD_HINTS: Readonly<Record<string, string>> = {
  set: 'set(k, v, ttl) replaces value and deadline: deadline = now + ttl in ms (fractions rounded up, never seconds), no TTL means persistent; check the arguments first with assertWellFormedString and normalizeOptionalTtl so nothing is written on bad input.',
  get: 'get(k) resolves to the stored string, exactly as written, or null (never undefined) for a missing key or one past its deadline (live while now <= deadline); a key that is not a well-formed string rejects (assertWellFormedString).',
  delete:
    'delete(k) resolves (also for a missing key) and removes exactly that key, the key taken literally; a key that is not a well-formed string rejects (assertWellFormedString).',
  exists:
    'exists(k) resolves to a boolean, with the same expiry test as get (live while now <= deadline), the key taken literally; a key that is not a well-formed string rejects (assertWellFormedString).',
  ttl: 'ttl(k) resolves to the whole milliseconds left (deadline − now) for a live key with a deadline, and to null for a persistent, missing or expired key; a key that is not a well-formed string rejects (assertWellFormedString).',
  expire:
    'expire(k, ttl) sets the deadline of a LIVE key to now + ttl in ms (replacing, not adding), does nothing to a missing or expired key, and rejects a bad TTL through normalizeRequiredTtl before changing anything.',
  mset: 'mset(entries, ttl) writes every pair or none: check the whole list (assertEntryList, normalizeOptionalTtl) before writing, the last pair of a repeated key wins, and all pairs get the same deadline.',
  mget: 'mget(keys) resolves to one value or null per key asked, in order and with repeats, with the same expiry test as get.',
  mdel: 'mdel(keys) removes every key listed (missing ones are skipped, not an error); check the list with assertKeyList first.',
  incr: 'incr/decr go through stepCounter: a canonical 64-bit integer string steps by one (a missing or expired key starts from 0 and is persistent, an existing key keeps its deadline), anything else rejects with OperationFailed and is left as it was.',
  decr: 'incr/decr go through stepCounter: a canonical 64-bit integer string steps by one (a missing or expired key starts from 0 and is persistent, an existing key keeps its deadline), anything else rejects with OperationFailed and is left as it was.',
  keys: 'keys(pattern) lists each live key of this storage once, as written (namespace removed exactly, nothing else), matching Redis glob syntax: check the pattern with assertWellFormedString, match with compilePattern/matchesPattern, and escapeGlob the namespace when it goes into a server-side pattern.',
  clear:
    'clear() removes every key of this storage, the empty key included, and no key of another namespace: select by the exact prefix (escapeGlob it in a SCAN/KEYS pattern).',
};

function methodRank(method: string): number {
  const index = METHOD_ORDER.indexOf(method);
  return index < 0 ? METHOD_ORDER.length : index;
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++)
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) - (b[i] as number);
  return 0;
}

const RULE_ORDER = (rules: readonly RuleInfo[]) => new Map(rules.map((rule, index) => [rule.id, index]));

interface Group {
  method: string;
  wiring?: string;
  observations: Observation[];
}

/**
 * Groups the observations of a run into findings, most basic first. `rules` is the registry (for
 * hints and spec order); `blocker` is the one reason every rule failed for, if there is one.
 */
export function diagnose(observations: readonly Observation[], rules: readonly RuleInfo[]): Finding[] {
  const order = RULE_ORDER(rules);
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const groups: Group[] = [];
  // A probe's own finding (tagged with its sentence); a guard failure seen during a probe is not.
  const isProbe = (o: Observation) =>
    WIRING[o.seenIn] !== undefined && o.breaks === o.seenIn && (o.method === 'clock' || o.method === 'namespace');
  const wiring = observations.filter(isProbe);
  for (const probe of wiring) {
    groups.push({ method: probe.method ?? 'wiring', wiring: probe.seenIn, observations: [probe] });
  }
  const rest: Observation[] = [];
  for (const o of observations.filter((o) => !isProbe(o))) {
    const explainedBy = groups.find((g) => g.wiring !== undefined && WIRING[g.wiring]?.(o));
    if (explainedBy) explainedBy.observations.push(o);
    else rest.push(o);
  }
  // Greedy cover: the method that explains the most failed checks (a property's catch-all counting
  // last, the method under test breaking ties, then the more basic method) makes a finding, again.
  const remaining = new Set(rest);
  while (remaining.size > 0) {
    let best: { method: string; covered: Observation[]; score: number[] } | undefined;
    const methods = new Set([...remaining].flatMap((o) => (o.candidates.length ? o.candidates : ['unknown'])));
    for (const method of methods) {
      const covered = [...remaining].filter((o) =>
        o.candidates.length ? o.candidates.includes(method) : method === 'unknown',
      );
      const direct = covered.filter((o) => o.counterexample === undefined);
      const underTest = direct.filter((o) => o.method === method).length;
      // A check that puts the method under test counts twice as much as one that only involves it.
      const score = [
        underTest + 0.5 * (direct.length - underTest),
        underTest,
        direct.length,
        covered.filter((o) => o.method === method).length,
        covered.length,
        -methodRank(method),
      ];
      if (best === undefined || compareScores(score, best.score) > 0) best = { method, covered, score };
    }
    const chosen = best as { method: string; covered: Observation[] };
    for (const o of chosen.covered) remaining.delete(o);
    groups.push({ method: chosen.method, observations: chosen.covered });
  }
  const onlyCatchAll = (g: Group) => g.observations.every((o) => o.counterexample !== undefined);
  groups.sort((a, b) => {
    if ((a.wiring !== undefined) !== (b.wiring !== undefined)) return a.wiring !== undefined ? -1 : 1;
    if (onlyCatchAll(a) !== onlyCatchAll(b)) return onlyCatchAll(a) ? 1 : -1;
    return methodRank(a.method) - methodRank(b.method);
  });
  return groups.map((group) => toFinding(group, byId, order));
}

function toFinding(group: Group, byId: Map<string, RuleInfo>, order: Map<string, number>): Finding {
  const spec = (ids: Iterable<string>) =>
    [...new Set(ids)].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
  const observations = group.observations;
  const breaks = spec(observations.map((o) => o.breaks));
  const seenIn = spec(observations.map((o) => o.seenIn));
  // The smallest failing check: the shortest message that is not a property's shrunk script.
  const lead =
    group.wiring !== undefined
      ? (observations[0] as Observation)
      : ([...observations].sort(
          (a, b) =>
            Number(a.counterexample !== undefined) - Number(b.counterexample !== undefined) ||
            Number(a.method !== group.method) - Number(b.method !== group.method) ||
            (order.get(a.seenIn) ?? 1e9) - (order.get(b.seenIn) ?? 1e9) ||
            a.message.length - b.message.length,
        )[0] as Observation);
  const hints = new Set(observations.map((o) => o.hint ?? byId.get(o.breaks)?.hint ?? ''));
  const hint =
    group.wiring !== undefined
      ? (lead.hint ?? byId.get(group.wiring)?.hint ?? '')
      : hints.size === 1
        ? ([...hints][0] as string)
        : (METHOD_HINTS[group.method] ?? [...hints].join(' '));
  const title =
    group.wiring !== undefined
      ? `${byId.get(group.wiring)?.title ?? group.wiring}: ${lead.message}`
      : `${group.method}: ${lead.message}`;
  return {
    method: group.method,
    title,
    breaks,
    seenIn,
    hint,
    evidence: observations.map(
      (o) => `breaks ${o.breaks}${o.breaks === o.seenIn ? '' : ` — seen while running ${o.seenIn}`}: ${o.message}`,
    ),
  };
}

/** The diagnosis as text, for test-runner messages and the CLI: one paragraph per finding. */
export function formatDiagnosis(findings: readonly Finding[], options: { evidence?: number } = {}): string {
  const shown = options.evidence ?? 3;
  return findings
    .map((finding, index) => {
      const lines = [
        `${index + 1}. ${finding.title}`,
        `   breaks ${finding.breaks.join(', ')}${finding.seenIn.join() === finding.breaks.join() ? '' : ` (seen while running ${finding.seenIn.join(', ')})`}`,
        `   hint: ${finding.hint}`,
      ];
      if (finding.evidence.length > 1) {
        lines.push(...finding.evidence.slice(0, shown).map((line) => `   - ${line}`));
        if (finding.evidence.length > shown) lines.push(`   - … ${finding.evidence.length - shown} more`);
      }
      return lines.join('\n');
    })
    .join('\n');
}
