/**
 * Wire compatibility with sa-token-rust's RedisStorage (sa-token-storage-redis 0.1.x), which writes
 * `key_prefix + key` with plain string values: SETEX / SET … EX <whole seconds> for a TTL, plain SET
 * otherwise, DEL, EXPIRE <seconds>, INCR/DECR, MGET, SCAN + DEL for clear.
 * Here raw ioredis commands play the Rust side, in both directions.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisStorage } from '../implementations/redis/index.js';
import { type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';
import { rawClient, uniquePrefix } from './redis-helpers.js';

/** Real-time tolerance for TTL readings taken right after a write. */
const SLACK_MS = 250;

let redis: ProvisionedRedis;
let rust: Redis; // the commands sa-token-rust sends, issued by hand
let storage: RedisStorage;
let prefix: string;

beforeAll(async () => {
  redis = await provisionRedis();
  rust = await rawClient(redis.url);
  // sa-token-rust's documented prefix, made unique per run so a shared REDIS_URL stays clean.
  prefix = `sa-token:${uniquePrefix('wire')}`;
  storage = await RedisStorage.connect(redis.url, prefix);
});

afterAll(async () => {
  await storage?.clear();
  await storage?.close();
  rust?.disconnect();
  await redis?.stop();
});

describe('Rust writes, RedisStorage reads', () => {
  test('SETEX (set_ex) / SET EX: get, ttl within tolerance, exists, keys, mget', async () => {
    await rust.setex(`${prefix}login:token:abc`, 1800, 'user-42');
    await rust.set(`${prefix}session:user-42`, '{"device":"web","é":"🙂"}', 'EX', 60);
    await rust.set(`${prefix}persistent`, 'forever');

    expect(await storage.get('login:token:abc')).toBe('user-42');
    expect(await storage.get('session:user-42')).toBe('{"device":"web","é":"🙂"}');
    expect(await storage.exists('login:token:abc')).toBe(true);

    const tokenTtl = await storage.ttl('login:token:abc');
    expect(tokenTtl).toBeLessThanOrEqual(1_800_000);
    expect(tokenTtl).toBeGreaterThan(1_800_000 - SLACK_MS);
    const sessionTtl = await storage.ttl('session:user-42');
    expect(sessionTtl).toBeLessThanOrEqual(60_000);
    expect(sessionTtl).toBeGreaterThan(60_000 - SLACK_MS);
    expect(await storage.ttl('persistent')).toBeNull();

    expect(new Set(await storage.keys('*'))).toEqual(new Set(['login:token:abc', 'session:user-42', 'persistent']));
    expect(await storage.keys('login:token:*')).toEqual(['login:token:abc']);
    expect(await storage.mget(['login:token:abc', 'nope', 'persistent'])).toEqual(['user-42', null, 'forever']);
  });

  test('EXPIRE in seconds is read back in milliseconds', async () => {
    await rust.set(`${prefix}renew`, 'v');
    await rust.expire(`${prefix}renew`, 30);
    const left = await storage.ttl('renew');
    expect(left).toBeLessThanOrEqual(30_000);
    expect(left).toBeGreaterThan(30_000 - SLACK_MS);
  });

  test('a counter started by INCR continues through RedisStorage, TTL kept', async () => {
    await rust.incr(`${prefix}counter`);
    await rust.incr(`${prefix}counter`);
    await rust.expire(`${prefix}counter`, 100);
    expect(await storage.incr('counter')).toBe(3);
    expect(await storage.decr('counter')).toBe(2);
    expect(await storage.ttl('counter')).toBeGreaterThan(100_000 - SLACK_MS);
  });

  test('keys written by Rust under another prefix stay invisible', async () => {
    const other = `sa-token:${uniquePrefix('other-app')}`;
    await rust.set(`${other}login:token:abc`, 'someone else');
    expect(await storage.get('login:token:abc')).not.toBe('someone else');
    expect(await storage.keys('*')).not.toContain(`${other}login:token:abc`);
    await rust.del(`${other}login:token:abc`);
  });
});

describe('RedisStorage writes, Rust reads', () => {
  test('set with a TTL: GET gives the plain value, PTTL/TTL the deadline', async () => {
    await storage.set('login:token:xyz', 'user-7', 1500);
    expect(await rust.get(`${prefix}login:token:xyz`)).toBe('user-7');
    const pttl = await rust.pttl(`${prefix}login:token:xyz`);
    expect(pttl).toBeLessThanOrEqual(1500);
    expect(pttl).toBeGreaterThan(1500 - SLACK_MS);
    // Rust's ttl() reads TTL (seconds, rounded by Redis): 1.5 s shows as 1 or 2.
    expect([1, 2]).toContain(await rust.ttl(`${prefix}login:token:xyz`));
  });

  test('persistent set, values with newlines and emoji, exact bytes', async () => {
    const value = 'line1\nline2\r\n🙂 é 日本 \u0000 end';
    await storage.set('profile', value);
    expect(await rust.get(`${prefix}profile`)).toBe(value);
    expect(await rust.ttl(`${prefix}profile`)).toBe(-1);
    expect(await rust.strlen(`${prefix}profile`)).toBe(Buffer.byteLength(value));
  });

  test('mset / incr / expire / delete / mdel as Rust sees them', async () => {
    await storage.mset(
      [
        ['a', '1'],
        ['b', '2'],
      ],
      10_000,
    );
    expect(await rust.mget(`${prefix}a`, `${prefix}b`)).toEqual(['1', '2']);
    expect(await rust.pttl(`${prefix}b`)).toBeGreaterThan(10_000 - SLACK_MS);

    expect(await storage.incr('hits')).toBe(1);
    expect(await rust.get(`${prefix}hits`)).toBe('1');
    expect(await rust.incr(`${prefix}hits`)).toBe(2); // Rust's INCR on our counter

    await storage.expire('hits', 5_000);
    expect(await rust.ttl(`${prefix}hits`)).toBe(5);

    await storage.delete('a');
    await storage.mdel(['b', 'hits']);
    expect(await rust.exists(`${prefix}a`, `${prefix}b`, `${prefix}hits`)).toBe(0);
  });

  test('clear removes exactly what Rust would list with SCAN MATCH prefix*', async () => {
    await storage.mset([
      ['x', '1'],
      ['y', '2'],
    ]);
    await storage.clear();
    const left: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await rust.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      left.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    expect(left).toEqual([]);
  });
});
