/** Subtle defects that the model-based rule (MODEL-01) is there to find. */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertKeyList, assertWellFormedString, normalizeRequiredTtl } from '../contract/index.js';
import type { Defect } from './defect.js';

/** expire treats "0 ms left" as expired: a key at its exact deadline is not extended. */
class ExpireAtDeadlineIgnored extends MemoryStorage {
  override async expire(key: string, ttl: number): Promise<void> {
    assertWellFormedString(key, 'key');
    normalizeRequiredTtl(ttl);
    if ((await this.ttl(key)) === 0) return;
    return super.expire(key, ttl);
  }
}

/** exists derives liveness from the remaining TTL being positive. */
class ExistsOffByOneAtDeadline extends MemoryStorage {
  override async exists(key: string): Promise<boolean> {
    if ((await this.ttl(key)) === 0) return false;
    return super.exists(key);
  }
}

/** Off-by-one loop bound. */
class MdelForgetsLastKey extends MemoryStorage {
  override async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    for (let i = 0; i < keys.length - 1; i++) await this.delete(keys[i] as string);
  }
}

export const modelDefects: readonly Defect[] = [
  {
    id: 'expire-at-deadline-ignored',
    method: 'expire',
    description:
      'expire treats a key with 0 ms left as already expired, so expire at the key’s exact deadline does not extend it and the key vanishes 1 ms later.',
    targets: ['TTL-05', 'MODEL-01'],
    // TTL-05 calls expire at the exact deadline; the model needs set, a move to that deadline,
    // expire of that key and another move in a row (8 of 10 seeds at 100 runs), so more runs here.
    options: { numRuns: 1000 },
    create: (ctx) => new ExpireAtDeadlineIgnored({ clock: ctx.clock }),
  },
  {
    id: 'exists-false-at-deadline',
    method: 'exists',
    description:
      'exists answers false for a key at its exact deadline (it tests the remaining TTL for > 0) while get still returns the key.',
    targets: ['TTL-02', 'MODEL-01'],
    create: (ctx) => new ExistsOffByOneAtDeadline({ clock: ctx.clock }),
  },
  {
    id: 'mdel-forgets-last-key',
    method: 'mdel',
    description: 'mdel’s loop stops one key early, so the last key of every batch is left in place.',
    targets: ['BULK-05', 'MODEL-01'],
    create: (ctx) => new MdelForgetsLastKey({ clock: ctx.clock }),
  },
];
