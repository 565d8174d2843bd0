/**
 * Option resolution of implementations/redis/config.ts on its own, no server: defaults, the
 * checks on every field, the cluster's shared settings, and the ioredis options they become
 * (the settings that keep a failed write from being re-sent). URL parsing and the TLS-downgrade
 * check against real connections are in redis-url.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { isStorageError } from '../conformance/contract/index.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  parseRedisUrl,
  resolveClusterConfig,
  resolveConfig,
  toIoredisClusterOptions,
  toIoredisOptions,
} from '../implementations/redis/config.js';

/** The OperationFailed message `action` throws with (fails when it returns or throws anything else). */
function refusal(action: () => unknown): string {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(isStorageError(caught) && caught.kind, `accepted, or not a StorageError: ${String(caught)}`).toBe(
    'OperationFailed',
  );
  return (caught as Error).message;
}

const MAX_31 = 2 ** 31 - 1;
const HINT = 'percent-encode reserved characters of the user name and password (@ → %40, : → %3A';

describe('parseRedisUrl: each refusal says what is wrong and how to fix it', () => {
  test.each<[unknown, string]>([
    [42, 'invalid Redis URL: expected a string'],
    ['redis://:s@[bad', `invalid Redis URL: it does not parse as a URL; ${HINT}`],
    ['http://h', 'invalid Redis URL: it must start with redis:// or rediss://'],
    // An empty fragment or query leaves URL.hash / URL.search empty: the raw text still tells.
    ['redis://h:1#', `invalid Redis URL: it contains '#' (a fragment); ${HINT}`],
    ['redis://h:1?', `invalid Redis URL: query parameters are not supported; ${HINT}`],
    ['redis://h/x', `invalid Redis URL: the path must be a database index such as /3; ${HINT}`],
    ['redis://u%ZZ:p@h', `invalid Redis URL: malformed percent-encoding in the user name; ${HINT}`],
    ['redis://u:p%ZZ@h', `invalid Redis URL: malformed percent-encoding in the password; ${HINT}`],
  ])('%j', (url, message) => {
    expect(refusal(() => parseRedisUrl(url))).toContain(message);
  });

  test('a URL that does not parse keeps the parser error as cause, but never the URL (which holds the password)', () => {
    let caught: unknown;
    try {
      parseRedisUrl('redis://:hunter2@[bad');
    } catch (error) {
      caught = error;
    }
    const cause = (caught as Error).cause as Error & { input?: unknown };
    expect(cause).toBeInstanceOf(Error);
    expect([cause.name, (cause as { code?: unknown }).code]).toEqual(['TypeError', 'ERR_INVALID_URL']);
    expect(cause.input).toBeUndefined();
    expect(`${cause.message}${cause.stack}`).not.toContain('hunter2');
  });

  test('other refusals carry no cause', () => {
    let caught: unknown;
    try {
      parseRedisUrl('http://h');
    } catch (error) {
      caught = error;
    }
    expect(caught).not.toHaveProperty('cause');
  });
});

