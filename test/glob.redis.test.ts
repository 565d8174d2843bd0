/**
 * The contract's glob matcher (conformance/contract/glob.ts) against a live redis-server's KEYS,
 * on random keys and patterns drawn from an alphabet heavy in glob syntax and multi-byte
 * characters. The one expected difference: star-only patterns match the empty key (CONTRACT.md,
 * Patterns), which Redis's `KEYS **` leaves out.
 *
 * Owns its server (FLUSHDB between runs). On failure fast-check prints the seed, path and
 * counterexample; replay with FC_SEED=<seed> FC_PATH=<path> npx vitest run test/glob.redis.test.ts.
 */
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { matchesPattern } from '../conformance/contract/index.js';
import { type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';
import { checkProperty, globKey, globPattern, rawClient } from './redis-helpers.js';

const onlyStars = (pattern: string) => /^\*+$/.test(pattern);

let redis: ProvisionedRedis;
let client: Redis;

beforeAll(async () => {
  redis = await provisionRedis({ exclusive: true });
  client = await rawClient(redis.url);
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

/** KEYS as the contract reads it: Redis's answer plus the empty key for star-only patterns. */
async function keysPerContract(pattern: string, stored: readonly string[]): Promise<string[]> {
  const answer = await client.keys(pattern);
  if (onlyStars(pattern) && stored.includes('') && !answer.includes('')) answer.push('');
  return answer;
}

test('matchesPattern agrees with redis-server KEYS on random keys and patterns', async () => {
  await checkProperty(
    fc.asyncProperty(
      fc.uniqueArray(globKey, { minLength: 1, maxLength: 12 }),
      fc.array(globPattern, { minLength: 1, maxLength: 6 }),
      async (keys, patterns) => {
        await client.flushdb();
        await client.mset(keys.flatMap((key) => [key, '1']));
        for (const pattern of patterns) {
          const expected = keys.filter((key) => matchesPattern(pattern, key)).sort();
          const actual = (await keysPerContract(pattern, keys)).sort();
          expect(expected, `pattern ${JSON.stringify(pattern)} over ${JSON.stringify(keys)}`).toEqual(actual);
        }
      },
    ),
    'test/glob.redis.test.ts',
    500,
  );
});

test('the empty-key exception, as measured', async () => {
  await client.flushdb();
  await client.set('', 'empty');
  expect(await client.keys('*')).toEqual(['']);
  expect(await client.keys('**')).toEqual([]); // Redis's bare matcher; the contract says ['']
  for (const pattern of ['', '*', '**', '***']) expect(matchesPattern(pattern, '')).toBe(true);
  expect(await keysPerContract('**', [''])).toEqual(['']);
});
