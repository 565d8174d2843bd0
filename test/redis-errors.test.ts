/**
 * Failure discipline and the commands RedisStorage sends:
 * - ill-formed input rejects with SerializationError and nothing reaches Redis (seen with MONITOR);
 * - the exact commands per method (one MGET, one EVALSHA for mset and incr, one UNLINK, SCAN — never
 *   KEYS/FLUSHDB);
 * - factories reject, never throw synchronously;
 * - a closed port, a stalled server (SIGSTOP) and a killed server give ConnectionError within the
 *   configured bounds, and the storage heals when the server comes back.
 * This file owns its redis-servers (it pauses and kills them), so it needs a local redis-server.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isStorageError } from '../conformance/contract/index.js';
import { mapRedisError } from '../implementations/redis/errors.js';
import { RedisStorage } from '../implementations/redis/index.js';
import { freePort, type LocalRedis, startLocalRedis } from '../scripts/redis/local-server.js';
import { type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';
import {
  commandsSentOn,
  everythingShown,
  expectStorageError,
  rawClient,
  type SeenCommand,
  sleep,
  uniquePrefix,
} from './redis-helpers.js';

/** Scheduling slack allowed on top of a configured timeout before a ConnectionError counts as late. */
const LATE_MS = 400;

let redis: ProvisionedRedis;
let raw: Redis;

beforeAll(async () => {
  redis = await provisionRedis({ exclusive: true });
  raw = await rawClient(redis.url);
});

/** A fresh local redis-server this test may pause, kill and restart. */
async function ownProcess(): Promise<LocalRedis> {
  const provisioned = await provisionRedis({ process: true });
  if (provisioned.local === undefined) throw new Error('provisionRedis({ process: true }) returned no process');
  return provisioned.local;
}

afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

/** A storage on a client we hold, so MONITOR can attribute commands to its connection. */
async function watched(label: string): Promise<{
  storage: RedisStorage;
  client: Redis;
  sent: (action: (s: RedisStorage) => Promise<unknown>) => Promise<SeenCommand[]>;
}> {
  const client = await rawClient(redis.url);
  const storage = await RedisStorage.fromClient(client, uniquePrefix(label));
  return {
    storage,
    client,
    sent: (action) => commandsSentOn(redis.url, client, () => action(storage)),
  };
}