describe('resolveConfig', () => {
  test('an empty config: every default', () => {
    expect(resolveConfig({})).toStrictEqual({
      host: 'localhost',
      port: 6379,
      username: undefined,
      password: undefined,
      database: 0,
      tls: undefined,
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
    });
    expect([DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_COMMAND_TIMEOUT_MS]).toEqual([10_000, 5_000]);
  });

  test('every field given; null and "" mean "not set"', () => {
    expect(
      resolveConfig({
        host: 'h',
        port: 1,
        username: 'u',
        password: 'p',
        database: MAX_31,
        tls: { servername: 'h' },
        connectTimeoutMs: 0.5,
        commandTimeoutMs: MAX_31,
      }),
    ).toStrictEqual({
      host: 'h',
      port: 1,
      username: 'u',
      password: 'p',
      database: MAX_31,
      tls: { servername: 'h' },
      connectTimeoutMs: 1, // rounded up: a timer never fires early
      commandTimeoutMs: MAX_31,
    });
    const unset = resolveConfig({ username: '', password: null, connectTimeoutMs: null } as never);
    expect([unset.username, unset.password, unset.connectTimeoutMs]).toEqual([
      undefined,
      undefined,
      DEFAULT_CONNECT_TIMEOUT_MS,
    ]);
    expect(resolveConfig({ port: 65_535 }).port).toBe(65_535);
  });

  test.each([
    [true, {}],
    [false, undefined],
    [null, undefined],
    [undefined, undefined],
  ])('tls: %s → %j', (tls, resolved) => {
    expect(resolveConfig({ tls } as never).tls).toStrictEqual(resolved);
  });

  test('overrides win over the config, but an undefined override does not erase a field', () => {
    const resolved = resolveConfig(
      { host: 'h', connectTimeoutMs: 100, commandTimeoutMs: 200 },
      { connectTimeoutMs: 300, commandTimeoutMs: undefined },
    );
    expect([resolved.host, resolved.connectTimeoutMs, resolved.commandTimeoutMs]).toEqual(['h', 300, 200]);
  });

  test.each<[string, unknown, unknown, RegExp]>([
    ['not an object', 'redis://h', undefined, /expected an object/],
    ['null', null, undefined, /expected an object/],
    ['options not an object', {}, 5, /connect options: expected an object/],
    ['options null', {}, null, /connect options: expected an object/],
    ['empty host', { host: '' }, undefined, /host must be a non-empty string/],
    ['blank host', { host: '  ' }, undefined, /host must be a non-empty string/],
    ['host not a string', { host: 1 }, undefined, /host must be a non-empty string/],
    ['port 0', { port: 0 }, undefined, /port must be an integer in 1\.\.65535/],
    ['port 65536', { port: 65_536 }, undefined, /port must be an integer in 1\.\.65535/],
    ['port 1.5', { port: 1.5 }, undefined, /port must be an integer/],
    ['port a string', { port: '6379' }, undefined, /port must be an integer/],
    ['database -1', { database: -1 }, undefined, /database must be a non-negative integer/],
    ['database 2^31', { database: 2 ** 31 }, undefined, /database must be a non-negative integer/],
    ['database 0.5', { database: 0.5 }, undefined, /database must be a non-negative integer/],
    ['database a string', { database: '1' }, undefined, /database must be a non-negative integer/],
    ['tls a string', { tls: 'yes' }, undefined, /tls must be a boolean or Node TLS connection options/],
    ['tls a number', { tls: 1 }, undefined, /tls must be a boolean/],
    ['username a number', { username: 1 }, undefined, /username must be a string/],
    ['password an object', { password: {} }, undefined, /password must be a string/],
    ['connectTimeoutMs 0', { connectTimeoutMs: 0 }, undefined, /connectTimeoutMs must be a number of milliseconds/],
    ['connectTimeoutMs -1', { connectTimeoutMs: -1 }, undefined, /connectTimeoutMs must be/],
    ['connectTimeoutMs NaN', { connectTimeoutMs: Number.NaN }, undefined, /connectTimeoutMs must be/],
    ['connectTimeoutMs Infinity', { connectTimeoutMs: Infinity }, undefined, /connectTimeoutMs must be/],
    ['connectTimeoutMs 2^31', { connectTimeoutMs: 2 ** 31 }, undefined, /\(0, 2147483647\]/],
    ['commandTimeoutMs a string', { commandTimeoutMs: '5' }, undefined, /commandTimeoutMs must be a number/],
    ['rediss:// overridden by tls: false', { tls: true }, { tls: false }, /rediss:\/\/ \(TLS\).*tls: false/],
    ['rediss:// overridden by tls: null', { tls: true }, { tls: null }, /rediss:\/\/ \(TLS\).*tls: null/],
  ])('%s: OperationFailed', (_, config, overrides, message) => {
    expect(refusal(() => resolveConfig(config, overrides as never))).toMatch(message);
  });

  test('tls: false on a config without TLS is no conflict', () => {
    expect(resolveConfig({ tls: false }, { tls: false }).tls).toBeUndefined();
    expect(resolveConfig({}, { tls: null } as never).tls).toBeUndefined();
  });
});

