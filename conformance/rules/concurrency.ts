/** Area: concurrency. Many calls in flight on one storage instance. */

import { recordConcurrentHistory } from '../model/history-recorder.js';
import { checkLinearizability, formatHistory } from '../model/linearizability.js';
import { nextNamespace } from '../suite/context.js';
import { checking, expectEqual, expectTrue } from '../suite/expect.js';
import { describeValue, Inconclusive, RuleFailure } from '../suite/failures.js';
import type { Rule } from './rule.js';

export const concurrencyRules: readonly Rule[] = [
  {
    id: 'CONC-01',
    area: 'concurrency',
    title: 'concurrent increments are exact and distinct',
    spec: '`n` concurrent `incr(k)` calls leave k exactly n higher and resolve to n distinct values.',
    hint: 'incr must be one atomic step (INCRBY, a transaction or a lock), not get-then-set.',
    requires: ['atomic-counters'],
    async run(t) {
      const s = await t.storage();
      const n = 200;
      const results = await Promise.all(Array.from({ length: n }, () => s.incr('c')));
      expectEqual(await s.get('c'), String(n), `get("c") after ${n} concurrent incr("c")`);
      const distinct = new Set(results);
      expectTrue(distinct.size === n, `${n} concurrent incr("c") resolved to only ${distinct.size} distinct values`);
    },
  },
  {
    id: 'CONC-02',
    area: 'concurrency',
    title: 'concurrent increments and decrements add up',
    spec: 'Concurrent `incr` and `decr` calls on one key leave it at the exact sum of their steps, starting from its TTL-kept value.',
    hint: 'decr must be as atomic as incr; check that both go through the same atomic path.',
    requires: ['atomic-counters'],
    async run(t) {
      const s = await t.storage();
      await s.set('c', '1000', 3_600_000);
      const calls = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? s.decr('c') : s.incr('c')));
      await Promise.all(calls);
      expectEqual(
        await s.get('c'),
        String(1000 + 100 - 50),
        checking(undefined, 'decr', 'get("c") after 100 incr("c") and 50 decr("c") in parallel'),
      );
    },
  },
  {
    id: 'CONC-03',
    area: 'concurrency',
    title: 'a concurrent reader never sees part of an mset',
    spec: 'An `mset` is all or nothing to concurrent readers: an `mget` of its keys sees all of the old values or all of the new ones, whether the reader uses the writer’s client or another client of the same store.',
    hint: 'run mset as one atomic unit (on Redis a Lua script or MULTI/EXEC; elsewhere a transaction, or a synchronous loop in one process), not as separate writes; on Redis Cluster use a hash-tagged prefix so every key is in one slot.',
    requires: ['atomic-mset'],
    async run(t) {
      const namespace = nextNamespace();
      const s = await t.storage(namespace);
      // A second storage for the same namespace is a second client of the same store where the
      // backend shares data (a server); an in-process backend gives a separate store instead.
      const other = await t.storage(namespace);
      await s.set('conc-03-probe', 'shared');
      const readers = (await other.get('conc-03-probe')) === 'shared' ? [s, s, other, other] : [s, s];
      const keys = Array.from({ length: 16 }, (_, i) => `m${i}`);
      // Values of 8 KiB make one mset far larger than a server reads in one go (Redis: 16 KiB),
      // so writes sent one key at a time are applied across several reads, between which other
      // clients are served: a per-key mset is then caught, not only a slow one.
      const padding = '.'.repeat(8192);
      const value = (gen: number) => `gen${gen}${padding}`;
      const generation = (stored: string | null) => (stored === null ? null : stored.slice(0, stored.indexOf('.')));
      await s.mset(keys.map((k) => [k, value(0)] as const));
      let writing = true;
      const torn: string[] = [];
      const writer = (async () => {
        try {
          for (let gen = 1; gen <= 40; gen++) await s.mset(keys.map((k) => [k, value(gen)] as const));
        } finally {
          writing = false;
        }
      })();
      const reader = async (storage: typeof s) => {
        const via = storage === s ? 'the writer’s client' : 'a second client';
        while (writing) {
          const seen = (await storage.mget(keys)).map(generation);
          if (new Set(seen).size !== 1) torn.push(`${describeValue(seen)} (each value "genN" + 8 KiB) through ${via}`);
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      await Promise.all([writer, ...readers.map(reader)]);
      if (torn.length > 0) {
        throw new RuleFailure(`a concurrent mget saw a partial mset: ${torn[0]} (${torn.length} torn reads)`, {
          check: { method: 'mset' },
        });
      }
    },
  },
  {
    id: 'CONC-04',
    area: 'concurrency',
    title: 'concurrent histories are linearizable',
    spec: 'Every history of concurrent get, set, delete, incr and decr calls on a few keys is linearizable: it equals some sequential execution that respects real-time order.',
    hint: 'the operation named after "contradicts it" answered something no sequential order explains: replay the calls one at a time to tell a wrong answer of that operation on its own from a lost update (read-modify-write) or a stale read (cache, replica).',
    requires: ['atomic-counters'],
    async run(t) {
      const rounds = 6;
      for (let round = 0; round < rounds; round++) {
        const s = await t.storage();
        const seed = (t.options.seed + round) | 0;
        const history = await recordConcurrentHistory(s, { clients: 4, opsPerClient: 20, keys: ['x', 'y'], seed });
        const verdict = checkLinearizability(history);
        if (verdict.verdict === 'violation') {
          throw new RuleFailure(
            `history on key ${JSON.stringify(verdict.key)} is not linearizable: ${verdict.explanation}`,
            {
              // The call no sequential order explains is the one under test.
              check: { method: verdict.explanation.match(/contradicts it: c\d+@\d+ (\w+) returned/)?.[1] ?? 'get' },
              counterexample: formatHistory(verdict.history),
              replay: { seed },
            },
          );
        }
        if (verdict.verdict === 'unknown')
          throw new Inconclusive(
            `linearizability search gave up on key ${JSON.stringify(verdict.key)}: ${verdict.reason}`,
          );
      }
    },
  },
];