describe('ill-formed input: SerializationError, nothing sent', () => {
  const lone = '\ud800';
  const calls: [string, (s: RedisStorage) => Promise<unknown>][] = [
    ['get(lone surrogate)', (s) => s.get(lone)],
    ['get(number)', (s) => s.get(1 as never)],
    ['get(undefined)', (s) => s.get(undefined as never)],
    ['set(lone key)', (s) => s.set(`a${lone}`, 'v')],
    ['set(lone value)', (s) => s.set('k', `\udc00b`)],
    ['set(number value)', (s) => s.set('k', 5 as never)],
    ['set(null value)', (s) => s.set('k', null as never)],
    ['delete(lone)', (s) => s.delete(lone)],
    ['exists(object)', (s) => s.exists({} as never)],
    ['expire(lone)', (s) => s.expire(lone, 1000)],
    ['ttl(lone)', (s) => s.ttl(lone)],
    ['mget([ok, lone])', (s) => s.mget(['ok', lone])],
    ['mget(not an array)', (s) => s.mget('ok' as never)],
    [
      'mset([[ok, ok], [lone, v]])',
      (s) =>
        s.mset([
          ['ok', 'ok'],
          [lone, 'v'],
        ]),
    ],
    [
      'mset([[ok, ok], [k, lone]])',
      (s) =>
        s.mset([
          ['ok', 'ok'],
          ['k', lone],
        ]),
    ],
    ['mdel([ok, lone])', (s) => s.mdel(['ok', lone])],
    ['incr(lone)', (s) => s.incr(lone)],
    ['decr(number)', (s) => s.decr(3 as never)],
    ['keys(lone)', (s) => s.keys(`*${lone}`)],
    ['keys(undefined)', (s) => s.keys(undefined as never)],
  ];

  test.each(calls)('%s', async (_, call) => {
    const { client, sent } = await watched('illformed');
    try {
      let outcome: Promise<unknown> | undefined;
      const commands = await sent(async (s) => {
        outcome = call(s);
        await outcome.catch(() => {});
      });
      await expectStorageError(outcome as Promise<unknown>, 'SerializationError');
      expect(commands).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  test('bad TTLs: OperationFailed, nothing sent', async () => {
    const { client, sent } = await watched('bad-ttl');
    try {
      const commands = await sent(async (s) => {
        await expectStorageError(s.set('k', 'v', 0), 'OperationFailed');
        await expectStorageError(s.expire('k', Number.NaN), 'OperationFailed');
        await expectStorageError(s.mset([['k', 'v']], -1), 'OperationFailed');
      });
      expect(commands).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  test('empty mget / mset / mdel send nothing', async () => {
    const { client, sent } = await watched('empty-bulk');
    try {
      const commands = await sent(async (s) => {
        expect(await s.mget([])).toEqual([]);
        await s.mset([]);
        await s.mset([], 5000);
        await s.mdel([]);
      });
      expect(commands).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});

describe('the commands each method sends', () => {
  test('one command per single-key op, one MGET, one script for mset and for incr/decr, one UNLINK', async () => {
    const { storage, client, sent } = await watched('commands');
    const p = storage.keyPrefix;
    try {
      const names = async (action: (s: RedisStorage) => Promise<unknown>) => (await sent(action)).map((c) => c.name);
      expect(await sent((s) => s.set('k', 'v'))).toEqual([{ name: 'SET', args: [`${p}k`, 'v'] }]);
      expect(await sent((s) => s.set('k', 'v', 1500.5))).toEqual([{ name: 'SET', args: [`${p}k`, 'v', 'PX', '1501'] }]);
      expect(await sent((s) => s.get('k'))).toEqual([{ name: 'GET', args: [`${p}k`] }]);
      expect(await names((s) => s.exists('k'))).toEqual(['EXISTS']);
      expect(await sent((s) => s.expire('k', 2000))).toEqual([{ name: 'PEXPIRE', args: [`${p}k`, '2000'] }]);
      expect(await names((s) => s.ttl('k'))).toEqual(['PTTL']);
      expect(await names((s) => s.delete('k'))).toEqual(['UNLINK']);
      expect(await sent((s) => s.mget(['a', 'b', 'a']))).toEqual([{ name: 'MGET', args: [`${p}a`, `${p}b`, `${p}a`] }]);
      // A server that does not know the scripts yet answers NOSCRIPT once; EVAL loads them.
      await client.script('FLUSH');
      const two: [string, string][] = [
        ['a', '1'],
        ['b', '2'],
      ];
      const first = await sent((s) => s.mset(two, 1000));
      expect(first.map((c) => c.name)).toEqual(['EVALSHA', 'EVAL']);
      const msetSha = first[0]?.args[0] as string;
      expect(first[0]?.args).toEqual([msetSha, '2', `${p}a`, `${p}b`, '1', '2', '1000']);
      expect(first[1]?.args.slice(1)).toEqual(['2', `${p}a`, `${p}b`, '1', '2', '1000']);
      expect(await sent((s) => s.mset(two))).toEqual([
        { name: 'EVALSHA', args: [msetSha, '2', `${p}a`, `${p}b`, '1', '2', ''] },
      ]);
      expect(await names((s) => s.incr('n'))).toEqual(['EVALSHA', 'EVAL']);
      const decr = await sent((s) => s.decr('n'));
      expect(decr.map((c) => c.name)).toEqual(['EVALSHA']);
      expect(decr[0]?.args.slice(1)).toEqual(['1', `${p}n`, '-1']);
      expect(await sent((s) => s.mdel(['a', 'b']))).toEqual([{ name: 'UNLINK', args: [`${p}a`, `${p}b`] }]);
    } finally {
      await storage.clear();
      client.disconnect();
    }
  });

  test('keys and clear walk SCAN MATCH <escaped prefix>* and UNLINK in batches: never KEYS or FLUSHDB', async () => {
    const client = await rawClient(redis.url);
    const prefix = `${uniquePrefix('scan')}*?[x]\\`;
    const storage = await RedisStorage.fromClient(client, prefix);
    try {
      await storage.mset(Array.from({ length: 2100 }, (_, i) => [`k${i}`, 'v']));
      const listing = await commandsSentOn(redis.url, client, () => storage.keys('k1*'));
      expect(listing.length).toBeGreaterThan(0);
      for (const command of listing) {
        expect(command.name).toBe('SCAN');
        expect(command.args.slice(1)).toEqual(['MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', '1000']);
      }
      const clearing = await commandsSentOn(redis.url, client, () => storage.clear());
      const names = new Set(clearing.map((c) => c.name));
      expect(names).toEqual(new Set(['SCAN', 'UNLINK']));
      expect(clearing.filter((c) => c.name === 'UNLINK').length).toBeGreaterThanOrEqual(2); // batches
      expect(await storage.keys('*')).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});

describe('factories reject, never throw synchronously', () => {
  test.each([
    ['connect(non-string url)', () => RedisStorage.connect(42 as never, '')],
    ['connect(bad scheme)', () => RedisStorage.connect('http://localhost:6379', '')],
    ['connect(bad prefix)', () => RedisStorage.connect(redis.url, '\ud800')],
    ['connect(non-string prefix)', () => RedisStorage.connect(redis.url, 5 as never)],
    ['connect(bad timeout)', () => RedisStorage.connect(redis.url, '', { commandTimeoutMs: -1 })],
    ['fromConfig(null)', () => RedisStorage.fromConfig(null as never, '')],
    ['fromConfig(port 0)', () => RedisStorage.fromConfig({ port: 0 }, '')],
    ['fromConfig(port "6379")', () => RedisStorage.fromConfig({ port: '6379' as never }, '')],
    ['fromConfig(database -1)', () => RedisStorage.fromConfig({ database: -1 }, '')],
    ['fromConfig(host "")', () => RedisStorage.fromConfig({ host: '' }, '')],
    ['fromConfig(tls "yes")', () => RedisStorage.fromConfig({ tls: 'yes' as never }, '')],
    ['fromConfig(connectTimeoutMs NaN)', () => RedisStorage.fromConfig({ connectTimeoutMs: Number.NaN }, '')],
    ['builder().port(70000)', () => RedisStorage.builder().port(70_000).build()],
    ['fromClient(null)', () => RedisStorage.fromClient(null as never, '')],
    ['fromClient({})', () => RedisStorage.fromClient({} as never, '')],
  ])('%s', async (_, factory) => {
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = factory();
    }).not.toThrow();
    expect(promise).toBeInstanceOf(Promise);
    const error = await expectStorageError(promise as Promise<unknown>, expectKind(_));
    expect(error.message).not.toMatch(/undefined|\[object/);
  });

  function expectKind(name: string) {
    return name.includes('prefix') ? 'SerializationError' : 'OperationFailed';
  }

  test('fromClient refuses a client with an ioredis keyPrefix (it would not reach SCAN patterns)', async () => {
    const { Redis } = await import('ioredis');
    const prefixed = new Redis(redis.url, { lazyConnect: true, keyPrefix: 'x:' });
    await expectStorageError(RedisStorage.fromClient(prefixed, ''), 'OperationFailed');
    prefixed.disconnect();
  });

  test('a database index the server does not have rejects instead of silently using db 0', async () => {
    const url = new URL(redis.url);
    const error = await expectStorageError(
      RedisStorage.fromConfig({ host: url.hostname, port: Number(url.port), database: 99 }, ''),
      'OperationFailed',
    );
    expect(error.message).toMatch(/DB index is out of range/);
  });
});

describe('connection failures are bounded ConnectionErrors', () => {
  test('closed port: connect rejects with ConnectionError at once', async () => {
    const port = await freePort();
    const started = performance.now();
    const error = await expectStorageError(
      RedisStorage.connect(`redis://127.0.0.1:${port}`, '', { connectTimeoutMs: 1000 }),
      'ConnectionError',
    );
    const elapsed = performance.now() - started;
    console.info(`[measure] closed port → ConnectionError after ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(1000 + LATE_MS);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(isStorageError(error.cause)).toBe(false);
  });

  test('unresolvable host: ConnectionError', async () => {
    await expectStorageError(
      RedisStorage.fromConfig({ host: 'no-such-host.invalid', connectTimeoutMs: 3000 }, ''),
      'ConnectionError',
    );
  });

  test('stalled server (SIGSTOP): connect and commands reject within their timeouts, then it heals', async () => {
    const local = await ownProcess();
    const storage = await RedisStorage.connect(local.url, uniquePrefix('stall'), {
      commandTimeoutMs: 300,
      connectTimeoutMs: 300,
    });
    try {
      await storage.set('k', 'v');
      expect(await storage.incr('n')).toBe(1); // the server now knows the incr script
      local.process.kill('SIGSTOP');

      let started = performance.now();
      await expectStorageError(storage.get('k'), 'ConnectionError');
      const commandElapsed = performance.now() - started;
      started = performance.now();
      await expectStorageError(storage.keys('*'), 'ConnectionError');
      await expectStorageError(storage.incr('n'), 'ConnectionError');
      started = performance.now();
      await expectStorageError(RedisStorage.connect(local.url, '', { connectTimeoutMs: 300 }), 'ConnectionError');
      const connectElapsed = performance.now() - started;
      console.info(
        `[measure] stalled server → command ConnectionError after ${commandElapsed.toFixed(0)} ms (commandTimeoutMs 300), connect ConnectionError after ${connectElapsed.toFixed(0)} ms (connectTimeoutMs 300)`,
      );
      expect(commandElapsed).toBeGreaterThanOrEqual(290);
      expect(commandElapsed).toBeLessThan(300 + LATE_MS);
      expect(connectElapsed).toBeLessThan(300 + LATE_MS);

      local.process.kill('SIGCONT');
      // The same storage answers again, and the late replies of the timed-out commands are not
      // mistaken for the replies of new ones.
      expect(await storage.get('k')).toBe('v');
      expect(await storage.incr('n')).toBe(3); // the stalled incr ran once when the server resumed
      expect((await storage.keys('*')).sort()).toEqual(['k', 'n']);
    } finally {
      local.process.kill('SIGCONT');
      await storage.close();
      await local.stop();
    }
  });

  test("a borrowed client: the owner's own blocking command is not the storage's to bound", async () => {
    const client = await rawClient(redis.url);
    const storage = await RedisStorage.fromClient(client, uniquePrefix('blpop'), { commandTimeoutMs: 300 });
    const list = uniquePrefix('owner-list');
    try {
      const waiting = client.blpop(list, 3); // the owner's command: may wait up to 3 s by design
      await sleep(900);
      await raw.rpush(list, 'x');
      expect(await waiting).toEqual([list, 'x']);
      expect(await storage.exists('k')).toBe(false); // and the storage's own commands still work
    } finally {
      await storage.close();
      client.disconnect();
    }
  });

  test.each([
    ['ioredis defaults', {}],
    ['maxRetriesPerRequest: null', { maxRetriesPerRequest: null }],
  ] as [string, RedisOptions][])(
    'a borrowed client that is reconnecting (%s): commands reject within the bound, and are never sent later',
    async (_, options) => {
      const local = await ownProcess();
      const client = new Redis(local.url, options); // offline queue on, as the owner configured it
      client.on('error', () => {});
      const storage = await RedisStorage.fromClient(client, 'offline:', { commandTimeoutMs: 300 });
      let restarted: LocalRedis | undefined;
      try {
        await storage.set('k', 'v');
        const ended = new Promise((resolve) => client.once('close', resolve));
        local.process.kill('SIGKILL');
        await ended;
        const started = performance.now();
        await expectStorageError(storage.set('late', 'written after the caller was told it failed'), 'ConnectionError');
        await expectStorageError(storage.get('k'), 'ConnectionError');
        const elapsed = performance.now() - started;
        console.info(
          `[measure] borrowed client offline → 2 ConnectionErrors after ${elapsed.toFixed(0)} ms (bound 300 each)`,
        );
        expect(elapsed).toBeLessThan(2 * (300 + LATE_MS));
        restarted = await startLocalRedis({ port: local.port });
        await client.ping(); // waits for the reconnect: the offline queue is flushed by then
        expect(await client.get('offline:late')).toBeNull();
        expect(await storage.exists('late')).toBe(false);
      } finally {
        client.disconnect();
        await storage.close();
        await local.stop();
        await restarted?.stop();
      }
    },
  );

  test("a borrowed client with its own ioredis commandTimeout: that bound applies, not the storage's option", async () => {
    const local = await ownProcess();
    const client = new Redis(local.url, { commandTimeout: 4000 });
    client.on('error', () => {});
    const storage = await RedisStorage.fromClient(client, 'own-timeout:', { commandTimeoutMs: 200 });
    try {
      await storage.set('k', 'v');
      local.process.kill('SIGSTOP');
      const answer = storage.get('k');
      await sleep(800); // four times the storage's option, well within the client's own 4000 ms
      local.process.kill('SIGCONT');
      expect(await answer).toBe('v');
      local.process.kill('SIGSTOP');
      const started = performance.now();
      await expectStorageError(storage.get('k'), 'ConnectionError'); // the client's own bound
      expect(performance.now() - started).toBeGreaterThanOrEqual(3900);
    } finally {
      local.process.kill('SIGCONT');
      client.disconnect();
      await storage.close();
      await local.stop();
    }
  });

  test('a borrowed client without commandTimeout: the storage bounds each command itself', async () => {
    const local = await ownProcess();
    const client = await rawClient(local.url); // ioredis defaults: offline queue, no commandTimeout
    const storage = await RedisStorage.fromClient(client, 'borrowed:', { commandTimeoutMs: 300 });
    try {
      await storage.set('k', 'v');
      local.process.kill('SIGSTOP');
      const started = performance.now();
      await expectStorageError(storage.get('k'), 'ConnectionError');
      const elapsed = performance.now() - started;
      console.info(
        `[measure] stalled server, borrowed client → ConnectionError after ${elapsed.toFixed(0)} ms (guard 300)`,
      );
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(300 + LATE_MS);
      local.process.kill('SIGCONT');
      expect(await storage.get('k')).toBe('v');
    } finally {
      local.process.kill('SIGCONT');
      await storage.close();
      client.disconnect();
      await local.stop();
    }
  });

  test('killed server: commands fail fast with ConnectionError; a restarted server is picked up again', async () => {
    const local = await ownProcess();
    const storage = await RedisStorage.connect(local.url, uniquePrefix('restart'), { commandTimeoutMs: 1000 });
    let restarted: Awaited<ReturnType<typeof startLocalRedis>> | undefined;
    try {
      await storage.set('k', 'v');
      local.process.kill('SIGKILL');
      await new Promise((resolve) => local.process.once('exit', resolve));
      const started = performance.now();
      await expectStorageError(storage.get('k'), 'ConnectionError');
      const elapsed = performance.now() - started;
      console.info(`[measure] killed server → ConnectionError after ${elapsed.toFixed(0)} ms`);
      expect(elapsed).toBeLessThan(1000 + LATE_MS);

      restarted = await startLocalRedis({ port: local.port });
      const deadline = Date.now() + 10_000;
      let healed = false;
      while (!healed && Date.now() < deadline) {
        healed = await storage.set('k', 'again').then(
          () => true,
          (error) => {
            expect(isStorageError(error) && error.kind).toBe('ConnectionError');
            return false;
          },
        );
        if (!healed) await sleep(100);
      }
      expect(healed).toBe(true);
      expect(await storage.get('k')).toBe('again');
    } finally {
      await storage.close();
      await local.stop();
      await restarted?.stop();
    }
  });

  test('a write that timed out is not re-sent after a reconnect', async () => {
    const local = await ownProcess();
    const storage = await RedisStorage.connect(local.url, 'resend:', { commandTimeoutMs: 200 });
    const admin = await rawClient(local.url);
    try {
      // Writes wait on the server while it is paused: the SET is sent but gets no reply.
      await admin.call('CLIENT', 'PAUSE', '3000', 'WRITE');
      await expectStorageError(storage.set('k', 'late'), 'ConnectionError');
      // Drop the storage's connection while its SET is still pending, then let writes through.
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await admin.call('CLIENT', 'UNPAUSE');
      const deadline = Date.now() + 5_000;
      let reconnected = false;
      while (!reconnected && Date.now() < deadline) {
        reconnected = await storage.exists('other').then(
          () => true,
          () => false,
        );
        if (!reconnected) await sleep(50);
      }
      expect(reconnected).toBe(true);
      await sleep(100);
      // ioredis re-sends unanswered commands after a reconnect by default
      // (autoResendUnfulfilledCommands); the caller was told this SET failed, so it must not land.
      expect(await admin.exists('resend:k')).toBe(0);
      // Nor is a script (incr, mset) that got no reply: it would count twice.
      await admin.call('CLIENT', 'PAUSE', '3000', 'WRITE');
      await expectStorageError(storage.incr('n'), 'ConnectionError');
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await admin.call('CLIENT', 'UNPAUSE');
      await sleep(300);
      expect(await admin.exists('resend:n')).toBe(0);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => {});
      admin.disconnect();
      await storage.close();
      await local.stop();
    }
  });
});

describe('mapRedisError (the one mapping function)', () => {
  test.each([
    [
      Object.assign(new Error('ERR value is not an integer or out of range'), { name: 'ReplyError' }),
      'SerializationError',
    ],
    [Object.assign(new Error('ERR increment or decrement would overflow'), { name: 'ReplyError' }), 'OperationFailed'],
    [
      Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), {
        name: 'ReplyError',
      }),
      'OperationFailed',
    ],
    [Object.assign(new Error('WRONGPASS invalid username-password pair'), { name: 'ReplyError' }), 'ConnectionError'],
    [Object.assign(new Error('NOAUTH Authentication required.'), { name: 'ReplyError' }), 'ConnectionError'],
    [
      Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' }),
      'ConnectionError',
    ],
    [Object.assign(new Error('OOM command not allowed'), { name: 'ReplyError' }), 'OperationFailed'],
    [new Error('Command timed out'), 'ConnectionError'],
    [new Error('Connection is closed.'), 'ConnectionError'],
    [new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'ConnectionError'],
    [Object.assign(new Error('Command aborted due to connection close'), { name: 'AbortError' }), 'ConnectionError'],
    [Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }), 'ConnectionError'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'ConnectionError'],
    [Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'ConnectionError'],
    // Redis Cluster (ioredis Cluster)
    [new Error("Cluster isn't ready and enableOfflineQueue options is false"), 'ConnectionError'],
    [new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'), 'ConnectionError'],
    [new Error('None of startup nodes is available'), 'ConnectionError'],
    [Object.assign(new Error('Cluster is ended.'), { name: 'AbortError' }), 'ConnectionError'],
    [Object.assign(new Error('CLUSTERDOWN The cluster is down'), { name: 'ReplyError' }), 'ConnectionError'],
    [
      Object.assign(new Error('TRYAGAIN Multiple keys request during rehashing'), { name: 'ReplyError' }),
      'ConnectionError',
    ],
    [
      Object.assign(new Error("CROSSSLOT Keys in request don't hash to the same slot"), { name: 'ReplyError' }),
      'OperationFailed',
    ],
    [new TypeError('cannot read properties of undefined'), 'InternalError'],
    ['a thrown string', 'InternalError'],
  ] as const)('%s → %s', (error, kind) => {
    const mapped = mapRedisError(error, 'context', []);
    expect(isStorageError(mapped)).toBe(true);
    expect(mapped.kind).toBe(kind);
    expect(mapped.message).toMatch(/^context: /);
    expect(mapped.cause).toBeInstanceOf(Error);
  });

  test('ioredis "Failed to refresh slots cache.": ConnectionError that says why, scrubbed', () => {
    const lastNodeError = Object.assign(new Error('WRONGPASS invalid username-password pair (hunter2-secret)'), {
      name: 'ReplyError',
      command: { name: 'auth', args: ['alice', 'hunter2-secret'] },
    });
    const error = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError });
    Object.defineProperty(error, 'name', { value: 'ClusterAllFailedError' });
    const mapped = mapRedisError(error, 'cannot connect to Redis Cluster', ['hunter2-secret']);
    expect(mapped.kind).toBe('ConnectionError');
    expect(mapped.message).toMatch(/Failed to refresh slots cache.*last node error: WRONGPASS/);
    const cause = mapped.cause as { lastNodeError?: { message: string; command?: unknown } };
    expect(cause.lastNodeError?.message).toMatch(/^WRONGPASS/);
    expect(cause.lastNodeError?.command).toEqual({ name: 'auth' });
    expect(everythingShown(mapped)).not.toContain('hunter2');
  });

  test('StorageErrors pass through untouched', () => {
    const original = mapRedisError(new Error('Command timed out'), 'x', []);
    expect(mapRedisError(original, 'y', [])).toBe(original);
  });

  test('the cause keeps the command name but never its arguments (AUTH/HELLO carry the password)', () => {
    const error = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
      name: 'ReplyError',
      command: { name: 'hello', args: ['3', 'AUTH', 'alice', 'hunter2-secret'] },
    });
    const mapped = mapRedisError(error, 'cannot connect', []);
    expect((mapped.cause as { command?: unknown }).command).toEqual({ name: 'hello' });
    expect(JSON.stringify(mapped.cause)).not.toContain('hunter2');
  });

  test('secrets are scrubbed from message, stack and cause', () => {
    const error = Object.assign(new Error('boom p@ss:w/rd and p%40ss%3Aw%2Frd'), { code: 'EX p@ss:w/rd' });
    const mapped = mapRedisError(error, 'ctx p@ss:w/rd', ['p@ss:w/rd', encodeURIComponent('p@ss:w/rd')]);
    const shown = `${mapped.message}\n${mapped.stack}\n${(mapped.cause as Error).message}\n${(mapped.cause as Error).stack}\n${(mapped.cause as { code: string }).code}`;
    expect(shown).not.toContain('p@ss');
    expect(shown).not.toContain('p%40ss');
  });
});
