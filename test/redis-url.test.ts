import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isStorageError, type StorageError } from '../conformance/contract/index.js';
import { parseRedisUrl, RedisStorage } from '../implementations/redis/index.js';
import { freePort } from '../scripts/redis/local-server.js';
import { type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';
import {
  everythingShown,
  expectStorageError,
  makeTestCertificates,
  rawClient,
  type TestCertificates,
  uniquePrefix,
} from './redis-helpers.js';

/** Every character a URL reserves, plus the one that ends it. */
const PASSWORD = 'p@ss:w/rd%#secret';
const WRONG_PASSWORD = 'p@ss:w/rd%#wrong-secret';
const USER = 'sa:token@app';
const enc = encodeURIComponent;

function expectNoSecret(error: unknown): void {
  const shown = everythingShown(error);
  for (const secret of [PASSWORD, WRONG_PASSWORD, enc(PASSWORD), enc(WRONG_PASSWORD), 'secret', 'rd%#', 'p@ss']) {
    expect(shown, `the error reveals ${JSON.stringify(secret)}`).not.toContain(secret);
  }
}

async function rejectsWithoutSecret(action: Promise<unknown>, kind: StorageError['kind']): Promise<StorageError> {
  const error = await expectStorageError(action, kind);
  expectNoSecret(error);
  return error;
}

describe('parseRedisUrl', () => {
  test.each([
    ['redis://localhost:6379/0', { host: 'localhost', port: 6379, database: 0 }],
    ['redis://localhost', { host: 'localhost' }],
    ['redis://localhost/', { host: 'localhost' }],
    ['redis://10.0.0.5:7000/15', { host: '10.0.0.5', port: 7000, database: 15 }],
    ['redis://[::1]:6380', { host: '::1', port: 6380 }],
    ['redis://:password@localhost:6379/0', { host: 'localhost', port: 6379, database: 0, password: 'password' }],
    [
      'redis://:Aq23-hjPwFB3mBDNFp3W1@localhost:6379/0',
      { host: 'localhost', port: 6379, database: 0, password: 'Aq23-hjPwFB3mBDNFp3W1' },
    ],
    ['redis://alice@h', { host: 'h', username: 'alice' }],
    [
      `redis://${enc(USER)}:${enc(PASSWORD)}@h:1/3`,
      { host: 'h', port: 1, database: 3, username: USER, password: PASSWORD },
    ],
    ['redis://:p%40ss@h', { host: 'h', password: 'p@ss' }],
    ['redis://:pa@ss@h', { host: 'h', password: 'pa@ss' }], // WHATWG: the last @ ends the credentials
    ['rediss://cache.example.com:6380', { host: 'cache.example.com', port: 6380, tls: true }],
    ['REDIS://H', { host: 'H' }],
    ['redis://', {}],
  ])('%s', (url, expected) => {
    expect(parseRedisUrl(url)).toEqual(expected);
  });

  test.each([
    ['not a URL', 'not a url'],
    ['empty', ''],
    ['http scheme', 'http://localhost:6379'],
    ['no scheme', 'localhost:6379'],
    ['unix scheme', 'unix:///tmp/redis.sock'],
    ['path is not a number', 'redis://h/abc'],
    ['two path segments', 'redis://h/3/4'],
    ['query string', 'redis://h:1?db=2'],
    ['fragment', 'redis://h:1/0#x'],
    ['port out of range', 'redis://h:99999'],
    ['unencoded password', `redis://:${PASSWORD}@127.0.0.1:6379/0`],
    ['unencoded password with user', `redis://alice:${PASSWORD}@127.0.0.1:6379`],
    ['unencoded # only', `redis://:${enc('p@ss:w/rd%')}#secret@127.0.0.1:6379`],
    ['unencoded % only', `redis://:${enc('p@ss:w/rd')}%${enc('#secret')}@127.0.0.1:6379`],
    ['malformed percent-encoding', 'redis://:p%E0%A4%Asecret@h'],
    ['not a string', 42],
  ])('%s: OperationFailed, no secret in message or cause', (_, url) => {
    let caught: unknown;
    try {
      parseRedisUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(isStorageError(caught) && caught.kind).toBe('OperationFailed');
    expectNoSecret(caught);
    // Only fixed text: nothing from the URL itself (which may hold the password in the wrong place).
    expect((caught as Error).message).not.toMatch(/127\.0\.0\.1|alice|\bh:1\b/);
  });
});

describe('a rediss:// URL is never downgraded to plain text by an option', () => {
  // Port 1 refuses connections: were the conflict not caught before connecting, these would
  // reject with ConnectionError (or, on a plain server, connect in plain text and send AUTH).
  const url = `rediss://alice:${enc(PASSWORD)}@127.0.0.1:1`;
  test.each([false, null])('tls: %s → OperationFailed naming the conflict, nothing sent, no secret', async (tls) => {
    const attempts = [
      RedisStorage.connect(url, '', { tls: tls as never, connectTimeoutMs: 500 }),
      RedisStorage.cluster([url], '', { tls: tls as never, connectTimeoutMs: 500 }),
    ];
    for (const attempt of attempts) {
      const error = await rejectsWithoutSecret(attempt, 'OperationFailed');
      expect(error.message).toMatch(/rediss:\/\/ \(TLS\).*tls: (false|null)/);
      expect(error.message).not.toContain('alice');
    }
  });

  test('options that keep TLS on (true, or Node TLS options) are accepted', async () => {
    // Gets past validation to the connect attempt itself: ConnectionError from the closed port.
    await expectStorageError(
      RedisStorage.connect(url, '', { tls: { ca: [] }, connectTimeoutMs: 500 }),
      'ConnectionError',
    );
    await expectStorageError(RedisStorage.connect(url, '', { tls: true, connectTimeoutMs: 500 }), 'ConnectionError');
  });
});

describe('credentials against a live server (--requirepass + ACL user)', () => {
  let redis: ProvisionedRedis;
  let admin: Redis;
  let host: string;
  let port: number;

  beforeAll(async () => {
    redis = await provisionRedis({ args: ['--requirepass', PASSWORD] });
    const url = new URL(redis.url);
    host = url.hostname;
    port = Number(url.port);
    admin = await rawClient(`redis://:${enc(PASSWORD)}@${host}:${port}`);
    await admin.call('ACL', 'SETUSER', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all');
    await admin.call('ACL', 'SETUSER', 'bob', 'on', `>${PASSWORD}`, '~bob:*', '+@all');
  });

  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  test('the default user with a percent-encoded password, database /3', async () => {
    const prefix = uniquePrefix('db3');
    const storage = await RedisStorage.connect(`redis://:${enc(PASSWORD)}@${host}:${port}/3`, prefix);
    try {
      await storage.set('k', 'in db 3');
      await admin.select(3);
      expect(await admin.get(`${prefix}k`)).toBe('in db 3');
      await admin.select(0);
      expect(await admin.exists(`${prefix}k`)).toBe(0);
      expect(await storage.keys('*')).toEqual(['k']);
    } finally {
      await storage.clear();
      await storage.close();
    }
  });

  test('an ACL user whose name and password need encoding', async () => {
    const storage = await RedisStorage.connect(`redis://${enc(USER)}:${enc(PASSWORD)}@${host}:${port}`, 'acl:');
    try {
      await storage.set('k', 'v');
      expect(await admin.get('acl:k')).toBe('v');
      const clients = String(await admin.call('CLIENT', 'LIST'));
      expect(clients).toContain(`user=${USER}`); // the storage's connection runs as the ACL user
    } finally {
      await storage.clear();
      await storage.close();
    }
  });

  test('fromConfig and the builder take the raw (unencoded) password and user name', async () => {
    const configured = await RedisStorage.fromConfig(
      { host, port, username: USER, password: PASSWORD, database: 2 },
      'cfg:',
    );
    const built = await RedisStorage.builder()
      .host(host)
      .port(port)
      .password(PASSWORD)
      .database(2)
      .keyPrefix('cfg:')
      .build();
    try {
      await configured.set('k', 'v');
      expect(await built.get('k')).toBe('v');
    } finally {
      await configured.clear();
      await configured.close();
      await built.close();
    }
  });

  test('wrong password: ConnectionError without the password in message or cause', async () => {
    const error = await rejectsWithoutSecret(
      RedisStorage.connect(`redis://:${enc(WRONG_PASSWORD)}@${host}:${port}`, ''),
      'ConnectionError',
    );
    expect(error.message).toMatch(/WRONGPASS/);
    await rejectsWithoutSecret(
      RedisStorage.connect(`redis://${enc(USER)}:${enc(WRONG_PASSWORD)}@${host}:${port}`, ''),
      'ConnectionError',
    );
    await rejectsWithoutSecret(
      RedisStorage.fromConfig({ host, port, username: 'nobody', password: PASSWORD }, ''),
      'ConnectionError',
    );
    await rejectsWithoutSecret(
      RedisStorage.fromConfig({ host, port, password: WRONG_PASSWORD }, ''),
      'ConnectionError',
    );
  });

  test('no password at all: ConnectionError (NOAUTH)', async () => {
    await rejectsWithoutSecret(RedisStorage.connect(`redis://${host}:${port}`, ''), 'ConnectionError');
  });

  test('an unencoded password in the URL is refused before connecting, without echoing it', async () => {
    await rejectsWithoutSecret(RedisStorage.connect(`redis://:${PASSWORD}@${host}:${port}`, ''), 'OperationFailed');
    await rejectsWithoutSecret(
      RedisStorage.connect(`redis://${USER}:${PASSWORD}@${host}:${port}/3`, ''),
      'OperationFailed',
    );
  });

  test('an ACL user allowed only the commands the storage sends (as in the production notes) can do everything', async () => {
    // biome-ignore format: the permission list, as documented
    await admin.call('ACL', 'SETUSER', 'minimal', 'on', `>${PASSWORD}`, '~minimal:*', '+get', '+set', '+unlink', '+exists',
      '+pexpire', '+pttl', '+mget', '+evalsha', '+eval', '+incrby', '+scan', '+info');
    const storage = await RedisStorage.connect(`redis://minimal:${enc(PASSWORD)}@${host}:${port}`, 'minimal:');
    try {
      await storage.mset(
        [
          ['a', '1'],
          ['b', '2'],
        ],
        60_000,
      );
      await storage.set('c', '3');
      expect(await storage.mget(['a', 'b', 'c'])).toEqual(['1', '2', '3']);
      expect(await storage.get('a')).toBe('1');
      expect(await storage.exists('a')).toBe(true);
      await storage.expire('c', 60_000);
      expect(await storage.ttl('c')).toBeGreaterThan(0);
      expect(await storage.incr('n')).toBe(1);
      expect(await storage.decr('n')).toBe(0);
      expect((await storage.keys('*')).sort()).toEqual(['a', 'b', 'c', 'n']);
      await storage.delete('a');
      await storage.mdel(['b']);
      await storage.clear();
      expect(await storage.keys('*')).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  test('a user without scripting (no +evalsha): incr, decr and mset reject with OperationFailed that says so; nothing written', async () => {
    // biome-ignore format: the permission list
    await admin.call('ACL', 'SETUSER', 'noscript', 'on', `>${PASSWORD}`, '~noscript:*', '+@all', '-@scripting');
    const storage = await RedisStorage.connect(`redis://noscript:${enc(PASSWORD)}@${host}:${port}`, 'noscript:');
    try {
      for (const call of [() => storage.incr('n'), () => storage.decr('n'), () => storage.mset([['a', '1']])]) {
        const error = await rejectsWithoutSecret(call(), 'OperationFailed');
        expect(error.message).toMatch(/NOPERM.*evalsha/i);
      }
      expect(await storage.keys('*')).toEqual([]);
      await storage.set('k', 'v'); // everything else works
      expect(await storage.get('k')).toBe('v');
      await storage.clear();
    } finally {
      await storage.close();
    }
  });

  test('a command the ACL user may not run: OperationFailed without the password', async () => {
    const storage = await RedisStorage.connect(`redis://bob:${enc(PASSWORD)}@${host}:${port}`, 'not-bob:');
    try {
      const error = await rejectsWithoutSecret(storage.set('k', 'v'), 'OperationFailed');
      expect(error.message).toMatch(/NOPERM/);
    } finally {
      await storage.close();
    }
  });

  test('secrets are scrubbed on the real storage path: every encoding of the password and of the user name', async () => {
    // Keys named like the credentials make the storage's own error messages (which quote the
    // key) carry them, in each form the storage must derive itself (raw, encodeURIComponent, encodeURI).
    const prefix = uniquePrefix('scrub');
    const storage = await RedisStorage.connect(`redis://${enc(USER)}:${enc(PASSWORD)}@${host}:${port}`, prefix);
    const shown = [PASSWORD, enc(PASSWORD), encodeURI(PASSWORD), USER, enc(USER), encodeURI(USER)];
    try {
      for (const key of shown) {
        await admin.rpush(prefix + key, 'not a string'); // WRONGTYPE for GET
        const error = await rejectsWithoutSecret(storage.get(key), 'OperationFailed');
        expect(error.message).toMatch(/WRONGTYPE/);
        for (const secret of shown) expect(everythingShown(error)).not.toContain(secret);
        expect(everythingShown(error)).not.toContain('token@app');
      }
    } finally {
      await admin.del(...shown.map((key) => prefix + key));
      await storage.close();
    }
  });

  test('errors on a connected storage never carry the password either', async () => {
    const storage = await RedisStorage.connect(`redis://:${enc(PASSWORD)}@${host}:${port}`, uniquePrefix('leak'));
    try {
      await storage.set('s', 'not a number');
      await rejectsWithoutSecret(storage.incr('s'), 'SerializationError');
      await storage.close();
      await rejectsWithoutSecret(storage.get('s'), 'ConnectionError');
    } finally {
      await storage.close();
    }
  });
});

describe('TLS (rediss://), certificate verification on', () => {
  let redis: ProvisionedRedis;
  let certificates: TestCertificates;
  /** The test CA that signed the server certificate (CN=localhost, SAN localhost and 127.0.0.1). */
  let cert: string;
  /** Another CA, which signed nothing the server presents. */
  let wrongCa: string;
  let tlsPort: number;

  beforeAll(async () => {
    certificates = makeTestCertificates();
    cert = certificates.ca;
    wrongCa = certificates.wrongCa;
    tlsPort = await freePort();
    redis = await provisionRedis({
      process: true,
      args: [
        '--tls-port',
        String(tlsPort),
        '--tls-cert-file',
        certificates.certFile,
        '--tls-key-file',
        certificates.keyFile,
        '--tls-auth-clients',
        'no',
      ],
    });
  });

  afterAll(async () => {
    await redis?.stop();
    certificates?.remove();
  });

  test('rediss:// with the server CA connects over TLS', async () => {
    const storage = await RedisStorage.connect(`rediss://localhost:${tlsPort}`, 'tls:', { tls: { ca: [cert] } });
    const built = await RedisStorage.builder()
      .host('localhost')
      .port(tlsPort)
      .tls({ ca: [cert] })
      .keyPrefix('tls:')
      .build();
    try {
      await storage.set('k', 'over tls');
      expect(await built.get('k')).toBe('over tls');
    } finally {
      await storage.clear();
      await storage.close();
      await built.close();
    }
  });

  test('a CA that did not sign the server certificate: ConnectionError', async () => {
    const error = await expectStorageError(
      RedisStorage.connect(`rediss://localhost:${tlsPort}`, '', { connectTimeoutMs: 2000, tls: { ca: [wrongCa] } }),
      'ConnectionError',
    );
    expect(error.message).toMatch(/certificate/i);
  });

  test('the right CA but another host name than the certificate names: ConnectionError', async () => {
    const error = await expectStorageError(
      RedisStorage.connect(`rediss://localhost:${tlsPort}`, '', {
        connectTimeoutMs: 2000,
        tls: { ca: [cert], servername: 'cache.example.com' },
      }),
      'ConnectionError',
    );
    expect(error.message).toMatch(/altnames|host ?name/i);
  });

  test('an untrusted certificate (no CA given, system CAs only): ConnectionError', async () => {
    const error = await expectStorageError(
      RedisStorage.connect(`rediss://localhost:${tlsPort}`, '', { connectTimeoutMs: 2000 }),
      'ConnectionError',
    );
    expect(error.message).toMatch(/certificate/i);
  });

  test('rediss:// to a plain-text port: ConnectionError within connectTimeoutMs', async () => {
    const plainPort = Number(new URL(redis.url).port);
    const started = performance.now();
    await expectStorageError(
      RedisStorage.connect(`rediss://localhost:${plainPort}`, '', { connectTimeoutMs: 500, tls: { ca: [cert] } }),
      'ConnectionError',
    );
    const elapsed = performance.now() - started;
    console.info(`[measure] TLS to a plain port → ConnectionError after ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(500 + 400);
  });

  test('redis:// (plain) to the TLS port: ConnectionError within connectTimeoutMs', async () => {
    const started = performance.now();
    await expectStorageError(
      RedisStorage.connect(`redis://localhost:${tlsPort}`, '', { connectTimeoutMs: 500 }),
      'ConnectionError',
    );
    expect(performance.now() - started).toBeLessThan(500 + 400);
  });
});
