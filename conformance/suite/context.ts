/**
 * What a rule works with: fresh storages from the user's factory (guarded, disposed at
 * the end), and time it can move, exactly (virtual clock) or by waiting (real clock).
 */

import { VirtualClock } from '../clock.js';
import { type Clock, isStorageError, SA_STORAGE_METHODS, type SaStorage, systemClock } from '../contract/index.js';
import { describeCall, rememberHangs, settleWithin } from './calls.js';
import { expectBetween, NOT_CHECKED, type What } from './expect.js';
import { describeValue, Inconclusive, RuleFailure } from './failures.js';
import { CallLedger, guardStorage } from './guard.js';
import type { Capability, ClockMode, DisposableStorage, FactoryContext, StorageFactory } from './types.js';

export interface ResolvedOptions {
  readonly clock: ClockMode;
  readonly seed: number;
  readonly path: string | undefined;
  readonly replayPath: string | undefined;
  readonly numRuns: number;
  /** Each rule's time budget (property rules stop starting runs after it). */
  readonly timeBudgetMs: number;
  readonly callTimeoutMs: number;
  /** Declared TTL granularity of the backend (1: milliseconds, the contract's). */
  readonly ttlResolutionMs: number;
  /** Real mode: declared tolerance plus calibrated round trip. 0 in virtual mode. */
  readonly toleranceMs: number;
}

/** Moves time for a rule: instantly and exactly with the virtual clock, by waiting with a real one. */
export interface TimeControl {
  readonly mode: ClockMode;
  /** The suite's view of now (virtual clock, or wall clock in ms). */
  now(): number;
  advance(ms: number): Promise<void>;
  /** Slack every real-time comparison allows (0 in virtual mode). */
  readonly toleranceMs: number;
  /** A TTL short enough to wait out but long enough to observe the key alive first. */
  readonly shortTtlMs: number;
}

let namespaceCounter = 0;
const runId = Math.floor(Math.random() * 36 ** 4).toString(36);

/**
 * Namespaces contain glob metacharacters on purpose, and consecutive ones are not prefixes
 * of one another, so a backend that forgets to escape its prefix in a pattern is caught.
 */
