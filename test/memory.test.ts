import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { VirtualClock } from '../conformance/clock.js';
import { ExpiryHeap } from '../implementations/memory/expiry-heap.js';
import { MemoryStorage } from '../implementations/memory/index.js';
import { expectRejects } from './helpers.js';

let clock: VirtualClock;
let storage: MemoryStorage;

beforeEach(() => {
  clock = new VirtualClock();
  storage = new MemoryStorage({ clock });
});
afterEach(() => storage.close());

describe('keys and values', () => {
  test('any well-formed string round-trips, "" included', async () => {
    const odd = ['', ' ', 'a\nb', '* ? [ ] \\ :', 'é日本', '🙂', '\u0000'];
    for (const key of odd) {
      await storage.set(key, key);
      expect(await storage.get(key)).toBe(key);
    }
    await storage.set('empty', '');
    expect(await storage.get('empty')).toBe('');
    expect(await storage.exists('empty')).toBe(true);
  });

  test('1 MiB values and 8 KiB keys round-trip exactly', async () => {
    const value = 'v🙂'.repeat(1 << 18);
    const key = 'k'.repeat(8 << 10);
    await storage.set(key, value);
    expect(await storage.get(key)).toBe(value);
  });

  test('ill-formed or non-string keys, values and patterns reject with SerializationError and change nothing', async () => {
    await storage.set('a', '1');
    await expectRejects(() => storage.set('\ud800', 'x'), 'SerializationError');
    await expectRejects(() => storage.set('a', '\udc00'), 'SerializationError');
    await expectRejects(() => storage.set(1 as never, 'x'), 'SerializationError');
    await expectRejects(() => storage.set('a', undefined as never), 'SerializationError');
    await expectRejects(() => storage.get('\ud800'), 'SerializationError');
    await expectRejects(() => storage.keys('\ud800*'), 'SerializationError');
    await expectRejects(
      () =>
        storage.mset([
          ['b', '2'],
          ['c', '\ud800'],
        ]),
      'SerializationError',
    );
    await expectRejects(() => storage.mdel(['a', 5 as never]), 'SerializationError');
    expect(await storage.get('a')).toBe('1');
    expect(await storage.keys('*')).toEqual(['a']);
  });
});

describe('time and TTL (virtual clock, exact boundary)', () => {
  test('a key is live while now <= deadline and gone once now > deadline, for every method', async () => {
    await storage.set('k', '5', 100);
    clock.advance(100);
    expect(await storage.get('k')).toBe('5');
    expect(await storage.ttl('k')).toBe(0);
    expect(await storage.mget(['k'])).toEqual(['5']);
    clock.advance(1);
    expect(await storage.get('k')).toBeNull();
    expect(await storage.exists('k')).toBe(false);
    expect(await storage.ttl('k')).toBeNull();
    expect(await storage.mget(['k'])).toEqual([null]);
    expect(await storage.keys('*')).toEqual([]);
  });

  test('expired keys are invisible to expire and incr (incr restarts at 1, persistent)', async () => {
    await storage.set('k', '41', 10);
    clock.advance(11);
    await storage.expire('k', 1000);
    expect(await storage.exists('k')).toBe(false);
    expect(await storage.incr('k')).toBe(1);
    expect(await storage.ttl('k')).toBeNull();
  });

  test('invalid TTLs reject with OperationFailed and change nothing', async () => {
    await storage.set('k', 'v', 500);
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e15 + 1, '10']) {
      await expectRejects(() => storage.set('k', 'w', ttl as never), 'OperationFailed');
      await expectRejects(() => storage.expire('k', ttl as never), 'OperationFailed');
      await expectRejects(() => storage.mset([['k', 'w']], ttl as never), 'OperationFailed');
    }
    await expectRejects(() => storage.expire('k', null as never), 'OperationFailed');
    await expectRejects(() => storage.expire('k', undefined as never), 'OperationFailed');
    expect(await storage.get('k')).toBe('v');
    expect(await storage.ttl('k')).toBe(500);
  });

  test('1e15 ms is accepted; fractional TTLs round up to whole ms', async () => {
    await storage.set('big', 'v', 1e15);
    expect(await storage.ttl('big')).toBe(1e15);
    await storage.set('frac', 'v', 0.2);
    expect(await storage.ttl('frac')).toBe(1);
    clock.advance(1);
    expect(await storage.get('frac')).toBe('v');
    clock.advance(1);
    expect(await storage.get('frac')).toBeNull();
  });

  test('set without TTL makes a key persistent; null and undefined both mean no TTL', async () => {
    await storage.set('k', 'v', 100);
    await storage.set('k', 'w');
    expect(await storage.ttl('k')).toBeNull();
    await storage.set('k', 'x', 100);
    await storage.set('k', 'y', null);
    clock.advance(1000);
    expect(await storage.get('k')).toBe('y');
  });

  test('ttl: remaining ms, null for persistent and missing', async () => {
    await storage.set('t', 'v', 1000);
    clock.advance(250);
    expect(await storage.ttl('t')).toBe(750);
    await storage.set('p', 'v');
    expect(await storage.ttl('p')).toBeNull();
    expect(await storage.ttl('missing')).toBeNull();
  });

  test('expire extends and shortens a live key, creates nothing for a missing one', async () => {
    await storage.set('k', 'v', 100);
    await storage.expire('k', 5000);
    expect(await storage.ttl('k')).toBe(5000);
    await storage.expire('k', 10);
    expect(await storage.ttl('k')).toBe(10);
    await storage.set('p', 'v');
    await storage.expire('p', 20);
    expect(await storage.ttl('p')).toBe(20);
    await storage.expire('missing', 100);
    expect(await storage.exists('missing')).toBe(false);
  });
});

