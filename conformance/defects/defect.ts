/**
 * A deliberately broken backend: one small, realistic deviation from the contract, and the
 * rule ids that must report it. The defect set is the suite's own test ("tests of the tests"):
 * every rule of the registry is the target of at least one defect.
 */
import type { SaStorage } from '../contract/index.js';
import type { ClockMode, DisposableStorage, FactoryContext, SuiteOptions } from '../suite/types.js';

/** A deliberately broken backend, and the rules that must report it. */
export interface Defect {
  /** Stable kebab-case identifier. */
  readonly id: string;
  /** One sentence: what is wrong, phrased like a bug report. */
  readonly description: string;
  /**
   * The method whose code is wrong: the report's first finding must name it (one of them, when
   * the one flaw is shared by several methods, e.g. a key encoding used by get and set).
   */
  readonly method: string | readonly string[];
  /** Rule ids that MUST fail on this backend (others may fail too). */
  readonly targets: readonly string[];
  /** Set for the deviations of sa-token-rust listed at the end of CONTRACT.md (emulated in memory). */
  readonly origin?: 'sa-token-rust';
  /** Clock mode to check it in (default 'virtual'). */
  readonly clock?: ClockMode;
  /** Extra suite options it needs, e.g. `{ expect: 'unimplemented' }` or a short `callTimeoutMs`. */
  readonly options?: Partial<SuiteOptions>;
  /** The storage factory, called with the suite's context like any backend's factory. */
  create(ctx: FactoryContext): SaStorage | DisposableStorage;
}
