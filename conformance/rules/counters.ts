/** Area: counters (incr, decr). */
import { expectBetween, expectEqual, expectRejection } from '../suite/expect.js';
import type { Rule } from './rule.js';

/** Values Redis 7.0.15 refuses for INCR/DECR ("value is not an integer or out of range"). */
export const NON_CANONICAL_INTEGERS: readonly string[] = [
  '-0',
  '01',
  '+1',
  ' 1',
  '1 ',
  '1.0',
  '1e3',
  '',
  'abc',
  '00',
  '-01',
  '-',
  '1\n',
  '٣',
  '9223372036854775808',
  '-9223372036854775809',
  '12345678901234567890',
  '0x10',
  '1_000',
];
const LONG = 3_600_000;

export const counterRules: readonly Rule[] = [
  {
    id: 'CTR-01',
    area: 'counters',
    title: 'incr and decr of a missing key give 1 and -1, persistent',
    spec: '`incr(k)` of a missing key resolves to 1 and `decr(k)` to -1; the new key holds "1" / "-1" and has no TTL.',
    hint: 'check the starting value (0) and that the new counter is not given a default TTL.',
    async run(t) {
      const s = await t.storage();
      expectEqual(await s.incr('i'), 1, 'incr("i") of a missing key');
      expectEqual(await s.decr('d'), -1, 'decr("d") of a missing key');
      expectEqual(await s.mget(['i', 'd']), ['1', '-1'], 'mget(["i", "d"]) after the first incr/decr');
      expectEqual(await s.ttl('i'), null, 'ttl("i") of a counter created by incr');
    },
  },
  {
    id: 'CTR-02',
    area: 'counters',
    title: 'incr and decr return the new value and store it as a canonical decimal',
    spec: 'On a live key holding a canonical signed 64-bit decimal, incr/decr resolve to the new value as a number and store it as a canonical decimal string.',
    hint: 'check that the stored value is the plain decimal ("42", "-1", "0"), not a float, JSON or a padded string.',
    async run(t) {
      const s = await t.storage();
      await s.set('n', '41');
      expectEqual(await s.incr('n'), 42, 'incr("n") holding "41"');
      expectEqual(await s.get('n'), '42', 'get("n") after incr');
      await s.set('z', '1');
      expectEqual(await s.decr('z'), 0, 'decr("z") holding "1"');
      expectEqual(await s.get('z'), '0', 'get("z") after decr to zero');
      expectEqual(await s.decr('z'), -1, 'decr("z") holding "0"');
      expectEqual(await s.get('z'), '-1', 'get("z") after decr below zero');
      await s.set('neg', '-5');
      expectEqual(await s.incr('neg'), -4, 'incr("neg") holding "-5"');
    },
  },
  {
    id: 'CTR-03',
    area: 'counters',
    title: 'incr and decr keep the key’s TTL',
    spec: 'incr and decr of a live key keep its deadline unchanged.',
    hint: 'incr and decr keep the deadline of an existing live key (INCRBY does; writing the new value back with a plain SET clears it), and the key lives up to and including that deadline.',
    async run(t) {
      const s = await t.storage();
      await t.liveThenGone({
        write: async (ttl) => {
          await s.set('n', '10', ttl);
          await s.set('m', '10', ttl);
        },
        whileLive: async (ttl) => {
          expectEqual(await s.incr('n'), 11, 'incr("n") holding "10"');
          expectEqual(await s.decr('m'), 9, 'decr("m") holding "10"');
          expectBetween(await s.ttl('n'), 0, ttl, 'ttl("n") after incr');
        },
        afterDeadline: async () => {
          expectEqual(
            await s.get('n'),
            null,
            'get("n") past the original deadline, after incr("n") (incr must keep the TTL)',
          );
          expectEqual(
            await s.get('m'),
            null,
            'get("m") past the original deadline, after decr("m") (decr must keep the TTL)',
          );
        },
      });
    },
  },
  {
    id: 'CTR-04',
    area: 'counters',
    title: 'non-canonical or non-integer values are refused',
    spec: 'incr/decr of a value that is not a canonical signed 64-bit decimal (Redis syntax: optional "-", no "+", no leading zeros, no spaces, no "-0") reject with `SerializationError` and leave value and TTL unchanged.',
    hint: 'step the counter through stepCounter (or parse with parseCanonicalInt64) from sa-storage-kit: only a canonical 64-bit integer string counts; parseInt and Number accept far too much.',
    async run(t) {
      const s = await t.storage();
      for (const value of NON_CANONICAL_INTEGERS) {
        await s.set('bad', value, LONG);
        await expectRejection(
          () => s.incr('bad'),
          'SerializationError',
          `incr of a key holding ${JSON.stringify(value)}`,
        );
        await expectRejection(
          () => s.decr('bad'),
          'SerializationError',
          `decr of a key holding ${JSON.stringify(value)}`,
        );
        expectEqual(await s.get('bad'), value, `get after the refused incr/decr of ${JSON.stringify(value)}`);
        expectBetween(await s.ttl('bad'), 1, LONG, `ttl after the refused incr/decr of ${JSON.stringify(value)}`);
      }
    },
  },
  {
    id: 'CTR-05',
    area: 'counters',
    title: 'overflow past 64 bits is refused',
    spec: 'incr/decr that would leave the signed 64-bit range reject with `OperationFailed` and leave the value unchanged; the range edges themselves are reached exactly.',
    hint: 'step the counter through stepCounter from sa-storage-kit (BigInt, range checked before storing); JavaScript numbers lose digits past 2^53 and 64-bit arithmetic wraps.',
    async run(t) {
      const s = await t.storage();
      await s.set('max', '9223372036854775806');
      await s.incr('max');
      expectEqual(await s.get('max'), '9223372036854775807', 'get after incr of 9223372036854775806');
      await expectRejection(() => s.incr('max'), 'OperationFailed', 'incr of 9223372036854775807');
      expectEqual(await s.get('max'), '9223372036854775807', 'get after the refused incr');
      await s.set('min', '-9223372036854775807');
      await s.decr('min');
      expectEqual(await s.get('min'), '-9223372036854775808', 'get after decr of -9223372036854775807');
      await expectRejection(() => s.decr('min'), 'OperationFailed', 'decr of -9223372036854775808');
      expectEqual(await s.get('min'), '-9223372036854775808', 'get after the refused decr');
    },
  },
  {
    id: 'CTR-06',
    area: 'counters',
    title: 'counters are exact beyond 2^53',
    spec: 'The stored counter is always the exact decimal; the resolved number is exact up to `Number.MAX_SAFE_INTEGER` and the nearest double beyond it.',
    hint: 'do the arithmetic on the stored string with BigInt (stepCounter from sa-storage-kit does), not on a JavaScript number, and convert only the returned value.',
    async run(t) {
      const s = await t.storage();
      await s.set('big', '9007199254740993');
      expectEqual(await s.incr('big'), 9007199254740994, 'incr of 9007199254740993');
      expectEqual(await s.get('big'), '9007199254740994', 'get after incr of 9007199254740993');
      await s.set('safe', String(Number.MAX_SAFE_INTEGER - 1));
      expectEqual(await s.incr('safe'), Number.MAX_SAFE_INTEGER, 'incr up to MAX_SAFE_INTEGER');
      await s.set('huge', '9223372036854775000');
      expectEqual(await s.decr('huge'), Number(9223372036854774999n), 'decr of 9223372036854775000 (nearest double)');
      expectEqual(await s.get('huge'), '9223372036854774999', 'get after decr of 9223372036854775000');
    },
  },
];
