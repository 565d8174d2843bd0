/** Defects in counters (CTR-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, parseCanonicalInt64, StorageError } from '../contract/index.js';
import type { Defect } from './defect.js';
import { SharedMapStorage } from './shared-map-storage.js';

const ONE_DAY_MS = 86_400_000;

/** A new counter gets a default expiry of one day. */
class NewCounterDefaultTtl extends MemoryStorage {
  override async incr(key: string): Promise<number> {
    const created = !(await this.exists(key));
    const result = await super.incr(key);
    if (created) await this.expire(key, ONE_DAY_MS);
    return result;
  }
  override async decr(key: string): Promise<number> {
    const created = !(await this.exists(key));
    const result = await super.decr(key);
    if (created) await this.expire(key, ONE_DAY_MS);
    return result;
  }
}

/** The driver's reply (a string) is passed through instead of a number. */
class CounterResolvesString extends MemoryStorage {
  override async incr(key: string): Promise<number> {
    return String(await super.incr(key)) as unknown as number;
  }
  override async decr(key: string): Promise<number> {
    return String(await super.decr(key)) as unknown as number;
  }
}

/**
 * The stored value is parsed with Number(), which accepts " 1", "+1", "1.0", "1e3", "0x10" and ""
 * (as 0); only NaN is refused.
 */
class CounterParsesWithNumber extends SharedMapStorage {
  protected override async step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const entry = this.live(key);
    const current = entry === undefined ? 0 : Number(entry.value);
    if (Number.isNaN(current)) {
      throw new StorageError('SerializationError', `value of key ${JSON.stringify(key)} is not a number`);
    }
    const next = current + delta;
    if (entry === undefined) this.write(key, String(next), null);
    else entry.value = String(next);
    return next;
  }
}

/** Strict parsing, BigInt arithmetic, but no range check: the counter wraps around like a C int64. */
class CounterWraps extends SharedMapStorage {
  protected override async step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const entry = this.live(key);
    const current = entry === undefined ? 0n : parseCanonicalInt64(entry.value);
    if (current === null) {
      throw new StorageError('SerializationError', `value of key ${JSON.stringify(key)} is not an integer`);
    }
    const next = BigInt.asIntN(64, current + BigInt(delta)).toString();
    if (entry === undefined) this.write(key, next, null);
    else entry.value = next;
    return Number(next);
  }
}

/** Strict parsing, but the arithmetic is done in doubles: digits beyond 2^53 are lost. */
class CounterUsesDoubles extends SharedMapStorage {
  protected override async step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const entry = this.live(key);
    const current = entry === undefined ? 0n : parseCanonicalInt64(entry.value);
    if (current === null) {
      throw new StorageError('SerializationError', `value of key ${JSON.stringify(key)} is not an integer`);
    }
    const next = Number(current) + delta;
    if (next > 2 ** 63 || next < -(2 ** 63)) {
      throw new StorageError('OperationFailed', `counter ${JSON.stringify(key)} would overflow`);
    }
    const stored = BigInt(next).toString();
    if (entry === undefined) this.write(key, stored, null);
    else entry.value = stored;
    return next;
  }
}

export const counterDefects: readonly Defect[] = [
  {
    id: 'new-counter-gets-default-ttl',
    method: ['incr', 'decr'],
    description: 'incr and decr give a counter they create a default TTL of one day instead of making it persistent.',
    targets: ['CTR-01'],
    create: (ctx) => new NewCounterDefaultTtl({ clock: ctx.clock }),
  },
  {
    id: 'counter-resolves-string',
    method: ['incr', 'decr'],
    description: 'incr and decr resolve to the driver’s string reply ("42") instead of a number.',
    targets: ['CTR-01', 'CTR-02'],
    create: (ctx) => new CounterResolvesString({ clock: ctx.clock }),
  },
  {
    id: 'counter-parses-with-number',
    method: ['incr', 'decr'],
    description:
      'incr and decr parse the stored value with Number(), so " 1", "+1", "1.0", "1e3" and "" are counted instead of refused.',
    targets: ['CTR-04'],
    create: (ctx) => new CounterParsesWithNumber(ctx),
  },
  {
    id: 'counter-wraps-at-64-bits',
    method: 'incr',
    description:
      'incr past 9223372036854775807 wraps around to the most negative value instead of rejecting with OperationFailed.',
    targets: ['CTR-05'],
    create: (ctx) => new CounterWraps(ctx),
  },
  {
    id: 'counter-uses-doubles',
    method: ['incr', 'decr'],
    description: 'incr and decr compute in JavaScript numbers, so counters beyond 2^53 lose their last digits.',
    targets: ['CTR-05', 'CTR-06'],
    create: (ctx) => new CounterUsesDoubles(ctx),
  },
];