describe('bulk operations', () => {
  test('mget answers position by position, duplicates included', async () => {
    await storage.mset([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(await storage.mget(['b', 'missing', 'a', 'b'])).toEqual(['2', null, '1', '2']);
    expect(await storage.mget([])).toEqual([]);
  });

  test('mset applies one TTL to all, last duplicate wins; empty bulk ops do nothing', async () => {
    await storage.mset(
      [
        ['a', '1'],
        ['a', '2'],
        ['b', '3'],
      ],
      50,
    );
    expect(await storage.get('a')).toBe('2');
    expect(await storage.ttl('b')).toBe(50);
    await storage.mset([]);
    await storage.mdel([]);
    expect(await storage.keys('*')).toHaveLength(2);
    await storage.mdel(['a', 'zzz']);
    expect(await storage.keys('*')).toEqual(['b']);
  });
});

describe('counters', () => {
  interface CounterCase {
    stored?: string;
    op?: 'incr' | 'decr';
    result?: string | number;
    after?: string;
  }
  const counterCases = readFileSync(new URL('./fixtures/counter-and-ttl-cases.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CounterCase)
    .filter((c) => c.op !== undefined);

  test.each(counterCases.map((c) => [c.op, JSON.stringify(c.stored), c] as const))(
    '%s on %s as Redis 7.0.15 answers',
    async (op, _, c) => {
      await storage.set('n', c.stored as string, 100_000);
      const result = String(c.result);
      if (result.includes('not an integer')) {
        await expectRejects(() => storage[op as 'incr'](`n`), 'SerializationError');
      } else if (result.includes('overflow')) {
        await expectRejects(() => storage[op as 'incr']('n'), 'OperationFailed');
      } else {
        expect(await storage[op as 'incr']('n')).toBe(Number(result));
      }
      expect(await storage.get('n')).toBe(c.after);
      expect(await storage.ttl('n')).toBe(100_000);
    },
  );

  test('missing key: incr → 1, decr → -1, persistent', async () => {
    expect(await storage.incr('i')).toBe(1);
    expect(await storage.decr('d')).toBe(-1);
    expect(await storage.ttl('i')).toBeNull();
  });

  test('the stored string stays exact beyond 2^53', async () => {
    await storage.set('n', '9007199254740993');
    await storage.incr('n');
    expect(await storage.get('n')).toBe('9007199254740994');
  });

  test('n concurrent increments: exact total, n distinct results', async () => {
    const results = await Promise.all(Array.from({ length: 1000 }, () => storage.incr('c')));
    expect(new Set(results).size).toBe(1000);
    expect(await storage.get('c')).toBe('1000');
  });
});

describe('patterns and clear', () => {
  test('keys uses the Redis glob and returns each live key once', async () => {
    await storage.mset([
      ['sa:token:1', 'x'],
      ['sa:token:2', 'x'],
      ['sa:tokens:1', 'x'],
      ['other', 'x'],
    ]);
    expect((await storage.keys('sa:token:*')).sort()).toEqual(['sa:token:1', 'sa:token:2']);
    expect((await storage.keys('sa:token?:1')).sort()).toEqual(['sa:tokens:1']);
  });

  test('clear removes every key', async () => {
    await storage.mset([['a', '1']], 10);
    await storage.set('b', '2');
    await storage.clear();
    expect(await storage.keys('*')).toEqual([]);
    expect(storage.size).toBe(0);
  });
});

describe('reclaiming expired entries', () => {
  test('cleanupExpired removes exactly the expired entries and says how many', async () => {
    await storage.mset(
      Array.from({ length: 10 }, (_, i) => [`t${i}`, 'v'] as const),
      100,
    );
    await storage.set('keep', 'v');
    await storage.set('later', 'v', 1000);
    clock.advance(101);
    expect(storage.size).toBe(12);
    expect(await storage.cleanupExpired()).toBe(10);
    expect(storage.size).toBe(2);
    expect(await storage.cleanupExpired()).toBe(0);
  });

  test('an overwritten deadline is not used to delete the key', async () => {
    await storage.set('k', 'v', 10);
    await storage.expire('k', 1000);
    clock.advance(11);
    expect(await storage.cleanupExpired()).toBe(0);
    expect(await storage.get('k')).toBe('v');
  });

  test('the background sweep reclaims keys nobody reads, and close() stops it', async () => {
    vi.useFakeTimers();
    try {
      const swept = new MemoryStorage({ clock, sweepIntervalMs: 1000 });
      await swept.mset(
        Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'] as const),
        50,
      );
      clock.advance(51);
      vi.advanceTimersByTime(1000);
      expect(swept.size).toBe(0);
      await swept.close();
      await swept.set('x', 'v', 1);
      clock.advance(2);
      vi.advanceTimersByTime(5000);
      expect(swept.size).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a tick that hits the batch limit catches up on the next turns, before the next period', async () => {
    vi.useFakeTimers();
    try {
      const swept = new MemoryStorage({ clock, sweepIntervalMs: 1000, sweepBatchSize: 10 });
      await swept.mset(
        Array.from({ length: 35 }, (_, i) => [`k${i}`, 'v'] as const),
        50,
      );
      await swept.set('keep', 'v');
      clock.advance(51);
      vi.advanceTimersByTime(999);
      expect(swept.size).toBe(36);
      vi.advanceTimersByTime(1); // one period: the tick removes its batch of 10
      expect(swept.size).toBe(26);
      // Catch-up ticks (setTimeout 0) remove the other 25 long before the next period (at 2000).
      vi.advanceTimersByTime(10);
      expect(swept.size).toBe(1);
      await swept.close();
    } finally {
      vi.useRealTimers();
    }
  });

  test('a heap rebuild (stale deadlines dominate) keeps every live deadline', async () => {
    await storage.set('short', 'v', 50);
    await storage.set('keep', 'v');
    // Moving one key's deadline earlier 1100 times leaves 1100 stale heap items: a rebuild.
    for (let i = 0; i < 1100; i++) await storage.set('moved', 'v', 100_000 - i);
    await storage.set('late', 'v', 200_000);
    clock.advance(51);
    expect(await storage.cleanupExpired()).toBe(1); // short
    clock.advance(100_000);
    expect(await storage.cleanupExpired()).toBe(1); // moved
    clock.advance(100_000);
    expect(await storage.cleanupExpired()).toBe(1); // late
    expect(storage.size).toBe(1);
  });

  test('the expiry heap shrinks after a large drain and keeps each deadline with its key', () => {
    const heap = new ExpiryHeap();
    const order = Array.from({ length: 4000 }, (_, i) => (i * 7919) % 4000); // every deadline once, shuffled
    for (const deadline of order) heap.push(deadline, `k${deadline}`);
    const popped: string[] = [];
    // Draining 3800 of 4000 passes the shrink point (fewer than a quarter of the peak left).
    for (let item = heap.popDue(3800); item !== undefined; item = heap.popDue(3800)) {
      popped.push(`${item.deadline}:${item.key}`);
    }
    for (let item = heap.popDue(Number.POSITIVE_INFINITY); item !== undefined; item = heap.popDue(Infinity)) {
      popped.push(`${item.deadline}:${item.key}`);
    }
    expect(popped).toEqual(Array.from({ length: 4000 }, (_, deadline) => `${deadline}:k${deadline}`));
    expect(heap.size).toBe(0);
    heap.push(5, 'again');
    expect(heap.popDue(6)).toEqual({ deadline: 5, key: 'again' });
  });

  test('the sweep timer never keeps the process alive', () => {
    const script = `
      import { MemoryStorage } from './implementations/memory/index.ts';
      const storage = new MemoryStorage();
      await storage.set('k', 'v', 3_600_000);
      console.log('done');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stdout.trim()).toBe('done');
    expect(run.status).toBe(0);
  });
});
