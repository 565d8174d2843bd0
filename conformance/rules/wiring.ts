/**
 * Area: wiring. Probes run before every other rule for the two commonest mistakes in a factory,
 * each of which fails a dozen rules at once: a backend that does not read `ctx.clock` (or caches
 * what it read), and storages that ignore `ctx.namespace`. When one fails, the diagnosis files the
 * failures its mistake explains under it (see suite/diagnosis.ts).
 *
 * What WIRE-02 cannot see: a backend that ignores ctx.namespace but gives each storage a database
 * of its own (a fresh in-memory store, a new SQLite file) is isolated here, and collides only once
 * two storages share one database in production. The suite cannot tell such a backend from an
 * in-process one that is rightly separate per storage.
 */
import type { SaStorage } from '../contract/index.js';
import type { RuleContext } from '../suite/context.js';
import { describeValue, RuleFailure } from '../suite/failures.js';
import type { Rule } from './rule.js';

const realPause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a storage shows after the virtual clock moved 50 s: did time move for it? */
interface ClockReading {
  readonly moved: boolean;
  readonly shown: string;
}

/**
 * Writes a key that expires in 1 s and one with 100 s left, moves the virtual clock by 50 s and
 * reads both: right away, and again after a few real milliseconds. Time moved for the backend if
 * the first key is gone or the second lost at least half of the 50 s (either is enough, so a TTL
 * bug elsewhere, in seconds or in ttl(), does not pass for a clock that is not read).
 */
async function readAcrossClockMove(t: RuleContext, s: SaStorage, attempt: number) {
  const [gone, left] = [`wire-clock-gone-${attempt}`, `wire-clock-left-${attempt}`];
  await s.set(gone, 'v', 1000);
  await s.set(left, 'v', 100_000);
  const start = await s.ttl(left);
  await t.time.advance(50_000);
  const read = async (): Promise<ClockReading> => {
    const value = await s.get(gone);
    const ttl = await s.ttl(left);
    const moved = value === null || (typeof start === 'number' && typeof ttl === 'number' && start - ttl >= 25_000);
    return { moved, shown: `get(${JSON.stringify(gone)}) → ${describeValue(value)}, ttl → ${describeValue(ttl)}` };
  };
  const immediate = await read();
  await realPause(5);
  const later = await read();
  return { immediate, later, start };
}

export const wiringRules: readonly Rule[] = [
  {
    id: 'WIRE-01',
    area: 'wiring',
    title: 'the backend reads the clock the suite gives it',
    spec: 'With the virtual clock, time for the backend is `ctx.clock.now()`: when the suite moves that clock past a deadline, the key is gone, and `ttl` counts down by the time moved.',
    hint: 'pass ctx.clock to your backend (e.g. new MemoryStorage({ clock: ctx.clock })) and read time only from it; if the backend keeps its own time (a server, timers), check it with clock: "real" (--clock real).',
    async run(t) {
      // With a real clock the backend keeps its own time: the TTL rules check it directly.
      if (t.time.mode !== 'virtual') return;
      const s = await t.storage();
      const { later, start } = await readAcrossClockMove(t, s, 0);
      if (!later.moved) {
        throw new RuleFailure(
          `time did not move for the backend when ctx.clock moved 50000 ms: set("wire-clock-gone-0", "v", 1000) and set("wire-clock-left-0", "v", 100000) (ttl → ${describeValue(start)}), then after the move ${later.shown}; the backend does not read ctx.clock`,
          { check: { method: 'clock' } },
        );
      }
    },
  },
  {
    id: 'WIRE-02',
    area: 'wiring',
    title: 'storages of different namespaces do not share keys',
    spec: 'Two storages the factory makes for different `ctx.namespace` values do not see each other’s keys: a key written through one is missing in the other, and `clear()` of one leaves the other’s keys.',
    hint: 'use ctx.namespace as your key prefix (every key stored as namespace + key, and clear/keys limited to that prefix), or give each namespace its own store.',
    requires: ['namespaces'],
    async run(t) {
      const a = await t.storage();
      const b = await t.storage();
      await a.set('wire-ns', 'from a');
      // Only a leak is this probe's finding: a wrong answer of another kind is left to the KV rules.
      if ((await a.get('wire-ns')) !== 'from a') return;
      const leak = (what: string, got: unknown) =>
        new RuleFailure(`${what}: got ${describeValue(got)}; the two storages share their keys`, {
          check: { breaks: 'WIRE-02', method: 'namespace' },
        });
      const seen = await b.get('wire-ns');
      if (seen === 'from a') {
        throw leak('get("wire-ns") through a storage of another namespace, after set("wire-ns", "from a")', seen);
      }
      const exists = await b.exists('wire-ns');
      if (exists === true || exists === (1 as unknown)) {
        throw leak('exists("wire-ns") through a storage of another namespace, after set("wire-ns", "from a")', exists);
      }
      await b.clear();
      const kept = await a.get('wire-ns');
      if (kept !== 'from a') throw leak('get("wire-ns") after clear() of a storage of another namespace', kept);
    },
  },
  {
    id: 'WIRE-03',
    area: 'wiring',
    title: 'the backend reads the clock at every call',
    spec: 'With the virtual clock, every call reads `ctx.clock.now()` afresh: a move of the clock is seen by the very next call, not once some real time has passed.',
    hint: 'do not cache "now" (e.g. once per millisecond of real time or per tick): call ctx.clock.now() in each operation; reading it is cheap.',
    async run(t) {
      if (t.time.mode !== 'virtual') return;
      const s = await t.storage();
      // A cache of "now" per real millisecond may be refreshed by chance right after a move: try a few times.
      for (let attempt = 1; attempt <= 5; attempt++) {
        const { immediate, later } = await readAcrossClockMove(t, s, attempt);
        // Never moved at all: that is WIRE-01's finding, not a cache.
        if (!immediate.moved && later.moved) {
          throw new RuleFailure(
            `the backend saw the clock move only after some real time had passed: right after ctx.clock moved 50000 ms, ${immediate.shown}; 5 ms later, ${later.shown}; it caches "now"`,
            { check: { method: 'clock' } },
          );
        }
      }
    },
  },
];