export function nextNamespace(): string {
  namespaceCounter += 1;
  return `sa-kit:${runId}:${namespaceCounter}*?[\\]:`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long the factory and a dispose may take before the suite stops waiting for them. */
export function setupTimeoutMs(callTimeoutMs: number): number {
  return Math.max(10_000, 2 * callTimeoutMs);
}

export class RuleContext {
  readonly time: TimeControl;
  readonly options: ResolvedOptions;
  /** Capabilities the backend declared unsupported. */
  readonly unsupported: ReadonlySet<Capability>;
  readonly #factory: StorageFactory;
  readonly #clock: Clock;
  readonly #disposers: (() => void | Promise<void>)[] = [];
  /** Shared by the run: hung methods, calls made. */
  readonly ledger: CallLedger;
  /** performance.now() by which the rule should be done (its time budget). */
  readonly deadline: number;
  /** Set when a TTL check widened its bounds to the declared TTL resolution (the result says so). */
  resolutionUsed = false;
  /** What the rule did so far, for the diagnosis: did time move, how many namespaces it used. */
  readonly trace: {
    clockMoved: boolean;
    namespaces: Set<string>;
    /** The last call that rejected with a StorageError (a rule that needed it to succeed fails on it). */
    lastRejection?: { method: string; call: string };
  } = { clockMoved: false, namespaces: new Set<string>() };

  constructor(
    factory: StorageFactory,
    options: ResolvedOptions,
    unsupported: ReadonlySet<Capability> = new Set(),
    run: { readonly ledger?: CallLedger; readonly deadline?: number } = {},
  ) {
    this.#factory = factory;
    this.options = options;
    this.unsupported = unsupported;
    this.ledger = run.ledger ?? new CallLedger();
    this.deadline = run.deadline ?? performance.now() + options.timeBudgetMs;
    if (options.clock === 'virtual') {
      const clock = new VirtualClock();
      this.#clock = clock;
      this.time = {
        mode: 'virtual',
        now: () => clock.now(),
        advance: async (ms) => {
          this.trace.clockMoved = true;
          clock.advance(ms);
        },
        toleranceMs: 0,
        shortTtlMs: Math.max(1000, 3 * this.#resolution()),
      };
    } else {
      this.#clock = systemClock;
      const tolerance = options.toleranceMs + this.#resolution();
      this.time = {
        mode: 'real',
        now: () => performance.timeOrigin + performance.now(),
        advance: (ms) => {
          this.trace.clockMoved = true;
          return sleep(ms);
        },
        toleranceMs: tolerance,
        shortTtlMs: Math.max(60, Math.ceil(4 * tolerance), 3 * this.#resolution()),
      };
    }
  }

  /** A fresh, empty storage in its own namespace, guarded by the failure discipline. */
  async storage(namespace = nextNamespace()): Promise<SaStorage> {
    return this.#recordRejections(
      guardStorage(await this.rawStorage(namespace), this.options.callTimeoutMs, this.ledger, this.unsupported),
    );
  }

  #recordRejections(storage: SaStorage): SaStorage {
    const recorded: Record<string, unknown> = {};
    for (const method of SA_STORAGE_METHODS) {
      const call = (storage as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[method];
      recorded[method] = (...args: unknown[]) =>
        (call as (...args: unknown[]) => Promise<unknown>)(...args).catch((error: unknown) => {
          if (isStorageError(error)) this.trace.lastRejection = { method, call: describeCall(method, args) };
          throw error;
        });
    }
    return recorded as unknown as SaStorage;
  }

  /** The backend object itself, unguarded (for rules that inspect raw behaviour such as sync throws). */
  async rawStorage(namespace = nextNamespace()): Promise<SaStorage> {
    this.trace.namespaces.add(namespace);
    const context: FactoryContext = { clock: this.#clock, namespace, clockMode: this.options.clock };
    const limit = setupTimeoutMs(this.options.callTimeoutMs);
    if (this.ledger.factoryHung !== undefined) throw new FactoryError(undefined, this.ledger.factoryHung);
    let made: Awaited<ReturnType<StorageFactory>>;
    try {
      const outcome = await settleWithin(this.#factory(context), limit);
      if (outcome === 'timeout') {
        this.ledger.factoryHung = `the storage factory did not return a storage within ${limit} ms (first met in ${this.ledger.where})`;
        throw new FactoryError(undefined, this.ledger.factoryHung);
      }
      if ('error' in outcome) throw outcome.error;
      made = outcome.value as Awaited<ReturnType<StorageFactory>>;
    } catch (error) {
      if (error instanceof FactoryError) throw error;
      throw new FactoryError(error);
    }
    const { storage, dispose } = unwrap(made);
    this.#disposers.push(dispose);
    const handed = this.#withoutUnsupported(storage);
    if (handed !== null && typeof handed === 'object') rememberHangs(handed, this.ledger);
    return handed;
  }

  /** The raw storage, with ttl()/expire() answering NOT_CHECKED when the backend declares it lacks them. */
  #withoutUnsupported(storage: SaStorage): SaStorage {
    const missing = (['ttl', 'expire'] as const).filter((method) => this.unsupported.has(method));
    if (missing.length === 0 || storage === null || typeof storage !== 'object') return storage;
    return new Proxy(storage, {
      get(target, property) {
        if ((missing as readonly PropertyKey[]).includes(property)) return () => Promise.resolve(NOT_CHECKED);
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Disposes every storage made, waiting at most setupTimeoutMs (and not at all once a dispose hung). */
  async dispose(): Promise<void> {
    const disposers = this.#disposers.splice(0).reverse();
    const all = Promise.allSettled(disposers.map(async (dispose) => dispose()));
    if (this.ledger.disposeHung) return;
    if ((await settleWithin(all, setupTimeoutMs(this.options.callTimeoutMs))) === 'timeout') {
      this.ledger.disposeHung = true;
    }
  }

  /**
   * Runs `write` (which gives a key a TTL of `ttlMs`) then `read` (its `ttl()`), and checks the
   * answer: exactly `ttlMs` with the virtual clock; with a real clock, no more than `ttlMs` and no
   * less than what the measured time between the two calls, plus tolerance, allows.
   */
  async expectTtlAfter(write: () => Promise<void>, read: () => Promise<number | null>, ttlMs: number, what: What) {
    const start = this.time.now();
    await write();
    const remaining = await read();
    const elapsed = Math.ceil(this.time.now() - start);
    const resolution = this.#resolution(true);
    const slack = this.time.mode === 'virtual' ? resolution : 0; // real mode: already in toleranceMs
    expectBetween(remaining, ttlMs - elapsed - this.time.toleranceMs - slack, ttlMs + resolution, what);
  }

  /** The declared TTL resolution in ms beyond 1 (0 for a millisecond store); `use` marks the result. */
  #resolution(use = false): number {
    const resolution = this.options.ttlResolutionMs > 1 ? this.options.ttlResolutionMs : 0;
    if (use && resolution > 0) this.resolutionUsed = true;
    return resolution;
  }

  /**
   * Checks a key's life around its deadline. Virtual: `whileLive` runs exactly at the
   * deadline and `afterDeadline` 1 ms after it. Real: `whileLive` must finish before
   * deadline − tolerance (else the attempt is retried with a longer TTL) and `afterDeadline`
   * runs once deadline + tolerance has passed.
   */
  async liveThenGone(steps: {
    write(ttlMs: number): Promise<void>;
    whileLive(ttlMs: number, elapsedMs: number): Promise<void>;
    afterDeadline(ttlMs: number): Promise<void>;
    ttlMs?: number;
  }): Promise<void> {
    if (this.time.mode === 'virtual') {
      // A coarser store may end a key up to one resolution step either side of its deadline.
      const margin = this.#resolution(true);
      const ttl = Math.max(steps.ttlMs ?? this.time.shortTtlMs, 3 * margin);
      await steps.write(ttl);
      await this.time.advance(ttl - margin);
      await steps.whileLive(ttl, ttl - margin);
      await this.time.advance(1 + 2 * margin);
      await steps.afterDeadline(ttl);
      return;
    }
    this.#resolution(true);
    const tolerance = this.time.toleranceMs;
    let ttl = Math.max(steps.ttlMs ?? 0, this.time.shortTtlMs);
    for (let attempt = 0; attempt < 4; attempt++, ttl *= 2) {
      const start = this.time.now();
      await steps.write(ttl);
      const written = this.time.now();
      const late = () => this.time.now() - start > ttl - tolerance;
      if (late()) continue;
      try {
        await steps.whileLive(ttl, written - start);
      } catch (error) {
        // A check that ran too close to the deadline proves nothing: try again with a longer TTL.
        if (late()) continue;
        throw error;
      }
      if (late()) continue;
      // The deadline is at most `written + ttl` (the write landed before it returned).
      const wait = written + ttl + tolerance - this.time.now();
      if (wait > 0) await sleep(wait);
      await steps.afterDeadline(ttl);
      return;
    }
    throw new Inconclusive(
      `the backend was too slow to observe a ${ttl / 2} ms TTL while live (tolerance ${tolerance} ms)`,
    );
  }
}

/** The factory threw or rejected: reported once, as the headline. */
export class FactoryError extends Error {
  constructor(
    readonly original: unknown,
    message = `the storage factory failed: ${describeValue(original)}`,
  ) {
    super(message);
    this.name = 'FactoryError';
  }
}

function unwrap(made: SaStorage | DisposableStorage): { storage: SaStorage; dispose: () => void | Promise<void> } {
  if (made && typeof made === 'object' && 'storage' in made && typeof made.dispose === 'function') {
    return { storage: made.storage, dispose: () => made.dispose() };
  }
  const storage = made as SaStorage;
  if (!storage || typeof storage.get !== 'function') {
    throw new RuleFailure(`the factory returned ${describeValue(made)}, not a SaStorage or { storage, dispose }`);
  }
  const close = (storage as { close?: () => unknown }).close;
  return { storage, dispose: async () => void (typeof close === 'function' ? await close.call(storage) : undefined) };
}
