/** Area: bulk operations (mget, mset, mdel). */
import { expectEqual, expectRejection } from '../suite/expect.js';
import type { Rule } from './rule.js';

const LONG = 3_600_000;

export const bulkRules: readonly Rule[] = [
  {
    id: 'BULK-01',
    area: 'bulk',
    title: 'mget answers position by position',
    spec: '`mget(keys)` resolves to an array of the same length and order as `keys`, answering duplicates each time and `null` for missing or expired keys.',
    hint: 'mget answers, per key asked and in order (repeats kept), exactly what get(key) would: the value, or null for a missing key or one past its deadline (live while now <= deadline); an old Redis client decoded a single nil reply as [].',
    async run(t) {
      const s = await t.storage();
      await s.set('a', '1');
      await s.set('b', '');
      expectEqual(await s.mget(['missing']), [null], 'mget(["missing"])');
      expectEqual(await s.mget(['a', 'missing', 'b', 'a']), ['1', null, '', '1'], 'mget(["a", "missing", "b", "a"])');
      await t.liveThenGone({
        write: (ttl) => s.set('t', 'x', ttl),
        whileLive: async () => expectEqual(await s.mget(['t', 'a']), ['x', '1'], 'mget(["t", "a"]) before t expires'),
        afterDeadline: async () =>
          expectEqual(await s.mget(['t', 'a']), [null, '1'], 'mget(["t", "a"]) after t expired'),
      });
    },
  },
  {
    id: 'BULK-02',
    area: 'bulk',
    title: 'empty bulk operations resolve and do nothing',
    spec: '`mget([])` resolves to `[]`; `mset([])` and `mdel([])` resolve and change nothing.',
    hint: 'guard empty batches before building the command: Redis rejects MGET, MSET and DEL/UNLINK without keys.',
    async run(t) {
      const s = await t.storage();
      await s.set('k', 'v');
      expectEqual(await s.mget([]), [], 'mget([])');
      await s.mset([]);
      await s.mset([], 1000);
      await s.mdel([]);
      expectEqual(await s.get('k'), 'v', 'get("k") after empty bulk operations');
    },
  },
  {
    id: 'BULK-03',
    area: 'bulk',
    title: 'mset applies one TTL to every item',
    spec: '`mset(items, t)` gives every item the TTL t; `mset(items)` without a TTL makes every item persistent, clearing earlier TTLs.',
    hint: 'every item of mset gets the deadline now + ttl in ms (MSET has no TTL: SET … PX per key in one transaction or script) and stays live up to and including it; an mset without TTL makes its items persistent.',
    async run(t) {
      const s = await t.storage();
      await s.set('p', 'old', LONG);
      await t.liveThenGone({
        write: (ttl) =>
          s.mset(
            [
              ['a', '1'],
              ['b', '2'],
              ['c', '3'],
            ],
            ttl,
          ),
        whileLive: async () =>
          expectEqual(await s.mget(['a', 'b', 'c']), ['1', '2', '3'], 'mget before the mset TTL passes'),
        afterDeadline: async () =>
          expectEqual(
            await s.mget(['a', 'b', 'c']),
            [null, null, null],
            'mget of keys past the deadline given by mset(…, ttl)',
          ),
      });
      await s.mset([['p', 'new']]);
      expectEqual(await s.ttl('p'), null, 'ttl("p") after mset without TTL over a key that had one');
      await t.expectTtlAfter(
        () => s.mset([['q', 'v']], 200_000),
        () => s.ttl('q'),
        200_000,
        'ttl("q") after mset with TTL 200000',
      );
    },
  },
  {
    id: 'BULK-04',
    area: 'bulk',
    title: 'for a duplicated key in mset the last item wins',
    spec: 'When `mset` items repeat a key, the key ends with the value of the last such item.',
    hint: 'check that items are applied in order (no de-duplication keeping the first, no parallel writes racing).',
    async run(t) {
      const s = await t.storage();
      await s.mset([
        ['d', 'first'],
        ['e', 'x'],
        ['d', 'second'],
        ['d', 'last'],
      ]);
      expectEqual(await s.get('d'), 'last', 'get("d") after mset([d=first, e=x, d=second, d=last])');
    },
  },
  {
    id: 'BULK-05',
    area: 'bulk',
    title: 'bulk operations equal the sequence of single operations',
    spec: 'Each bulk operation leaves the same final state as the sequence of single operations: `mdel` removes every listed key (missing ones ignored), `mset` writes every item, `mget` reads what `get` reads.',
    hint: 'check that mdel does not stop at the first missing key and that mset writes every pair.',
    async run(t) {
      const s = await t.storage();
      const items: [string, string][] = Array.from({ length: 50 }, (_, i) => [`k${i}`, `v${i}`]);
      await s.mset(items);
      for (const [key, value] of items) expectEqual(await s.get(key), value, `get("${key}") after mset of 50 items`);
      expectEqual(
        await s.mget(items.map(([key]) => key)),
        items.map(([, v]) => v),
        'mget of the 50 keys',
      );
      await s.mdel(['k0', 'missing', 'k1', 'k0', 'k49']);
      expectEqual(
        await s.mget(['k0', 'k1', 'k2', 'k49']),
        [null, null, 'v2', null],
        'mget after mdel(["k0", "missing", "k1", "k0", "k49"])',
      );
    },
  },
  {
    id: 'BULK-06',
    area: 'bulk',
    title: 'a bulk call with one bad argument changes nothing',
    spec: 'Bulk operations validate every argument first: one bad key, value or TTL rejects the whole call and nothing is written or deleted.',
    hint: 'check the whole batch with assertEntryList / assertKeyList and the TTL with normalizeOptionalTtl before the first write; a pipeline that fails half-way leaves a partial write.',
    async run(t) {
      const s = await t.storage();
      await s.mset([
        ['a', '1'],
        ['b', '2'],
      ]);
      await expectRejection(
        () =>
          s.mset([
            ['a', 'changed'],
            ['c', 'new'],
            ['\ud800', 'x'],
          ]),
        'SerializationError',
        'mset with an ill-formed last key',
      );
      await expectRejection(
        () =>
          s.mset([
            ['a', 'changed'],
            ['c', 'new'],
            ['d', 7 as never],
          ]),
        'SerializationError',
        'mset with a non-string last value',
      );
      await expectRejection(
        () => s.mset([['a', 'changed'], ['c', 'new'], ['lonely'] as never]),
        'SerializationError',
        'mset with an item that is not a pair',
      );
      await expectRejection(
        () => s.mset([['a', 'changed'], ['c', 'new', 'extra'] as never]),
        'SerializationError',
        'mset with an item of three elements',
      );
      await expectRejection(
        () => s.mset([['a', 'changed'], 'cn' as never]),
        'SerializationError',
        'mset with a two-character string as an item',
      );
      await expectRejection(() => s.mset([['a', 'changed']], -1), 'OperationFailed', 'mset with TTL -1');
      await expectRejection(
        () => s.mdel(['a', 'b', '\udc00']),
        'SerializationError',
        'mdel with an ill-formed last key',
      );
      await expectRejection(() => s.mdel(['a', null as never]), 'SerializationError', 'mdel with a null key');
      await expectRejection(() => s.mget(['a', '\ud800']), 'SerializationError', 'mget with an ill-formed key');
      await expectRejection(
        () => s.mget('ab' as never),
        'SerializationError',
        'mget with a string instead of an array',
      );
      expectEqual(
        await s.mget(['a', 'b', 'c']),
        ['1', '2', null],
        'mget(["a", "b", "c"]) after the rejected bulk calls',
      );
    },
  },
];
