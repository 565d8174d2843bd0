/**
 * One conformance run: resolves options, calibrates real time, detects unimplemented
 * backends once, then runs rules one at a time. checkConformance drives it directly; the
 * test-runner adapters drive it from their hooks and tests.
 */
import { isStorageError, SA_STORAGE_METHODS } from '../contract/index.js';
import { contractRules, stubRules } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { callSettled, sampleArgs } from './calls.js';
import { FactoryError, type ResolvedOptions, RuleContext } from './context.js';
import { diagnose, type Finding, type Observation, observe } from './diagnosis.js';
import { describeValue, Inconclusive, RuleFailure } from './failures.js';
import type { Capability, ConformanceReport, RuleResult, StorageFactory, SuiteOptions } from './types.js';

const DEFAULT_TOLERANCE_MS = 25;
/** A rule that has not finished by then fails (each call also has its own timeout). */
const RULE_TIMEOUT_FLOOR_MS = 120_000;

export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

/** The rules a run covers: the contract, or the stub profile, narrowed by `only`. */
export function selectRules(options: SuiteOptions = {}): readonly Rule[] {
  const profile = options.expect === 'unimplemented' ? stubRules : contractRules;
  const only = options.only;
  if (!only || only.length === 0) return profile;
  const selected = profile.filter((rule) => only.some((prefix) => rule.id === prefix || rule.id.startsWith(prefix)));
  if (selected.length === 0) {
    throw new Error(`--only ${only.join(', ')} matches no rule id (ids look like ${profile[0]?.id ?? 'KV-01'})`);
  }
  return selected;
}

export class ConformanceSession {
  readonly rules: readonly Rule[];
  readonly seed: number;
  readonly #factory: StorageFactory;
  readonly #options: SuiteOptions;
  readonly #unsupported: ReadonlyMap<Capability, string>;
  #resolved: ResolvedOptions | undefined;
  /** Set when the backend cannot be checked at all (factory fails, every call not implemented). */
  #blocker: string | undefined;
  readonly #results: RuleResult[] = [];
  /** Each failed rule's failed check, for the diagnosis. */
  readonly #observations = new Map<string, Observation>();
  /** One run per rule: the runner adapters may ask for a rule the diagnosis already ran. */
  readonly #runs = new Map<string, Promise<RuleResult>>();
  readonly #startedAt = new Date();
  readonly #startedMs = performance.now();

