/** Area: time and TTL. */
import { MAX_TTL_MS } from '../contract/index.js';
import { checking, expectBetween, expectEqual, expectRejection, expectSameKeys } from '../suite/expect.js';
import type { Rule } from './rule.js';

const INVALID_TTLS: readonly unknown[] = [
  0,
  -1,
  -0.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  MAX_TTL_MS + 1,
  '1000',
  true,
  {},
];
const showTtl = (ttl: unknown) =>
  typeof ttl === 'string' ? JSON.stringify(ttl) : typeof ttl === 'object' ? '{}' : String(ttl);
const LONG = 3_600_000;

export const ttlRules: readonly Rule[] = [
  {
    id: 'TTL-01',
    area: 'ttl',
    title: 'a key lives until its deadline and is gone right after',
    spec: 'A key written at time s with TTL t has deadline d = s + t: it is live while now ≤ d and gone once now > d.',
    hint: 'check the comparison at the deadline (<= keeps the key, > removes it) and that the TTL is in milliseconds, not seconds.',
    async run(t) {
      const s = await t.storage();
      await t.liveThenGone({
        ...(t.time.mode === 'virtual' ? { ttlMs: 1500 } : {}),
        write: (ttl) => s.set('k', 'v', ttl),
        whileLive: async () => expectEqual(await s.get('k'), 'v', 'get("k") at (or before) its deadline'),
        afterDeadline: async () => expectEqual(await s.get('k'), null, 'get("k") after its deadline'),
      });
    },
  },
  {
    id: 'TTL-02',
    area: 'ttl',
    title: 'an expired key is invisible to every method',
    spec: 'Once past its deadline a key is invisible to get, exists, ttl, mget and keys; expire does not revive it; incr and decr start again from 0 and the new key is persistent.',
    hint: 'every reading method needs the same expiry test as get (live while now <= deadline): exists, ttl, mget, keys and incr/decr (a counter past its deadline starts again from 0) are the usual misses.',
    async run(t) {
      const s = await t.storage();
      // Each method first meets its own untouched expired key: a lazy-expiry backend reclaims an
      // entry when one method meets it, which would hide a missing expiry test in the next method.
      await t.liveThenGone({
        write: (ttl) =>
          s.mset(
            [
              ['g', '1'],
              ['e', '1'],
              ['t', '1'],
              ['m', '1'],
              ['c', 'x'],
              ['b', '41'],
              ['d', '1'],
              ['k', '1'],
            ],
            ttl,
          ),
        whileLive: async () => expectEqual(await s.exists('e'), true, 'exists("e") at (or before) its deadline'),
        afterDeadline: async () => {
          expectEqual(await s.exists('e'), false, 'exists("e") of a key mset(…, ttl) wrote, past its deadline');
          expectEqual(await s.ttl('t'), null, 'ttl of an expired key');
          expectEqual(await s.mget(['m', 'm']), [null, null], 'mget of an expired key');
          expectEqual(await s.get('g'), null, 'get of an expired key');
          await s.expire('c', LONG);
          expectEqual(await s.get('c'), null, 'get after expire() of an expired key (must not revive it)');
          expectEqual(await s.incr('b'), 1, 'incr of an expired key holding "41" (must start from 0)');
          expectEqual(await s.get('b'), '1', 'get("b") after incr of an expired key (the new key is live)');
          expectEqual(await s.ttl('b'), null, 'ttl after incr of an expired key (the new key is persistent)');
          expectEqual(await s.decr('d'), -1, 'decr of an expired key holding "1" (must start from 0)');
          if (!t.unsupported.has('keys')) {
            expectSameKeys(
              await s.keys('*'),
              ['b', 'd'],
              'keys("*") when every key written has expired (b and d recreated by incr/decr)',
            );
          }
        },
      });
    },
  },
  {
    id: 'TTL-03',
    area: 'ttl',
    title: 'set without a TTL makes the key persistent',
    spec: '`set(k, v)` without a TTL (or with `null`) removes any deadline the key had, as Redis `SET` does.',
    hint: 'check that set without TTL clears the old expiry instead of keeping it (KEEPTTL-like behaviour is wrong here).',
    async run(t) {
      const s = await t.storage();
      await t.liveThenGone({
        write: async (ttl) => {
          await s.set('k', 'old', ttl);
          await s.set('k', 'new');
          await s.set('n', 'old', ttl);
          await s.set('n', 'new', null);
        },
        whileLive: async () => expectEqual(await s.ttl('k'), null, 'ttl("k") after set without TTL'),
        afterDeadline: async () => {
          expectEqual(await s.get('k'), 'new', 'get("k") past the old deadline after set without TTL');
          expectEqual(await s.get('n'), 'new', 'get("n") past the old deadline after set with ttl null');
        },
      });
    },
  },
  {
    id: 'TTL-04',
    millisecondTtl: true,
    requires: ['ttl'],
    area: 'ttl',
    title: 'ttl reports the remaining milliseconds',
    spec: '`ttl(k)` of a live key with deadline d resolves to d − now in whole milliseconds, within [0, t]; of a persistent key and of a missing key, to `null`.',
    hint: 'check the unit (ms, not seconds), rounding (whole ms) and that Redis -1/-2 become null.',
    async run(t) {
      const s = await t.storage();
      const ttl = 1_234_567;
      const before = t.time.now();
      await s.set('k', 'v', ttl);
      await t.time.advance(t.time.mode === 'virtual' ? 1_000 : 0);
      const remaining = await s.ttl('k');
      const elapsed = t.time.now() - before;
      if (t.time.mode === 'virtual')
        expectEqual(
          remaining,
          ttl - 1_000,
          checking(undefined, 'ttl', 'ttl("k") 1000 ms after set("k", "v", 1234567)'),
        );
      else
        expectBetween(
          remaining,
          Math.floor(ttl - elapsed - t.time.toleranceMs),
          ttl,
          checking(undefined, 'ttl', 'ttl("k") right after set("k", "v", 1234567)'),
        );
      if (typeof remaining === 'number') expectEqual(Number.isInteger(remaining), true, 'ttl is a whole number of ms');
      await s.set('p', 'v');
      expectEqual(await s.ttl('p'), null, 'ttl of a persistent key');
      expectEqual(await s.ttl('missing'), null, 'ttl of a missing key');
    },
  },
  {
    id: 'TTL-05',
    requires: ['expire', 'ttl'],
    area: 'ttl',
    title: 'expire sets a new deadline on a live key',
    spec: '`expire(k, t)` on a live key sets its deadline to now + t, extending or shortening it, and gives a persistent key a deadline.',
    hint: 'expire sets deadline = now + ttl in milliseconds (PEXPIRE, not EXPIRE), replacing the old deadline; a key at its exact deadline is still live, so expire there extends it.',
    async run(t) {
      const s = await t.storage();
      await s.set('k', 'v', 10_000);
      await t.expectTtlAfter(
        () => s.expire('k', 500_000),
        () => s.ttl('k'),
        500_000,
        'ttl after expire("k", 500000) (extend)',
      );
      await t.expectTtlAfter(
        () => s.expire('k', 300_000),
        () => s.ttl('k'),
        300_000,
        'ttl after expire("k", 300000) (shorten)',
      );
      // A key at its exact deadline is still live, so expire must still extend it.
      await t.liveThenGone({
        write: (ttl) => s.set('edge', 'v', ttl),
        whileLive: async () => s.expire('edge', LONG),
        afterDeadline: async () =>
          expectEqual(await s.get('edge'), 'v', 'get("edge") after expire() at its deadline extended it'),
      });
      await s.set('p', 'v');
      await t.liveThenGone({
        write: (ttl) => s.expire('p', ttl),
        whileLive: async () => expectEqual(await s.get('p'), 'v', 'get("p") before the deadline set by expire'),
        afterDeadline: async () => expectEqual(await s.get('p'), null, 'get("p") after the deadline set by expire'),
      });
    },
  },
  {
    id: 'TTL-06',
    requires: ['expire'],
    area: 'ttl',
    title: 'expire on a missing or expired key does nothing',
    spec: '`expire(k, t)` on a missing or expired key resolves, creates nothing and revives nothing.',
    hint: 'check that expire looks the key up with the same expiry test as get before changing its deadline.',
    async run(t) {
      const s = await t.storage();
      await s.expire('missing', LONG);
      expectEqual(await s.exists('missing'), false, 'exists after expire of a missing key');
      expectEqual(await s.get('missing'), null, 'get after expire of a missing key');
      await t.liveThenGone({
        write: (ttl) => s.set('gone', 'v', ttl),
        whileLive: async () => undefined,
        afterDeadline: async () => {
          await s.expire('gone', LONG);
          expectEqual(await s.get('gone'), null, 'get after expire() of an expired key');
          expectEqual(await s.ttl('gone'), null, 'ttl after expire() of an expired key');
          expectSameKeys(await s.keys('*'), [], 'keys("*") after expire() of an expired key');
        },
      });
    },
  },
  {
    id: 'TTL-07',
    area: 'ttl',
    title: 'invalid TTLs are rejected and change nothing',
    spec: 'A TTL that is not a finite number in (0, 10^15] ms (0, negative, NaN, ±Infinity, too large, not a number) rejects with `OperationFailed` in set, mset and expire, and changes nothing.',
    hint: 'check the TTL with normalizeOptionalTtl (set, mset) or normalizeRequiredTtl (expire) before writing anything, so a rejected call leaves the key as it was.',
    async run(t) {
      const s = await t.storage();
      await s.set('k', 'v', LONG);
      for (const bad of INVALID_TTLS) {
        const shown = showTtl(bad);
        await expectRejection(
          () => s.set('k', 'changed', bad as number),
          'OperationFailed',
          `set("k", "changed", ${shown})`,
        );
        await expectRejection(() => s.set('new', 'x', bad as number), 'OperationFailed', `set("new", "x", ${shown})`);
        await expectRejection(
          () =>
            s.mset(
              [
                ['k', 'changed'],
                ['new', 'x'],
              ],
              bad as number,
            ),
          'OperationFailed',
          `mset([…], ${shown})`,
        );
        await expectRejection(() => s.expire('k', bad as number), 'OperationFailed', `expire("k", ${shown})`);
      }
      expectEqual(await s.get('k'), 'v', 'get("k") after the rejected set(…), mset(…) and expire(…) calls');
      expectEqual(await s.exists('new'), false, 'exists("new") after the rejected set(…) and mset(…) calls');
      expectBetween(
        await s.ttl('k'),
        1,
        LONG,
        'ttl("k") after the rejected set(…), mset(…) and expire(…) calls (still the old deadline)',
      );
    },
  },
  {
    id: 'TTL-08',
    requires: ['expire'],
    area: 'ttl',
    title: 'expire requires a TTL',
    spec: '`expire(k, null)` and `expire(k, undefined)` reject with `OperationFailed` and leave the key as it was.',
    hint: 'check expire\'s TTL with normalizeRequiredTtl: a missing TTL rejects, it is neither "persist" nor 0.',
    async run(t) {
      const s = await t.storage();
      await s.set('k', 'v', LONG);
      await expectRejection(() => s.expire('k', null as never), 'OperationFailed', 'expire("k", null)');
      await expectRejection(() => s.expire('k', undefined as never), 'OperationFailed', 'expire("k", undefined)');
      expectEqual(await s.get('k'), 'v', 'get("k") after the rejected expire calls');
      expectBetween(await s.ttl('k'), 1, LONG, 'ttl("k") after the rejected expire calls');
    },
  },
  {
    id: 'TTL-09',
    requires: ['expire'],
    millisecondTtl: true,
    area: 'ttl',
    title: 'sub-second and fractional TTLs are honoured to the millisecond',
    spec: 'TTLs are milliseconds: a sub-second TTL is neither rejected nor rounded to seconds, and a fractional TTL is rounded up to the next whole millisecond.',
    hint: 'check for conversion to seconds (EX instead of PX, Math.floor(ttl / 1000)) and use Math.ceil for fractions.',
    async run(t) {
      const s = await t.storage();
      if (t.time.mode === 'virtual') {
        await s.set('frac', 'v', 0.2);
        await s.set('sub', 'v', 1499.5);
        expectEqual(await s.ttl('frac'), 1, 'ttl after set with TTL 0.2 (rounded up to 1 ms)');
        expectEqual(await s.ttl('sub'), 1500, 'ttl after set with TTL 1499.5 (rounded up to 1500 ms)');
        await s.set('ex', 'v');
        await s.expire('ex', 2.01);
        expectEqual(await s.ttl('ex'), 3, 'ttl after expire with TTL 2.01 (rounded up to 3 ms)');
        await s.mset([['ms', 'v']], 0.5);
        expectEqual(await s.ttl('ms'), 1, 'ttl after mset with TTL 0.5 (rounded up to 1 ms)');
        await t.time.advance(1);
        expectEqual(await s.get('frac'), 'v', 'get 1 ms after set with TTL 0.2 (deadline s + 1)');
        await t.time.advance(1);
        expectEqual(await s.get('frac'), null, 'get 2 ms after set with TTL 0.2');
        await t.time.advance(1498);
        expectEqual(await s.get('sub'), 'v', 'get 1500 ms after set with TTL 1499.5');
        await t.time.advance(1);
        expectEqual(await s.get('sub'), null, 'get 1501 ms after set with TTL 1499.5');
        return;
      }
      await t.liveThenGone({
        write: (ttl) => s.set('sub', 'v', ttl - 0.5),
        whileLive: async (ttl) => expectBetween(await s.ttl('sub'), 0, ttl, 'ttl right after a sub-second TTL'),
        afterDeadline: async (ttl) => expectEqual(await s.get('sub'), null, `get after a ${ttl} ms TTL has passed`),
      });
    },
  },
  {
    id: 'TTL-10',
    requires: ['expire'],
    area: 'ttl',
    title: 'the largest TTL is accepted and null means no TTL',
    spec: 'A TTL of 10^15 ms is accepted; `null` and `undefined` as the TTL of set or mset mean "persistent".',
    hint: 'normalizeOptionalTtl / normalizeRequiredTtl accept up to 10^15 ms: check for a lower bound of your own (2^31 − 1 is a setTimeout limit) or an overflow when converting to a deadline; null and undefined mean no TTL.',
    async run(t) {
      const s = await t.storage();
      await s.set('max', 'v', MAX_TTL_MS);
      expectBetween(await s.ttl('max'), MAX_TTL_MS - 60_000, MAX_TTL_MS, 'ttl after set with TTL 1e15');
      await s.set('later', 'v');
      await s.expire('later', MAX_TTL_MS);
      expectBetween(await s.ttl('later'), MAX_TTL_MS - 60_000, MAX_TTL_MS, 'ttl after expire with TTL 1e15');
      await s.mset([['bulk', 'v']], MAX_TTL_MS);
      expectBetween(await s.ttl('bulk'), MAX_TTL_MS - 60_000, MAX_TTL_MS, 'ttl after mset with TTL 1e15');
      await s.set('n', 'v', null);
      await s.set('u', 'v', undefined);
      await s.mset([['m', 'v']], null);
      for (const key of ['n', 'u', 'm']) expectEqual(await s.ttl(key), null, `ttl("${key}") after a write with no TTL`);
    },
  },
  {
    id: 'TTL-11',
    area: 'ttl',
    title: 'expiry never undoes a newer write',
    spec: 'A key crossing its deadline while other calls write, extend or re-create it keeps the newer write: reclaiming an expired entry never removes a value or deadline written after the key expired or was extended.',
    hint: 'reclaim an expired entry in the same step that finds it expired (no await in between), or re-check it before deleting (delete only if it is still the same expired entry); an expiry index must re-check the entry’s current deadline.',
    async run(t) {
      const s = await t.storage();
      // One key per reading method, so a lost write names the method whose reclaiming lost it.
      const readers = {
        get: (key: string) => s.get(key),
        exists: (key: string) => s.exists(key),
        ttl: (key: string) => s.ttl(key),
        mget: (key: string) => s.mget([key]),
      } as const;
      await t.liveThenGone({
        write: async (ttl) => {
          await s.mset(
            [...Object.keys(readers).map((reader): [string, string] => [`w-${reader}`, 'old']), ['c', '41']],
            ttl,
          );
          await s.set('e', 'v', ttl);
        },
        // At its deadline the key is still live: extend it while reads meet it.
        whileLive: async () => {
          await Promise.all([s.get('e'), s.expire('e', LONG), s.get('e')]);
        },
        afterDeadline: async () => {
          // Each read meets the expired entry while a write of the same key is in flight.
          for (const [reader, read] of Object.entries(readers)) {
            const key = `w-${reader}`;
            await Promise.all([read(key), s.set(key, 'new', reader === 'ttl' ? LONG : undefined), read(key)]);
          }
          await Promise.all([s.get('c'), s.incr('c'), s.get('c')]);
          for (const reader of Object.keys(readers)) {
            const key = `w-${reader}`;
            expectEqual(
              await s.get(key),
              'new',
              checking(
                undefined,
                reader,
                `get("${key}") after set("${key}", "new") raced with ${reader}(…) of its expired entry (written by mset(…, ttl))`,
              ),
            );
          }
          expectEqual(
            await s.get('c'),
            '1',
            checking(
              undefined,
              'get',
              'get("c") after incr("c") raced with get("c") of its expired entry (written by mset(…, ttl))',
            ),
          );
          // Without "expire" the extension was never made: the rest of the rule still checks the writes.
          if (!t.unsupported.has('expire')) {
            expectEqual(
              await s.get('e'),
              'v',
              'get("e") past its old deadline, after expire("e", 3600000) at the deadline raced with get("e")',
            );
          }
        },
      });
    },
  },
];
