/** Area: namespaces and clear. */

import type { RuleContext } from '../suite/context.js';
import { nextNamespace } from '../suite/context.js';
import { checking, expectEqual, expectSameKeys } from '../suite/expect.js';
import type { Rule } from './rule.js';

/**
 * Pairs of namespaces that are not prefixes of one another, where the first, read as an
 * unescaped glob, matches the second's keys ("a*" ~ "ab…", "?x" ~ "zx…", "[ab]" ~ "a…",
 * "\q" ~ "q…"). Each pair has its own base, so no namespace of one pair is a prefix of a
 * namespace of another pair (the storages of every pair live until the rule ends).
 */
function adversarialPairs(): [string, string][] {
  const pair = (first: string, second: string): [string, string] => {
    const base = nextNamespace().replace(/[^a-z0-9:-]/gi, '');
    return [base + first, base + second];
  };
  return [pair('a*', 'ab'), pair('?x', 'zx'), pair('[ab]', 'a'), pair('\\q', 'q')];
}

async function withPairs(
  t: RuleContext,
  check: (
    a: Awaited<ReturnType<RuleContext['storage']>>,
    b: Awaited<ReturnType<RuleContext['storage']>>,
    names: string,
  ) => Promise<void>,
) {
  for (const [nameA, nameB] of adversarialPairs()) {
    const a = await t.storage(nameA);
    const b = await t.storage(nameB);
    await check(a, b, `storages with namespaces ${JSON.stringify(nameA)} and ${JSON.stringify(nameB)}`);
  }
}

export const namespaceRules: readonly Rule[] = [
  {
    id: 'NS-01',
    area: 'namespaces',
    title: 'clear removes every key of the storage',
    spec: '`clear()` removes every key of this storage, persistent or with a TTL, including the empty key.',
    hint: 'check that clear also removes keys with TTLs and the empty key, and that it is not a no-op.',
    async run(t) {
      const s = await t.storage();
      await s.mset([
        ['a', '1'],
        ['', 'empty'],
        ['x:y', '2'],
      ]);
      await s.set('t', 'v', 3_600_000);
      await s.incr('n');
      await s.clear();
      expectEqual(
        await s.mget(['a', '', 'x:y', 't', 'n']),
        [null, null, null, null, null],
        'mget of every key after clear()',
      );
      expectEqual(await s.exists('t'), false, 'exists("t") after clear()');
      await s.set('after', 'v');
      expectEqual(await s.get('after'), 'v', 'get("after") written after clear()');
    },
  },
  {
    id: 'NS-02',
    area: 'namespaces',
    title: 'storages in different namespaces never see each other’s keys',
    spec: 'Two storages whose namespaces are not prefixes of one another never see, list or count each other’s keys, even when a namespace contains `* ? [ ] \\`.',
    hint: 'escape the namespace with escapeGlob wherever it goes into a pattern (SCAN MATCH, KEYS), and strip exactly the namespace from listed keys.',
    requires: ['namespaces'],
    async run(t) {
      await withPairs(t, async (a, b, names) => {
        await b.mset([
          ['k', 'from b'],
          ['bk', 'b only'],
        ]);
        await b.incr('n');
        expectEqual(await a.get('k'), null, `get("k") of the first of ${names}`);
        expectEqual(await a.exists('bk'), false, `exists("bk") of the first of ${names}`);
        expectEqual(await a.mget(['k', 'bk']), [null, null], `mget of the first of ${names}`);
        // Listing is checked only where the backend lists keys at all (the "keys" capability).
        const lists = !t.unsupported.has('keys');
        if (lists) expectSameKeys(await a.keys('*'), [], `keys("*") of the first of ${names}`);
        expectEqual(await a.incr('n'), 1, `incr("n") of the first of ${names}`);
        if (lists) expectSameKeys(await b.keys('*'), ['k', 'bk', 'n'], `keys("*") of the second of ${names}`);
        else expectEqual(await b.get('n'), '1', `get("n") of the second of ${names} after the first's incr("n")`);
      });
    },
  },
  {
    id: 'NS-03',
    area: 'namespaces',
    title: 'clear never touches another namespace',
    spec: '`clear()` removes nothing outside its own storage, even when its namespace, read as a glob, would match the other storage’s keys.',
    hint: 'clear must select keys by the exact namespace: SCAN MATCH escapeGlob(namespace) + "*" on a server whose matcher honours escapes, or a plain prefix comparison; never KEYS prefix* or FLUSHDB.',
    requires: ['namespaces'],
    async run(t) {
      await withPairs(t, async (a, b, names) => {
        await a.set('mine', 'a');
        await b.mset([
          ['k', 'from b'],
          ['', 'empty'],
        ]);
        await a.clear();
        expectEqual(
          await b.mget(['k', '']),
          ['from b', 'empty'],
          `mget of the second of ${names} after clear() of the first`,
        );
        expectEqual(await a.get('mine'), null, `get("mine") of the first of ${names} after its clear()`);
        await b.clear();
      });
    },
  },
  {
    id: 'NS-04',
    area: 'namespaces',
    title: 'a key that begins with the namespace is its own key',
    spec: 'Inside one storage every string is its own key, including one that begins with the storage’s own namespace: `k` and `<namespace>k` (or `<namespace>:k`) are two keys, each read, listed and deleted as written.',
    hint: 'always store namespace + key, even when the key already begins with the namespace: never test whether a key "is already prefixed".',
    async run(t) {
      const namespace = nextNamespace();
      const s = await t.storage(namespace);
      const prefixed = `${namespace}k`;
      const separated = `${namespace}:k`;
      await s.set('k', 'plain');
      await s.set(prefixed, 'prefixed');
      await s.set(separated, 'separated');
      const shown = (key: string) => JSON.stringify(key);
      const what = (call: string) =>
        checking(undefined, 'set', `${call}, after set(…) of "k", <namespace>k and <namespace>:k`);
      expectEqual(
        await s.mget(['k', prefixed, separated]),
        ['plain', 'prefixed', 'separated'],
        what(`mget(["k", ${shown(prefixed)}, ${shown(separated)}])`),
      );
      if (!t.unsupported.has('keys')) {
        expectSameKeys(await s.keys('*'), ['k', prefixed, separated], what('keys("*")'));
      }
      await s.delete(prefixed);
      expectEqual(
        await s.mget(['k', prefixed, separated]),
        ['plain', null, 'separated'],
        checking(undefined, 'delete', `mget of the three keys after delete(${shown(prefixed)})`),
      );
    },
  },
];