  constructor(factory: StorageFactory, options: SuiteOptions = {}) {
    if (typeof factory !== 'function') throw new TypeError('the first argument must be a storage factory function');
    this.#factory = factory;
    this.#options = options;
    this.rules = selectRules(options);
    this.seed = options.seed ?? randomSeed();
    this.#unsupported = new Map(
      Object.entries(options.unsupported ?? {}).filter(([, reason]) => typeof reason === 'string') as [
        Capability,
        string,
      ][],
    );
  }

  get clock() {
    return this.#options.clock ?? 'virtual';
  }

  get expect() {
    return this.#options.expect ?? 'conformant';
  }

  /** The one-line verdict when the backend could not be checked, else undefined. */
  get blocker(): string | undefined {
    return this.#blocker;
  }

  /** Calibrates the real-time tolerance and probes for an unimplemented backend. Run once, before rules. */
  async prepare(): Promise<void> {
    const clock = this.clock;
    let tolerance = this.#options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    const base: ResolvedOptions = {
      clock,
      seed: this.seed,
      path: this.#options.path,
      replayPath: this.#options.replayPath,
      numRuns: this.#options.numRuns ?? (clock === 'virtual' ? 100 : 25),
      timeBudgetMs: this.#options.timeBudgetMs,
      callTimeoutMs: this.#options.callTimeoutMs ?? 5000,
      toleranceMs: 0,
    };
    const probe = new RuleContext(this.#factory, base);
    try {
      if (this.expect === 'conformant') this.#blocker = await detectUnimplemented(probe);
      if (clock === 'real' && this.#blocker === undefined) {
        tolerance += 2 * (await measureRoundTrip(probe));
      }
    } catch (error) {
      this.#blocker =
        error instanceof FactoryError
          ? error.message
          : `the backend failed before any rule ran: ${describeValue(error)}`;
    } finally {
      await probe.dispose();
    }
    this.#resolved = { ...base, toleranceMs: clock === 'real' ? Math.ceil(tolerance) : 0 };
  }

  skipReason(rule: Rule): string | undefined {
    for (const capability of rule.requires ?? []) {
      const reason = this.#unsupported.get(capability);
      if (reason !== undefined) return `the backend declares no "${capability}" capability: ${reason}`;
    }
    return undefined;
  }

  /** Runs a rule once; asking again gives the same result. */
  runRule(rule: Rule): Promise<RuleResult> {
    let run = this.#runs.get(rule.id);
    if (run === undefined) {
      run = this.#runRule(rule);
      this.#runs.set(rule.id, run);
    }
    return run;
  }

  /** Runs every selected rule not run yet, in registry order. */
  async runAll(): Promise<void> {
    for (const rule of this.rules) await this.runRule(rule);
  }

  /** Probable root causes of the failures so far, most basic first (see diagnosis.ts). */
  diagnosis(): Finding[] {
    if (this.#blocker !== undefined) {
      const failed = this.#results.filter((r) => r.status === 'fail').map((r) => r.id);
      if (failed.length === 0) return [];
      return [
        {
          method: 'factory',
          title: this.#blocker,
          breaks: failed,
          seenIn: failed,
          hint: /^not implemented/.test(this.#blocker)
            ? 'if this backend is a stub on purpose, check the stub contract instead (expect: "unimplemented", --expect unimplemented)'
            : 'the suite could not get a working storage from the factory: fix the factory (or the connection it needs) first',
          evidence: [this.#blocker],
        },
      ];
    }
    const observations = this.#results.flatMap((r) => this.#observations.get(r.id) ?? []);
    return diagnose(observations, this.rules);
  }

  async #runRule(rule: Rule): Promise<RuleResult> {
    if (this.#resolved === undefined) await this.prepare();
    const options = this.#resolved as ResolvedOptions;
    const started = performance.now();
    const base = { id: rule.id, title: rule.title, area: rule.area };
    const finish = (outcome: Omit<RuleResult, 'id' | 'title' | 'area' | 'durationMs'>): RuleResult => {
      const result: RuleResult = { ...base, ...outcome, durationMs: Math.round(performance.now() - started) };
      this.#results.push(result);
      return result;
    };
    const skip = this.skipReason(rule);
    if (skip !== undefined) return finish({ status: 'skip', reason: skip });
    if (this.#blocker !== undefined) return finish({ status: 'fail', reason: this.#blocker });

    const context = new RuleContext(this.#factory, options, new Set(this.#unsupported.keys()));
    const ruleTimeoutMs = Math.max(RULE_TIMEOUT_FLOOR_MS, 20 * options.callTimeoutMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        rule.run(context),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new RuleFailure(`the rule did not finish within ${ruleTimeoutMs} ms`)),
            ruleTimeoutMs,
          );
        }),
      ]);
      return finish({ status: 'pass' });
    } catch (error) {
      if (error instanceof Inconclusive) return finish({ status: 'skip', reason: `inconclusive: ${error.message}` });
      const trace = { clockMoved: context.trace.clockMoved, namespaces: context.trace.namespaces.size };
      if (error instanceof RuleFailure) {
        const observation = observe(rule, error.message, error.check, trace, error.counterexample);
        this.#observations.set(rule.id, observation);
        return finish({
          status: 'fail',
          reason: error.message,
          breaks: observation.breaks,
          ...(observation.method !== undefined ? { method: observation.method } : {}),
          ...(error.counterexample !== undefined ? { counterexample: error.counterexample } : {}),
          ...(error.replay !== undefined ? { replay: { ...error.replay, ruleId: rule.id } } : {}),
        });
      }
      if (error instanceof FactoryError) return finish({ status: 'fail', reason: error.message });
      const reason = `unexpected error: ${describeValue(error)}`;
      // A call the rule needed rejected: the call that rejected is the one under test.
      const rejected = context.trace.lastRejection;
      const observation = observe(
        rule,
        rejected ? `${rejected.call} rejected with ${describeValue(error)}` : reason,
        rejected ? { method: rejected.method } : {},
        trace,
      );
      this.#observations.set(rule.id, observation);
      return finish({
        status: 'fail',
        reason,
        breaks: observation.breaks,
        ...(observation.method !== undefined ? { method: observation.method } : {}),
      });
    } finally {
      clearTimeout(timer);
      await context.dispose();
    }
  }

  report(): ConformanceReport {
    const results = [...this.#results];
    const counts = { pass: 0, fail: 0, skip: 0 };
    for (const result of results) counts[result.status]++;
    const conformant = counts.fail === 0 && counts.pass > 0;
    const diagnosis = this.diagnosis();
    return {
      conformant,
      headline: this.#headline(conformant, counts, results, diagnosis),
      diagnosis,
      clock: this.clock,
      expect: this.expect,
      seed: this.seed,
      results,
      counts,
      startedAt: this.#startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.#startedMs),
    };
  }

  #headline(
    conformant: boolean,
    counts: ConformanceReport['counts'],
    results: RuleResult[],
    diagnosis: readonly Finding[],
  ): string {
    const total = results.length;
    const skipped = counts.skip > 0 ? `, ${counts.skip} skipped` : '';
    if (this.#blocker !== undefined) return `NOT CONFORMANT — ${this.#blocker}`;
    if (this.expect === 'unimplemented') {
      return conformant
        ? `stub contract holds: every method rejects with InternalError (${counts.pass}/${total} stub rules)`
        : `stub contract broken: ${counts.fail} of ${total} stub rules failed`;
    }
    if (conformant) return `CONFORMANT — ${counts.pass} of ${total} rules passed${skipped}`;
    if (counts.pass === 0 && counts.fail === 0) return `NOT CONFORMANT — no rule ran${skipped}`;
    const first = diagnosis[0];
    const causes = `${diagnosis.length} probable cause${diagnosis.length === 1 ? '' : 's'}`;
    return `NOT CONFORMANT — ${counts.fail} of ${total} rules failed${skipped}, ${causes} (first: ${first?.title ?? 'unknown'})`;
  }
}

/** If every method rejects with InternalError, the backend is a stub: one headline instead of a wall of failures. */
async function detectUnimplemented(context: RuleContext): Promise<string | undefined> {
  const storage = await context.rawStorage();
  let firstMessage = '';
  for (const method of SA_STORAGE_METHODS) {
    const outcome = await callSettled(storage, method, sampleArgs(method), context.options.callTimeoutMs);
    if (outcome === 'timeout' || !('error' in outcome)) return undefined;
    const { error } = outcome;
    if (!isStorageError(error) || error.kind !== 'InternalError') return undefined;
    firstMessage ||= error.message;
  }
  return `not implemented: every method rejects with InternalError ("${firstMessage}")`;
}

/** p90 of sequential `exists` round trips on a fresh storage, in ms. */
async function measureRoundTrip(context: RuleContext): Promise<number> {
  const storage = await context.storage();
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    await storage.exists('sa-kit-calibration');
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length * 0.9)] ?? 0;
}
