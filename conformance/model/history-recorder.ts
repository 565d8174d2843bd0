/**
 * Records a concurrent history against one SaStorage for the linearizability checker.
 *
 * `clients` async loops share the storage and one logical clock. Each op is stamped with
 * `invokedAt` just before the call and `respondedAt` once its promise settled, so the recorded
 * interval always contains the real one (wider intervals only weaken happens-before: sound).
 *
 * Outcome policy: incr/decr rejecting with SerializationError or OperationFailed is a result
 * the model predicts. Any other rejection (or a non-StorageError) has an unknown effect, so
 * rather than guess, the recorder stops every client, waits for in-flight calls to settle and
 * rethrows the first such error unchanged, for the suite to report. No event is ever pending.
 */
import { isStorageError } from '../contract/errors.js';
import type { SaStorage } from '../contract/storage.js';
import type { CounterResult, HistoryEvent, LinearOp } from './linearizability.js';

export interface RecordOptions {
  /** Concurrent loops sharing the storage. */
  clients: number;
  /** Operations each loop issues, one after another. */
  opsPerClient: number;
  /** Keys drawn from; few keys mean more contention. */
  keys: readonly string[];
  /** PRNG seed: the ops issued (not the interleaving of an external server) are a function of it. */
  seed: number;
}

/**
 * Values `set` writes: canonical integers (incr succeeds), a non-integer and a non-canonical
 * one (incr rejects with SerializationError) and the int64 bounds (incr/decr overflow).
 */
export const VALUE_POOL: readonly string[] = [
  '0',
  '7',
  '-3',
  '1',
  'x',
  '01',
  '9223372036854775807',
  '-9223372036854775808',
];

/** mulberry32: tiny, fast, deterministic; quality is ample for choosing test operations. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function recordConcurrentHistory(storage: SaStorage, options: RecordOptions): Promise<HistoryEvent[]> {
  const { clients, opsPerClient, keys, seed } = options;
  if (!Number.isInteger(clients) || clients < 1)
    throw new RangeError(`clients must be a positive integer, got ${clients}`);
  if (!Number.isInteger(opsPerClient) || opsPerClient < 0) {
    throw new RangeError(`opsPerClient must be a non-negative integer, got ${opsPerClient}`);
  }
  if (keys.length === 0) throw new RangeError('keys must not be empty');
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);

  let clock = 0;
  const events: HistoryEvent[] = [];
  let failure: { error: unknown } | undefined;

  const runClient = async (client: number): Promise<void> => {
    // One PRNG per client: its op sequence does not depend on how the loops interleave.
    const random = mulberry32((seed ^ Math.imul(client + 1, 0x9e3779b1)) >>> 0);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (let n = 0; n < opsPerClient && failure === undefined; n++) {
      await tinyDelay(random);
      if (failure !== undefined) return;
      const key = pick(keys);
      const roll = random();
      const kind = roll < 0.3 ? 'get' : roll < 0.55 ? 'set' : roll < 0.65 ? 'delete' : roll < 0.85 ? 'incr' : 'decr';
      const value = pick(VALUE_POOL);
      const invokedAt = ++clock;
      try {
        const op = await perform(storage, kind, key, value);
        events.push({ client, op, invokedAt, respondedAt: ++clock });
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  };

  await Promise.all(Array.from({ length: clients }, (_, client) => runClient(client)));
  if (failure !== undefined) throw failure.error;
  return events.sort((a, b) => a.invokedAt - b.invokedAt);
}

async function perform(storage: SaStorage, kind: LinearOp['kind'], key: string, value: string): Promise<LinearOp> {
  switch (kind) {
    case 'get':
      return { kind, key, result: await storage.get(key) };
    case 'set':
      await storage.set(key, value);
      return { kind, key, value };
    case 'delete':
      await storage.delete(key);
      return { kind, key };
    case 'incr':
    case 'decr': {
      let result: CounterResult;
      try {
        result = await (kind === 'incr' ? storage.incr(key) : storage.decr(key));
      } catch (error) {
        if (!isStorageError(error) || (error.kind !== 'SerializationError' && error.kind !== 'OperationFailed')) {
          throw error;
        }
        result = error.kind;
      }
      return { kind, key, result };
    }
  }
}

/** 1–3 microtask ticks or one setImmediate turn: enough to interleave clients, never a real sleep. */
async function tinyDelay(random: () => number): Promise<void> {
  const r = random();
  if (r < 0.25) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return;
  }
  const ticks = Math.floor(r * 4);
  for (let i = 0; i < ticks; i++) await Promise.resolve();
}
