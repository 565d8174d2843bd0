/**
 * Test vectors: the suite's checks as data, so a runner in any language can replay the spec
 * without Node (docs/protocol.md, "Test vectors").
 *
 * They are recorded, not written by hand: every rule runs in virtual-clock mode against the
 * reference MemoryStorage, and each call a rule makes becomes one step — the protocol request
 * it would send (with `now`) and the answer the contract requires. Calls whose arguments the
 * protocol cannot carry (a number as a key, a lone surrogate, NaN) are answered by the kit
 * itself and left out; they are rejected calls, so leaving them out changes no later answer.
 * The generator replays what it recorded before writing it, so every case is self-consistent.
 */

import { MemoryStorage } from '../../implementations/memory/index.js';
import type { VirtualClock } from '../clock.js';
import { isStorageError, SA_STORAGE_METHODS, type SaStorage, type SaStorageMethod } from '../contract/index.js';
import { contractRules } from '../rules/index.js';
import { checkConformance } from '../suite/check.js';
import { encodeOperation, operationArguments, PROTOCOL_VERSION } from './messages.js';

/** The `format` field of a vectors file: tells a runner this JSON is the kit's test vectors. */
export const VECTORS_FORMAT = 'sa-storage-kit/vectors';
/** The vectors file layout's version, bumped when it changes; a runner should refuse one it does not know. */
export const VECTORS_VERSION = 1;

/** What a step's answer must be. */
export type Expectation = { readonly result: unknown; readonly unordered?: true } | { readonly error: string };

/** One call of a case: the request to send to one of its stores and the answer it must get. */
export interface VectorStep {
  /** Index into the case's `stores`. */
  readonly store: number;
  /** The protocol request without `id` and `store`: `op`, its fields, and `now`. */
  readonly request: Readonly<Record<string, unknown>>;
  /** The answer the contract requires: a result (keys lists compared unordered) or an error kind. */
  readonly expect: Expectation;
}

/** One rule's recorded calls, replayed in order against fresh stores. */
export interface VectorCase {
  /** The rule's id (as in SPEC.md and the report), e.g. `TTL-03`. */
  readonly rule: string;
  /** The rule's one-line statement. */
  readonly title: string;
  /** The part of the contract the rule belongs to. */
  readonly area: string;
  /** The namespaces of the stores the case opens, in order (each one a fresh, empty store). */
  readonly stores: readonly string[];
  /** The calls, in the order they must be sent, each awaited before the next. */
  readonly steps: readonly VectorStep[];
}

/** A whole vectors file (`sa-storage-kit vectors`): every replayable rule as data. */
export interface VectorFile {
  /** Always `sa-storage-kit/vectors`. */
  readonly format: typeof VECTORS_FORMAT;
  /** Layout version of this file. */
  readonly version: typeof VECTORS_VERSION;
  /** The process protocol version its requests are written in. */
  readonly protocol: number;
  /** Seed the generated parts were drawn from: same seed, same file. */
  readonly seed: number;
  /** Runs recorded for each property rule. */
  readonly numRuns: number;
  /** How to replay the file, and which rules were left out and why. */
  readonly notes: readonly string[];
  /** One case per rule recorded. */
  readonly cases: readonly VectorCase[];
}

/** What `generateVectors` records. */
export interface VectorOptions {
  /** Seed of the generated parts (default 1): same seed, same file. */
  readonly seed?: number;
  /** Runs of each property rule (default 10). */
  readonly numRuns?: number;
  /** Only rules whose id equals or starts with one of these. */
  readonly only?: readonly string[];
}

interface Recording {
  readonly rule: string;
  readonly stores: string[];
  readonly steps: { store: number; request: Record<string, unknown>; expect?: Expectation }[];
  /** A call the protocol cannot carry resolved: the case cannot be replayed faithfully. */
  unfaithful: boolean;
}

function recordingStorage(storage: SaStorage, store: number, clock: VirtualClock, recording: Recording): SaStorage {
  const proxy: Record<string, unknown> = {};
  for (const method of SA_STORAGE_METHODS) {
    proxy[method] = (...args: unknown[]) => {
      let fields: Record<string, unknown> | undefined;
      try {
        fields = { ...encodeOperation(method, args), now: clock.now() };
      } catch {
        fields = undefined;
      }
      const step = fields === undefined ? undefined : { store, request: fields };
      if (step !== undefined) recording.steps.push(step);
      // A counter's answer is exact only up to 2^53 as a number: the stored string before the
      // step (read synchronously, like the step itself) gives the exact answer for the file.
      const before =
        (method === 'incr' || method === 'decr') && step !== undefined ? storage.get(args[0] as string) : undefined;
      const settled = (storage[method] as (...a: unknown[]) => Promise<unknown>).apply(storage, args);
      void settled.then(
        async (value) => {
          if (step === undefined) {
            recording.unfaithful = true;
            return;
          }
          let result: unknown = value ?? null;
          if (method === 'keys') result = [...(value as string[])].sort();
          if (before !== undefined && !Number.isSafeInteger(value)) {
            result = BigInt((await before) ?? '0') + (method === 'incr' ? 1n : -1n);
          }
          Object.assign(step, { expect: method === 'keys' ? { result, unordered: true } : { result } });
        },
        (error: unknown) => {
          if (step !== undefined)
            Object.assign(step, { expect: { error: isStorageError(error) ? error.kind : 'InternalError' } });
        },
      );
      return settled;
    };
  }
  return proxy as unknown as SaStorage;
}

