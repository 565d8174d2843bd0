/**
 * Public types of the conformance suite: what a backend author passes in, and the report
 * that comes back.
 */
import type { Clock, SaStorage } from '../contract/index.js';
import type { Finding } from './diagnosis.js';

export type { Finding } from './diagnosis.js';

/** What the suite hands the factory each time it needs a fresh storage. */
export interface FactoryContext {
  /** The time source an in-process backend must read (virtual mode: the suite moves it). */
  readonly clock: Clock;
  /**
   * A unique string per store the suite creates; prefixed backends use it as their key prefix.
   * CONC-03 asks twice for one namespace, to reach the same store through a second client where
   * the backend shares data (a server); an in-process backend may give a separate store then.
   */
  readonly namespace: string;
  /** 'virtual' or 'real', as chosen in the options. */
  readonly clockMode: ClockMode;
}

/** A storage plus how to release it (connections, timers). */
export interface DisposableStorage {
  /** The storage under test. */
  readonly storage: SaStorage;
  /** Releases it (closes connections, stops timers); the suite calls it once, after the storage's last use. */
  dispose(): void | Promise<void>;
}

/** Makes a fresh storage for the suite (called many times per run), or a storage with its `dispose`. */
export type StorageFactory = (
  context: FactoryContext,
) => SaStorage | DisposableStorage | Promise<SaStorage | DisposableStorage>;

/** 'virtual': the backend reads `ctx.clock`, moved by the suite. 'real': the backend keeps its own time. */
export type ClockMode = 'virtual' | 'real';

/**
 * Things a backend may declare it cannot do; the rules that need them are skipped, and the
 * report names each skipped rule with the reason given here.
 */
export type Capability =
  /** `keys(pattern)` lists keys (the trait's default returns []). */
  | 'keys'
  /** Storages made for different namespaces are isolated from one another. */
  | 'namespaces'
  /** Values of 1 MiB and keys of 8 KiB. */
  | 'large-values'
  /** incr/decr stay exact under concurrent calls, and single-key histories are linearizable. */
  | 'atomic-counters'
  /** An mset is all-or-nothing to concurrent readers, through the same client or another one. */
  | 'atomic-mset'
  /** `ttl(key)` reads a key's remaining time (rules that only use it in passing check the rest). */
  | 'ttl'
  /** `expire(key, ttl)` changes a key's deadline. */
  | 'expire';

/** A store that keeps deadlines at a coarser granularity than milliseconds (whole seconds: 1000). */
export interface TtlResolution {
  /** The granularity in ms: a deadline may land anywhere within one step of it. */
  readonly ms: number;
  /** Shown in the report. */
  readonly reason: string;
}

/** Options of `checkConformance` and `runSaStorageSuite`. */
export interface SuiteOptions {
  /** 'virtual' (default): the backend reads ctx.clock. 'real': the backend keeps its own time. */
  clock?: ClockMode;
  /** Seed for every random choice (property tests); printed in the report. Default: random. */
  seed?: number;
  /** fast-check replay path of a failure (with its seed), to re-run exactly that case. */
  path?: string;
  /** Model-based failures also need the command replay path (`replayPath` in the report). */
  replayPath?: string;
  /** Runs per property rule (default 100 virtual, 25 real). */
  numRuns?: number;
  /**
   * Each rule's own time budget in ms (default 60000). A property rule starts no new run after it;
   * any rule still running at budget + 4 × callTimeoutMs is abandoned. Either way the rule is
   * reported `partial` with what it checked (runs done, calls made), never failed.
   */
  timeBudgetMs?: number;
  /** Only run rules whose id equals or starts with one of these (e.g. ['TTL', 'CTR-03']). */
  only?: readonly string[];
  /** Capabilities the backend lacks, each with the reason the report will show. */
  unsupported?: Partial<Record<Capability, string>>;
  /** The backend keeps deadlines at this granularity; TTL rules check at it and say so. */
  ttlResolution?: TtlResolution;
  /**
   * A single storage call that takes longer than this fails, naming the method (default 5000 ms).
   * Once a method has not settled in time, later calls to it fail at once, naming that first time-out.
   */
  callTimeoutMs?: number;
  /** Real-clock mode: declared timing tolerance in ms, added to the measured round trip (default 25). */
  toleranceMs?: number;
  /**
   * 'conformant' (default): check the contract. 'unimplemented': check a stub's contract
   * instead (every method rejects with InternalError, promptly, as a rejected promise).
   */
  expect?: 'conformant' | 'unimplemented';
  /** Progress callbacks (the CLI uses them for live output). */
  onRuleStart?: (rule: RuleInfo) => void;
  /** Called with each rule's result as soon as it is known. */
  onRuleEnd?: (result: RuleResult) => void;
}

