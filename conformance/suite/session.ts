/**
 * One conformance run: resolves options, calibrates real time, detects unimplemented
 * backends once, then runs rules one at a time. checkConformance drives it directly; the
 * test-runner adapters drive it from their hooks and tests.
 */
import { isStorageError, SA_STORAGE_METHODS } from '../contract/index.js';
import { contractRules, stubRules } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { callSettled, describeCall, type Settled, sampleArgs } from './calls.js';
import { FactoryError, type ResolvedOptions, RuleContext, setupTimeoutMs } from './context.js';
import { diagnose, type Finding, type Observation, observe } from './diagnosis.js';
import { describeValue, Inconclusive, OutOfBudget, RuleFailure } from './failures.js';
import { CallLedger } from './guard.js';
import { validateSuiteOptions } from './options.js';
import { describeIncident, type Incident, type ProcessWatch } from './process-watch.js';
import type { Capability, ConformanceReport, RuleResult, StorageFactory, SuiteOptions, Verdict } from './types.js';

const DEFAULT_TOLERANCE_MS = 25;
export const DEFAULT_CALL_TIMEOUT_MS = 5000;
/** Each rule's own time budget by default (see SuiteOptions.timeBudgetMs). */
export const DEFAULT_TIME_BUDGET_MS = 60_000;
/** How far past its budget a rule may run (one slow call in flight) before it is abandoned, in call time-outs. */
const OVERRUN_CALL_TIMEOUTS = 4;

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
  /** Shared by every rule: a method that hung once fails at once afterwards. */
  readonly #ledger = new CallLedger();
  /** Set by checkConformance: incidents (uncaught exceptions, exits) go to the running rule. */
  watch: ProcessWatch | undefined;
  /** Incidents met outside any rule (reported, and never conformant). */
  readonly #incidents: string[] = [];

  constructor(factory: StorageFactory, options: SuiteOptions = {}, where = 'checkConformance') {
    if (typeof factory !== 'function') throw new TypeError('the first argument must be a storage factory function');
    validateSuiteOptions(options, where);
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

  /** The longest a rule can take before the suite itself stops it (for a runner's own test timeout). */
  get ruleTimeoutMs(): number {
    const callTimeoutMs = this.#options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    return (
      (this.#options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS) +
      OVERRUN_CALL_TIMEOUTS * callTimeoutMs +
      setupTimeoutMs(callTimeoutMs)
    );
  }

  /** The longest prepare() can take: the factory, the probe, calibration, dispose. */
  get prepareTimeoutMs(): number {
    const callTimeoutMs = this.#options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    return 3 * setupTimeoutMs(callTimeoutMs) + 32 * callTimeoutMs;
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
      timeBudgetMs: this.#options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
      callTimeoutMs: this.#options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      ttlResolutionMs: this.#options.ttlResolution?.ms ?? 1,
      toleranceMs: 0,
    };
    this.#ledger.where = 'the probe before the first rule';
    const probe = new RuleContext(this.#factory, base, new Set(), { ledger: this.#ledger });
    this.watch?.attach((incident) => this.#incidents.push(describeIncident(incident, 'before any rule ran')));
    try {
      this.#blocker = await probeMethods(probe, this.expect === 'conformant');
      if (clock === 'real' && this.#blocker === undefined) {
        tolerance += 2 * (await measureRoundTrip(probe));
      }
    } catch (error) {
      this.#blocker =
        error instanceof FactoryError
          ? error.message
          : `the backend failed before any rule ran: ${describeValue(error)}`;
    } finally {
      this.watch?.detach();
      await probe.dispose();
    }
    this.#resolved = { ...base, toleranceMs: clock === 'real' ? Math.ceil(tolerance) : 0 };
  }

  skipReason(rule: Rule): string | undefined {
    for (const capability of rule.requires ?? []) {
      const reason = this.#unsupported.get(capability);
      if (reason !== undefined) return `the backend declares no "${capability}" capability: ${reason}`;
    }
    const resolution = this.#options.ttlResolution;
    if (rule.millisecondTtl && resolution !== undefined && resolution.ms > 1) {
      return `the rule checks TTLs to the millisecond; the backend declares a TTL resolution of ${resolution.ms} ms: ${resolution.reason}`;
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

    const ledger = this.#ledger;
    ledger.where = rule.id;
    ledger.calls = 0;
    const budgetMs = options.timeBudgetMs;
    const context = new RuleContext(this.#factory, options, new Set(this.#unsupported.keys()), {
      ledger,
      deadline: started + budgetMs,
    });
    const abandonAfterMs = budgetMs + OVERRUN_CALL_TIMEOUTS * options.callTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let firstIncident: Incident | undefined;
    let incidentMet: (incident: Incident) => void = () => {};
    const incident = new Promise<never>((_, reject) => {
      incidentMet = (met) => reject(new RuleFailure(describeIncident(met, `during ${rule.id}`)));
    });
    this.watch?.attach(
      (met) => {
        firstIncident ??= met;
        incidentMet(met);
      },
      (met) => this.#incidents.push(describeIncident(met, `between rules (it surfaced before ${rule.id} started)`)),
    );
    const note = () => (context.resolutionUsed ? { note: this.#resolutionNote() } : {});
    try {
      await Promise.race([
        rule.run(context),
        incident,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new OutOfBudget(
                  `${rule.id} was still running ${abandonAfterMs} ms after it started (time budget ${budgetMs} ms + ${OVERRUN_CALL_TIMEOUTS} call time-outs) and was stopped after ${ledger.calls} calls; nothing it checked had failed`,
                ),
              ),
            abandonAfterMs,
          );
        }),
      ]);
      // Whatever the rule left behind (an unhandled rejection, a callback it scheduled) is still its own.
      if (this.watch !== undefined) {
        await new Promise<void>((resolve) => setTimeout(resolve, 2));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (firstIncident !== undefined) throw new RuleFailure(describeIncident(firstIncident, `during ${rule.id}`));
      return finish({ status: 'pass', ...note() });
    } catch (error) {
      if (error instanceof OutOfBudget) {
        return finish({
          status: 'partial',
          reason: `ran out of the suite's time budget: ${error.message}`,
          coverage: {
            ...(error.runs !== undefined ? { runs: error.runs.done, runsAsked: error.runs.asked } : {}),
            calls: ledger.calls,
            budgetMs,
          },
          ...note(),
        });
      }
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
      this.watch?.detach();
      await context.dispose();
    }
  }

  #resolutionNote(): string {
    const declared = this.#options.ttlResolution;
    return `TTLs checked at the declared resolution of ${declared?.ms} ms (${declared?.reason}), not to the millisecond`;
  }

  report(): ConformanceReport {
    const results = [...this.#results];
    const counts = { pass: 0, fail: 0, skip: 0, partial: 0 };
    for (const result of results) counts[result.status]++;
    for (const incident of this.watch?.takePending() ?? []) {
      this.#incidents.push(describeIncident(incident, 'after the last rule'));
    }
    const incidents = [...this.#incidents];
    // Nothing checked is never conformant: all skipped or all partial gives no verdict of conformance.
    const verdict: Verdict =
      counts.fail > 0 || counts.pass === 0 || incidents.length > 0 || this.#blocker !== undefined
        ? counts.fail === 0 && counts.partial > 0 && incidents.length === 0 && this.#blocker === undefined
          ? 'partial'
          : 'not-conformant'
        : counts.partial > 0
          ? 'partial'
          : 'conformant';
    const conformant = verdict === 'conformant';
    const diagnosis = this.diagnosis();
    const resolved = this.#resolved;
    return {
      conformant,
      verdict,
      headline: this.#headline(verdict, counts, results, incidents, diagnosis),
      diagnosis,
      clock: this.clock,
      expect: this.expect,
      seed: this.seed,
      results,
      counts,
      ...(incidents.length > 0 ? { incidents } : {}),
      declared: {
        unsupported: Object.fromEntries(this.#unsupported),
        ...(this.#options.ttlResolution !== undefined ? { ttlResolution: this.#options.ttlResolution } : {}),
      },
      limits: {
        callTimeoutMs: resolved?.callTimeoutMs ?? this.#options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
        timeBudgetMs: resolved?.timeBudgetMs ?? this.#options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
      },
      startedAt: this.#startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.#startedMs),
    };
  }

  #headline(
    verdict: Verdict,
    counts: ConformanceReport['counts'],
    results: RuleResult[],
    incidents: readonly string[],
    diagnosis: readonly Finding[],
  ): string {
    const conformant = verdict === 'conformant';
    const total = results.length;
    const skipped = `${counts.partial > 0 ? `, ${counts.partial} partial` : ''}${counts.skip > 0 ? `, ${counts.skip} skipped` : ''}`;
    if (this.#blocker !== undefined) return `NOT CONFORMANT — ${this.#blocker}`;
    if (counts.fail === 0 && incidents.length > 0) return `NOT CONFORMANT — ${incidents[0]}`;
    if (this.expect === 'unimplemented') {
      return conformant
        ? `stub contract holds: every method rejects with InternalError (${counts.pass}/${total} stub rules)`
        : `stub contract broken: ${counts.fail} of ${total} stub rules failed`;
    }
    if (conformant) return `CONFORMANT — ${counts.pass} of ${total} rules passed${skipped}`;
    if (verdict === 'partial') {
      return `PARTIAL — no rule failed, but ${counts.partial} of ${total} rules ran out of the suite's time budget before checking everything (${counts.pass} passed${counts.skip > 0 ? `, ${counts.skip} skipped` : ''}); raise --time-budget for a full verdict`;
    }
    if (counts.pass === 0 && counts.fail === 0) return `NOT CONFORMANT — no rule passed${skipped}`;
    const first = diagnosis[0];
    const causes = `${diagnosis.length} probable cause${diagnosis.length === 1 ? '' : 's'}`;
    return `NOT CONFORMANT — ${counts.fail} of ${total} rules failed${skipped}, ${causes} (first: ${first?.title ?? 'unknown'})`;
  }
}

/**
 * Calls every method once, all at once, each bounded by the call timeout: a method that does not
 * settle is noted in the ledger (so every later call to it fails at once: one time-out per hung
 * method per run, whatever the number of rules), and a backend on which every method hangs or
 * every method rejects with InternalError (a stub) gets one headline instead of a wall of failures.
 */
async function probeMethods(context: RuleContext, stubProbe: boolean): Promise<string | undefined> {
  const storage = await context.rawStorage();
  const timeoutMs = context.options.callTimeoutMs;
  const outcomes: Settled[] = await Promise.all(
    SA_STORAGE_METHODS.map((method) => callSettled(storage, method, sampleArgs(method), timeoutMs)),
  );
  SA_STORAGE_METHODS.forEach((method, i) => {
    if (outcomes[i] === 'timeout') context.ledger.noteHung(method, describeCall(method, sampleArgs(method)), timeoutMs);
  });
  if (outcomes.every((outcome) => outcome === 'timeout')) {
    return `no method settles: every call of the probe (${SA_STORAGE_METHODS.join(', ')}) was still pending after ${timeoutMs} ms`;
  }
  if (!stubProbe) return undefined;
  let firstMessage = '';
  for (const outcome of outcomes) {
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