/** Replaces every occurrence of each recorded namespace in the case's strings by a stable one. */
function renameNamespaces(value: unknown, renames: readonly [string, string][]): unknown {
  if (typeof value === 'string') {
    let text = value;
    for (const [from, to] of renames) text = text.split(from).join(to);
    return text;
  }
  if (Array.isArray(value)) return value.map((item) => renameNamespaces(item, renames));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameNamespaces(v, renames)]));
  }
  return value;
}

/** Records the suite's checks against MemoryStorage in virtual mode. */
export async function generateVectors(options: VectorOptions = {}): Promise<VectorFile> {
  const seed = options.seed ?? 1;
  const numRuns = options.numRuns ?? 10;
  const recordings: Recording[] = [];
  let current: Recording | undefined;
  const report = await checkConformance(
    (context) => {
      const storage = new MemoryStorage({ clock: context.clock, sweepIntervalMs: 0 });
      if (current === undefined) return storage; // the session's probe, before any rule
      const store = current.stores.push(context.namespace) - 1;
      return {
        storage: recordingStorage(storage, store, context.clock as VirtualClock, current),
        dispose: () => storage.close(),
      };
    },
    {
      clock: 'virtual',
      seed,
      numRuns,
      ...(options.only !== undefined ? { only: options.only } : {}),
      onRuleStart: (rule) => {
        current = { rule: rule.id, stores: [], steps: [], unfaithful: false };
        recordings.push(current);
      },
      onRuleEnd: () => {
        current = undefined;
      },
    },
  );
  const notes: string[] = [];
  const cases: VectorCase[] = [];
  for (const recording of recordings) {
    const rule = contractRules.find((r) => r.id === recording.rule);
    const result = report.results.find((r) => r.id === recording.rule);
    if (rule === undefined || result?.status !== 'pass') {
      notes.push(`${recording.rule} left out: the reference did not pass it (${result?.reason ?? 'not run'})`);
      continue;
    }
    if (new Set(recording.stores).size !== recording.stores.length) {
      notes.push(
        `${rule.id} left out: it opens one namespace twice (two clients of one store), which a replay cannot reproduce`,
      );
      continue;
    }
    if (recording.unfaithful || recording.steps.some((step) => step.expect === undefined)) {
      notes.push(`${rule.id} left out: a call the protocol cannot carry was accepted, or a call never settled`);
      continue;
    }
    if (recording.steps.length === 0) continue;
    const renames = recording.stores.map((namespace, i): [string, string] => [
      namespace,
      `sa-kit:vectors:${rule.id}:${i + 1}*?[\\]:`,
    ]);
    const candidate = renameNamespaces(
      { rule: rule.id, title: rule.title, area: rule.area, stores: recording.stores, steps: recording.steps },
      renames,
    ) as VectorCase;
    const mismatch = (
      await replayVectorCase(candidate, (_namespace, clock) => new MemoryStorage({ clock, sweepIntervalMs: 0 }))
    )[0];
    if (mismatch !== undefined) {
      notes.push(`${rule.id} left out: its recording does not replay on a fresh store (${mismatch})`);
      continue;
    }
    cases.push(candidate);
  }
  return {
    format: VECTORS_FORMAT,
    version: VECTORS_VERSION,
    protocol: PROTOCOL_VERSION,
    seed,
    numRuns,
    notes: [
      'Replay each case on fresh, empty stores, one step at a time, in order; `now` is the virtual time of the step in ms.',
      'Calls whose arguments JSON cannot carry (non-strings as keys, lone surrogates, NaN or infinite TTLs) are checked by the kit, not here.',
      ...notes,
    ],
    cases,
  };
}

/** A Clock whose time is set per step. */
class StepClock {
  value = 0;
  now(): number {
    return this.value;
  }
}

/** JSON text of vectors: exact counters (bigints) are written as plain integer literals. */
export function serializeVectors(vectors: VectorFile): string {
  const text = JSON.stringify(vectors, (_key, value: unknown) =>
    typeof value === 'bigint' ? `\u0000bigint:${value}` : value,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/** Compares as JS reads the file: an exact counter is the nearest number. */
function sameJson(a: unknown, b: unknown): boolean {
  const asRead = (_key: string, value: unknown) => (typeof value === 'bigint' ? Number(value) : value);
  return JSON.stringify(a, asRead) === JSON.stringify(b, asRead);
}

/** Replays one case against fresh storages from `make`; returns what differs (empty: all steps agree). */
export async function replayVectorCase(
  vectorCase: VectorCase,
  make: (namespace: string, clock: { now(): number }) => SaStorage,
): Promise<string[]> {
  const clock = new StepClock();
  const stores = vectorCase.stores.map((namespace) => make(namespace, clock));
  const mismatches: string[] = [];
  try {
    for (const [index, step] of vectorCase.steps.entries()) {
      clock.value = step.request.now as number;
      const storage = stores[step.store] as SaStorage;
      const method = step.request.op as SaStorageMethod;
      let got: Expectation;
      try {
        const value = await (storage[method] as (...a: unknown[]) => Promise<unknown>)(
          ...operationArguments(step.request),
        );
        got =
          method === 'keys' ? { result: [...(value as string[])].sort(), unordered: true } : { result: value ?? null };
      } catch (error) {
        got = { error: isStorageError(error) ? error.kind : String(error) };
      }
      if (!sameJson(got, step.expect)) {
        mismatches.push(
          `step ${index} ${JSON.stringify(step.request).slice(0, 120)}: expected ${JSON.stringify(step.expect).slice(0, 120)}, got ${JSON.stringify(got).slice(0, 120)}`,
        );
      }
    }
  } finally {
    for (const storage of stores) await (storage as { close?: () => unknown }).close?.();
  }
  return mismatches;
}