/** The nine areas of the contract (SPEC.md sections), plus the stub profile. */
export type Area =
  | 'keys-values'
  | 'ttl'
  | 'bulk'
  | 'counters'
  | 'patterns'
  | 'namespaces'
  | 'failures'
  | 'concurrency'
  | 'model'
  | 'stub'
  | 'wiring';

/** The citable part of a rule. */
export interface RuleInfo {
  /** Stable identifier, e.g. "TTL-01". Never renumbered. */
  readonly id: string;
  /** The area of the contract it belongs to. */
  readonly area: Area;
  /** A short name, e.g. "a key lives until its deadline and is gone right after". */
  readonly title: string;
  /** One sentence of normative spec text. */
  readonly spec: string;
  /** "If this fails, check …" */
  readonly hint: string;
  /** Capabilities the rule needs; it is skipped when the backend declares one unsupported. */
  readonly requires?: readonly Capability[];
  /** The rule checks TTLs to the millisecond: skipped, with the reason, when a coarser TTL resolution is declared. */
  readonly millisecondTtl?: boolean;
}

/**
 * `partial`: the rule ran out of the suite's own time budget before it checked everything it
 * would have, and found nothing wrong in what it did check (never a failure, never a pass).
 */
export type RuleStatus = 'pass' | 'fail' | 'skip' | 'partial';

/** How much a rule checked (always set on a partial result). */
export interface RuleCoverage {
  /** Property runs completed, of how many asked. */
  readonly runs?: number;
  /** Property runs the rule was asked for. */
  readonly runsAsked?: number;
  /** Storage calls the rule made. */
  readonly calls: number;
  /** The time budget it ran out of, in ms. */
  readonly budgetMs: number;
}

/** The run's verdict: conformant; not conformant (a rule failed or nothing was checked); partial (no failure, but not everything checked). */
export type Verdict = 'conformant' | 'not-conformant' | 'partial';

/** What re-runs exactly one failure: the seed and, for property rules, the fast-check paths. */
export interface Replay {
  /** The run's seed. */
  readonly seed: number;
  /** fast-check replay path of the shrunk counterexample (property rules). */
  readonly path?: string;
  /** Which generated commands ran (model-based rule only). */
  readonly replayPath?: string;
  /** The rule to run alone (`only`). */
  readonly ruleId: string;
}

/** One rule's outcome in a report. */
export interface RuleResult {
  /** The rule's stable id, e.g. "TTL-01". */
  readonly id: string;
  /** The rule's title. */
  readonly title: string;
  /** The rule's area. */
  readonly area: Area;
  /** pass, fail or skip. */
  readonly status: RuleStatus;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** A failure: the rule whose sentence the failed check verifies (may differ from `id`, the rule running). */
  readonly breaks?: string;
  /** A failure: the method the failed check puts under test, when it can be told. */
  readonly method?: string;
  /** The smallest failing case found (a shrunk command sequence for property rules). */
  readonly counterexample?: string;
  /** What re-runs exactly this failure. */
  readonly replay?: Replay;
  /** What a partial rule checked before its time budget ran out. */
  readonly coverage?: RuleCoverage;
  /** Limits the rule checked at instead of the contract's (e.g. a declared TTL resolution). */
  readonly note?: string;
  /** How long the rule took. */
  readonly durationMs: number;
}

/** The verdict of a run, as data (`checkConformance`, the CLI's --json). */
export interface ConformanceReport {
  /** True only when verdict is 'conformant': no rule failed, none partial, at least one passed. */
  readonly conformant: boolean;
  /** conformant, not-conformant, or partial (nothing failed, but not everything was checked). */
  readonly verdict: Verdict;
  /** One line that sums up the verdict, e.g. "not implemented: every method rejects with InternalError". */
  readonly headline: string;
  /** Probable root causes of the failures, most basic first: read this before the rule results. */
  readonly diagnosis: readonly Finding[];
  /** The clock mode the run used. */
  readonly clock: ClockMode;
  /** Which contract was checked: the full one, or the stub profile. */
  readonly expect: 'conformant' | 'unimplemented';
  /** The seed of every random choice (replays the run). */
  readonly seed: number;
  /** Every selected rule's result, in spec order. */
  readonly results: readonly RuleResult[];
  /** How many rules passed, failed, were skipped or partial. */
  readonly counts: { readonly pass: number; readonly fail: number; readonly skip: number; readonly partial: number };
  /** What the backend did outside any rule (an uncaught exception, an exit): never conformant. */
  readonly incidents?: readonly string[];
  /** What the backend declared it cannot do, with its reasons (never silent). */
  readonly declared: {
    readonly unsupported: Partial<Record<Capability, string>>;
    readonly ttlResolution?: TtlResolution;
  };
  /** The time limits the run used, in ms. */
  readonly limits: { readonly callTimeoutMs: number; readonly timeBudgetMs: number };
  /** When the run started (ISO 8601). */
  readonly startedAt: string;
  /** How long the run took. */
  readonly durationMs: number;
}
