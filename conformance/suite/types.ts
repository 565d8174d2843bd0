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
  readonly storage: SaStorage;
  dispose(): void | Promise<void>;
}

export type StorageFactory = (
  context: FactoryContext,
) => SaStorage | DisposableStorage | Promise<SaStorage | DisposableStorage>;

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
  | 'atomic-mset';

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
  /** Stop each property rule after this many ms and report what ran (default: no limit). */
  timeBudgetMs?: number;
  /** Only run rules whose id equals or starts with one of these (e.g. ['TTL', 'CTR-03']). */
  only?: readonly string[];
  /** Capabilities the backend lacks, each with the reason the report will show. */
  unsupported?: Partial<Record<Capability, string>>;
  /** A single storage call that takes longer than this fails, naming the method (default 5000 ms). */
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
  onRuleEnd?: (result: RuleResult) => void;
}

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
  readonly area: Area;
  readonly title: string;
  /** One sentence of normative spec text. */
  readonly spec: string;
  /** "If this fails, check …" */
  readonly hint: string;
  /** Capabilities the rule needs; it is skipped when the backend declares one unsupported. */
  readonly requires?: readonly Capability[];
}

export type RuleStatus = 'pass' | 'fail' | 'skip';

export interface Replay {
  readonly seed: number;
  readonly path?: string;
  /** Which generated commands ran (model-based rule only). */
  readonly replayPath?: string;
  readonly ruleId: string;
}

export interface RuleResult {
  readonly id: string;
  readonly title: string;
  readonly area: Area;
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
  readonly durationMs: number;
}

export interface ConformanceReport {
  readonly conformant: boolean;
  /** One line that sums up the verdict, e.g. "not implemented: every method rejects with InternalError". */
  readonly headline: string;
  /** Probable root causes of the failures, most basic first: read this before the rule results. */
  readonly diagnosis: readonly Finding[];
  readonly clock: ClockMode;
  readonly expect: 'conformant' | 'unimplemented';
  readonly seed: number;
  readonly results: readonly RuleResult[];
  readonly counts: { readonly pass: number; readonly fail: number; readonly skip: number };
  readonly startedAt: string;
  readonly durationMs: number;
}
