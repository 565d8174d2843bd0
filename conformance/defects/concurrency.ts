/** Defects that only concurrent calls reveal (CONC-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, stepCounter } from '../contract/index.js';
import type { Defect } from './defect.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** get, then compute, then set (keeping the TTL): another call can run in between. */
async function readModifyWrite(storage: MemoryStorage, key: string, delta: 1 | -1): Promise<number> {
  assertWellFormedString(key, 'key');
  const stored = await storage.get(key);
  const remaining = stored === null ? null : await storage.ttl(key);
  await nextTurn(); // e.g. a round trip to the server
  const step = stepCounter(stored, delta, key);
  await storage.set(key, step.stored, remaining === 0 ? 1 : remaining);
  return step.result;
}

class CounterReadModifyWrite extends MemoryStorage {
  override async incr(key: string): Promise<number> {
    return readModifyWrite(this, key, 1);
  }
  override async decr(key: string): Promise<number> {
    return readModifyWrite(this, key, -1);
  }
}

class DecrReadModifyWrite extends MemoryStorage {
  override async decr(key: string): Promise<number> {
    return readModifyWrite(this, key, -1);
  }
}

/**
 * get coalesces concurrent reads of a key (single-flight): a get that arrives while another
 * read of that key is in flight is handed that read's answer, even if a write completed in between.
 */
class SingleFlightGet extends MemoryStorage {
  readonly #inFlight = new Map<string, Promise<string | null>>();
  override get(key: string): Promise<string | null> {
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending;
    const read = super
      .get(key)
      .then(async (value) => {
        await nextTurn(); // the read's round trip
        return value;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, read);
    return read;
  }
}

export const concurrencyDefects: readonly Defect[] = [
  {
    id: 'counter-read-modify-write',
    method: ['incr', 'decr'],
    description:
      'incr and decr read the value, wait for a round trip and write the result back, so concurrent calls lose updates.',
    targets: ['CONC-01', 'CONC-02', 'CONC-04'],
    create: (ctx) => new CounterReadModifyWrite({ clock: ctx.clock }),
  },
  {
    id: 'decr-read-modify-write',
    method: 'decr',
    description:
      'decr (unlike incr) is a read-modify-write over two round trips, so decrements racing with increments are lost.',
    targets: ['CONC-02'],
    create: (ctx) => new DecrReadModifyWrite({ clock: ctx.clock }),
  },
  {
    id: 'get-single-flight-stale-read',
    method: 'get',
    description:
      'get hands a caller the answer of a read of the same key already in flight, even when a write completed after that read started.',
    targets: ['CONC-04'],
    create: (ctx) => new SingleFlightGet({ clock: ctx.clock }),
  },
];