describe('resolveClusterConfig', () => {
  test('nodes as { host, port } and as URLs; shared settings from the options', () => {
    expect(
      resolveClusterConfig([{ host: 'a', port: 7000 }, 'redis://b:7001', 'redis://c'], {
        username: 'u',
        password: 'p',
        connectTimeoutMs: 50,
      }),
    ).toStrictEqual({
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
        { host: 'c', port: 6379 },
      ],
      username: 'u',
      password: 'p',
      tls: undefined,
      connectTimeoutMs: 50,
      commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
    });
  });

  test('credentials and TLS from agreeing URLs; the options win over them', () => {
    const fromUrls = resolveClusterConfig(['rediss://u:p@a:1', 'rediss://u:p@b:2/0', 'rediss://c:3']);
    expect([fromUrls.username, fromUrls.password, fromUrls.tls]).toStrictEqual(['u', 'p', {}]);
    const overridden = resolveClusterConfig(['redis://u:p@a:1'], { username: 'v', password: 'q' });
    expect([overridden.username, overridden.password]).toEqual(['v', 'q']);
    expect(resolveClusterConfig(['rediss://a:1'], { tls: { servername: 'x' } }).tls).toStrictEqual({
      servername: 'x',
    });
    expect(resolveClusterConfig(['redis://a:1'], { database: 0 }).nodes).toHaveLength(1);
    expect(resolveClusterConfig(['redis://a:1'], { database: null } as never).nodes).toHaveLength(1);
  });

  test.each<[string, unknown, unknown, RegExp]>([
    ['no nodes', [], {}, /expected a non-empty array/],
    ['nodes not an array', 'redis://a:1', {}, /expected a non-empty array/],
    ['options not an object', ['redis://a:1'], 'x', /Cluster options: expected an object/],
    ['options null', ['redis://a:1'], null, /Cluster options: expected an object/],
    ['a node URL with database 1', ['redis://a:1', 'redis://b:2/1'], {}, /node #2: Redis Cluster only has database 0/],
    ['a node that is a number', [{ host: 'a', port: 1 }, 7], {}, /node #2: expected \{ host, port \}/],
    ['a node that is an array', [['a', 1]], {}, /node #1: expected \{ host, port \}/],
    ['a node that is null', [null], {}, /node #1: expected \{ host, port \}/],
    ['a node with a bad port', [{ host: 'a', port: 0 }], {}, /port must be an integer/],
    ['a node URL that does not parse', ['http://a:1'], {}, /must start with redis:\/\/ or rediss:\/\//],
    ['URLs disagree on the password', ['redis://:p@a:1', 'redis://:q@b:2'], {}, /disagree on the password/],
    ['URLs disagree on the user', ['redis://u@a:1', 'redis://v@b:2'], {}, /disagree on the username/],
    ['URLs disagree on TLS', ['rediss://a:1', 'redis://b:2'], {}, /disagree on the scheme \(redis\/rediss\)/],
    ['options database 1', ['redis://a:1'], { database: 1 }, /Cluster options: Redis Cluster only has database 0/],
    ['rediss:// URLs, tls: false', ['rediss://a:1'], { tls: false }, /rediss:\/\/ \(TLS\).*tls: false/],
    ['a bad shared option', ['redis://a:1'], { commandTimeoutMs: -1 }, /commandTimeoutMs must be/],
  ])('%s: OperationFailed', (_, nodes, options, message) => {
    expect(refusal(() => resolveClusterConfig(nodes, options))).toMatch(message);
  });

  test('a URL without credentials does not disagree with one that has them', () => {
    expect(resolveClusterConfig(['redis://:p@a:1', 'redis://b:2']).password).toBe('p');
  });
});

describe('the ioredis options', () => {
  test('standalone: lazy, no offline queue, no re-send, no ioredis keyPrefix, capped reconnect backoff', () => {
    const options = toIoredisOptions(
      resolveConfig({ host: 'h', port: 7, database: 3, username: 'u', password: 'p', tls: true, connectTimeoutMs: 9 }),
    );
    const { retryStrategy, ...rest } = options;
    expect(rest).toStrictEqual({
      username: 'u',
      password: 'p',
      tls: {},
      connectTimeout: 9,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      enableReadyCheck: true,
      keyPrefix: '',
      host: 'h',
      port: 7,
      db: 3,
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    expect([0, 1, 2, 5, 6, 7, 100].map((attempt) => retryStrategy?.(attempt))).toEqual([
      50, 100, 200, 1_600, 2_000, 2_000, 2_000,
    ]);
  });

  test('cluster: the same per-node settings, redirects followed, CLUSTERDOWN and failover not retried', () => {
    const config = resolveClusterConfig(['redis://u:p@a:1'], { connectTimeoutMs: 5_000 });
    const { clusterRetryStrategy, redisOptions, ...rest } = toIoredisClusterOptions(config);
    expect(rest).toStrictEqual({
      lazyConnect: true,
      enableOfflineQueue: false,
      enableReadyCheck: true,
      maxRedirections: 16,
      retryDelayOnMoved: 0,
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: 2_000,
    });
    expect(redisOptions).toStrictEqual({
      username: 'u',
      password: 'p',
      tls: undefined,
      connectTimeout: 5_000,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      enableReadyCheck: true,
      keyPrefix: '',
    });
    expect([0, 3, 10].map((attempt) => clusterRetryStrategy?.(attempt, new Error('down')))).toEqual([50, 400, 2_000]);
    // A short connect timeout also bounds the slot-map refresh.
    const quick = resolveClusterConfig(['redis://a:1'], { connectTimeoutMs: 300 });
    expect(toIoredisClusterOptions(quick).slotsRefreshTimeout).toBe(300);
  });
});
