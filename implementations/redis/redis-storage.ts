/**
 * RedisStorage: the SaStorage contract on one Redis server (or a proxy in front of one) or on a
 * Redis Cluster, over ioredis.
 *
 * Wire-compatible with sa-token-rust's RedisStorage: the Redis key is `keyPrefix + key`, values
 * are plain strings and TTLs are Redis TTLs, so Rust and Node services can share one database.
 * The storage prefixes keys itself; ioredis's `keyPrefix` option is not used because it is not
 * applied to KEYS/SCAN patterns.
 *
 * Commands: GET · SET [PX] · UNLINK · EXISTS · PEXPIRE · PTTL · MGET (one) · EVALSHA of a script
 * that SETs every item (mset, all-or-nothing) · UNLINK (mdel, one) · EVALSHA of INCRBY + GET
 * (incr/decr: atomic, the exact 64-bit result as a string) · SCAN MATCH <glob-escaped prefix>*
 * COUNT 1000 for keys and clear (never KEYS, never FLUSHDB). A server that does not know a script
 * yet (restart, SCRIPT FLUSH, another node) answers NOSCRIPT once and gets it by EVAL. Every
 * argument is validated before anything is sent. The scripts are in lua.ts.
 *
 * On a cluster the same code runs; only the Topology differs: multi-key commands (MGET, the
 * mset script, UNLINK) are sent once per hash slot, and SCAN runs on every master.
 *
 * Speed (docs/benchmarks.md): commands a tick issues on a connection the storage owns leave
 * corked, 16 per socket write (#coalesceWrites); one periodic check bounds every reply, at no
 * cost per command (reply-watchdog.ts); keys/clear ask for the next SCAN step before handling a
 * batch (#scan).
 */
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis } from 'ioredis';
import {
  assertEntryList,
  assertKeyList,
  assertWellFormedString,
  checkKeyPrefix,
  compilePattern,
  type Entry,
  escapeGlob,
  isStorageError,
  normalizeOptionalTtl,
  normalizeRequiredTtl,
  SaStorageBase,
  StorageError,
  type Ttl,
} from '../../conformance/contract/index.js';
import {
  parseRedisUrl,
  type ResolvedClusterConfig,
  type ResolvedRedisConfig,
  resolveClusterConfig,
  resolveConfig,
  toIoredisClusterOptions,
  toIoredisOptions,
} from './config.js';
import { mapRedisError, secretVariants } from './errors.js';
import { isNoScript, type LuaScript, SET_ALL_SCRIPT, STEP_SCRIPT } from './lua.js';
import { isWatchable, ReplyWatchdog } from './reply-watchdog.js';
import { groupBySlot } from './slots.js';

/** Connection settings for `RedisStorage.fromConfig` and the builder (the fields of sa-token-rust's RedisConfig, plus TLS, ACL user and timeouts). */
export interface RedisConfig {
  /** Default `localhost`. */
  host?: string;
  /** Default 6379. */
  port?: number;
  /** ACL user name (Redis 6+); omitted: the `default` user. */
  username?: string;
  /** The password (raw here; percent-encoded in URLs). Never appears in an error message. */
  password?: string;
  /** Database index (SELECT), default 0. */
  database?: number;
  /** `true` or Node TLS options (ca, cert, key, servername, …) to connect over TLS; `rediss://` URLs set `true`. */
  tls?: boolean | ConnectionOptions;
  /** Bound on connecting, including TLS, AUTH and SELECT (default 10000 ms). */
  connectTimeoutMs?: number;
  /** Bound on every command's reply; a stalled server rejects with ConnectionError after this (default 5000 ms). */
  commandTimeoutMs?: number;
}

/** Settings a URL cannot carry, for `RedisStorage.connect(url, keyPrefix, options)`. */
export type RedisConnectOptions = Pick<RedisConfig, 'tls' | 'connectTimeoutMs' | 'commandTimeoutMs'>;

/** A Redis Cluster startup node: `{ host, port }` or a `redis://` / `rediss://` URL (credentials percent-encoded). */
export type RedisClusterNode = string | { host: string; port: number };

/**
 * Settings shared by every node connection of `RedisStorage.cluster` (they win over credentials
 * and TLS given in node URLs). There is no database index: Redis Cluster only has database 0.
 */
export type RedisClusterOptions = Pick<
  RedisConfig,
  'username' | 'password' | 'tls' | 'connectTimeoutMs' | 'commandTimeoutMs'
>;

/** For `RedisStorage.fromClient`. */
export interface RedisFromClientOptions {
  /**
   * Applied by the storage to each command when the client has no ioredis `commandTimeout`
   * of its own (default 5000 ms), so a borrowed client cannot make the storage hang either.
   */
  commandTimeoutMs?: number;
}

/** Keys per SCAN step (a hint to Redis, not a limit). */
const SCAN_COUNT = 1000;

/**
 * Commands per socket write when the storage coalesces a tick's commands (#coalesceWrites).
 * One write for the whole tick serializes the two processes (Redis idles until the last command
 * is queued, then Node until the last reply is read); flushing every 16 lets them overlap.
 * Measured with 50 calls in flight on 2 cores: incr 99k/s with one write per tick, 187-204k/s
 * per 16, 180k/s per 32; get 168k/s → 230-243k/s.
 */
const WRITE_BATCH = 16;

function preview(key: string): string {
  const shown = JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
  return key.length > 64 ? `${shown} (${key.length} chars)` : shown;
}

/** The items at the given positions. */
function pick<T>(items: readonly T[], positions: readonly number[]): T[] {
  return positions.map((position) => items[position] as T);
}

/**
 * Connects a cluster client and then every master's connection. ioredis opens node connections
 * lazily, and without an offline queue (which would send a command the caller was already told
 * had timed out once the cluster is back) it refuses commands for a node whose connection is
 * still being opened: connecting the masters up front keeps the first burst of commands from
 * failing. Later (a node restarted or replaced) only the first few milliseconds are affected.
 */
async function connectCluster(client: Cluster): Promise<void> {
  await client.connect();
  await Promise.all(
    client.nodes('master').map(async (node) => {
      if (node.status === 'wait') await node.connect();
      else if (node.status !== 'ready') await new Promise((resolve) => node.once('ready', resolve));
    }),
  );
}

/**
 * ioredis reports a cluster it could not reach only as "Failed to refresh slots cache. (last node
 * error: Connection is closed.)": the reason (a certificate ioredis refused, a TLS/plain mix-up)
 * died with the helper connection it used. When time is left within connectTimeoutMs, one direct
 * connection to the first startup node with the same settings says why.
 */
async function explainClusterFailure(
  error: unknown,
  config: ResolvedClusterConfig,
  timeLeftMs: number,
  secrets: readonly string[],
): Promise<unknown> {
  const first = config.nodes[0];
  if (!isStorageError(error) || error.kind !== 'ConnectionError' || first === undefined || timeLeftMs < 50)
    return error;
  if (!/Failed to refresh slots cache|None of startup nodes|Connection is closed/.test(error.message)) return error;
  const probe = new Redis(
    toIoredisOptions({ ...config, host: first.host, port: first.port, database: 0, connectTimeoutMs: timeLeftMs }),
  );
  probe.on('error', () => {});
  const context = `connecting to ${first.host}:${first.port} directly`;
  try {
    await connectWithin(probe, context, timeLeftMs, secrets);
    probe.disconnect();
    return error; // the node answers on its own: nothing more to say
  } catch (probeError) {
    const reason = isStorageError(probeError) ? probeError.message : String(probeError);
    return new StorageError('ConnectionError', `${error.message}; ${reason}`, { cause: error.cause });
  }
}

/** Waits until the client is ready (handshake, AUTH, SELECT, cluster slot map included), at most `timeoutMs`. */
function connectWithin(
  client: Redis | Cluster,
  context: string,
  timeoutMs: number,
  secrets: readonly string[],
  connect: () => Promise<void> = () => client.connect(),
) {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('error', finish);
      if (error === undefined) return resolve();
      client.disconnect(); // also stops ioredis's reconnect loop
      reject(mapRedisError(error, context, secrets, 'ConnectionError'));
    };
    const timer = setTimeout(
      () => finish(new Error(`no ready connection within ${timeoutMs} ms (connectTimeoutMs)`)),
      timeoutMs,
    );
    // Any error before "ready" fails the connect: a refused socket, bad credentials, and also a
    // failed SELECT, which ioredis only reports as an event before going on with database 0.
    client.on('error', finish);
    connect().then(() => finish(), finish);
  });
}

/**
 * What differs between one server and a cluster. Everything else (validation, commands,
 * timeouts, error mapping) is the same code for both.
 */
interface Topology {
  /**
   * Positions of `redisKeys` in groups that one multi-key command or MULTI/EXEC may take:
   * everything at once on one server, one group per hash slot on a cluster.
   */
  group(redisKeys: readonly string[]): number[][];
  /** The servers whose keyspaces together hold every key: SCAN walks each of them. */
  scanTargets(): Redis[];
  /** The sockets a command may be written to (the server's, or every master's), for #coalesceWrites. */
  sockets(): Socket[];
  /** Every connection that may have commands waiting for a reply, for the reply watchdog. */
  connections(): Redis[];
}

/** The part of a (TLS) socket #coalesceWrites uses. */
type Socket = Pick<Redis['stream'], 'cork' | 'uncork'>;

function standaloneTopology(client: Redis): Topology {
  return {
    group: (redisKeys) => [redisKeys.map((_, index) => index)],
    scanTargets: () => [client],
    sockets: () => (client.stream ? [client.stream] : []),
    connections: () => [client],
  };
}

function clusterTopology(client: Cluster): Topology {
  return {
    group: groupBySlot,
    scanTargets: () => {
      const masters = client.nodes('master');
      if (masters.length === 0) throw new StorageError('ConnectionError', 'no Redis Cluster master is connected');
      return masters;
    },
    sockets: () => client.nodes('master').flatMap((node) => (node.stream ? [node.stream] : [])),
    connections: () => client.nodes('all'),
  };
}

/** The client methods RedisStorage sends commands with (the keys of boundedCommands). */
const STORAGE_COMMANDS = new Set([
  'get',
  'set',
  'unlink',
  'exists',
  'pexpire',
  'pttl',
  'mget',
  'evalsha',
  'eval',
  'scan',
]);

/** The part of ioredis's offline queue (a denque) boundedCommands uses. */
interface OfflineQueue {
  readonly length: number;
  peekBack(): { command: unknown } | undefined;
  toArray(): { command: unknown }[];
  removeOne(index: number): unknown;
}

/**
 * A view of a borrowed client whose storage commands each reject with "Command timed out" after
 * `timeoutMs` (a ConnectionError for the caller), wherever they wait: in the reply queue (a
 * stalled server) or in the offline queue (the client is reconnecting, with any
 * maxRetriesPerRequest). A command timed out while still in the offline queue is taken out of
 * it, so it is never sent later: a write the caller was told failed does not land on reconnect.
 * The owner's own commands on the same client are not touched.
 */
function boundedCommands(client: Redis, timeoutMs: number): Redis {
  const offlineQueue = () => (client as unknown as { offlineQueue?: OfflineQueue }).offlineQueue;
  return new Proxy(client, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof name !== 'string' || !STORAGE_COMMANDS.has(name) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const queue = offlineQueue();
        const before = queue?.peekBack();
        const reply = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const after = queue?.peekBack();
        // Queued offline by this very call (sendCommand queues synchronously): ours.
        const offline = after !== undefined && after !== before ? after.command : undefined;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            const error = new Error(`Command timed out (no reply within ${timeoutMs} ms)`);
            if (offline !== undefined && queue !== undefined) {
              const index = queue.toArray().findIndex((item) => item.command === offline);
              if (index >= 0) {
                queue.removeOne(index);
                (offline as { reject?: (error: Error) => void }).reject?.(error); // settles it: nothing waits on it
              }
            }
            reject(error);
          }, timeoutMs);
          reply.then(
            (answer) => {
              clearTimeout(timer);
              resolve(answer);
            },
            (error: unknown) => {
              clearTimeout(timer);
              reject(error);
            },
          );
        });
      };
    },
  });
}

/** Reply conversions for #run (module functions: no closure per call). */
function toVoid(): void {}
function isPositive(count: number): boolean {
  return count > 0;
}
/** PTTL: -2 missing, -1 persistent → null. */
function remainingMs(ms: number): number | null {
  return ms < 0 ? null : ms;
}

function closedError(): StorageError {
  return new StorageError('ConnectionError', 'RedisStorage is closed');
}

function isStandaloneClient(client: unknown): client is Redis {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  return (
    typeof c.scan === 'function' &&
    typeof c.multi === 'function' &&
    typeof c.get === 'function' &&
    typeof c.options === 'object' &&
    c.options !== null &&
    c.isCluster !== true
  );
}

/**
 * The SaStorage contract on one Redis server or a Redis Cluster, over ioredis (an optional peer
 * dependency). Make one with `connect(url, prefix)`, `fromConfig`, `builder()`, `fromClient` or
 * `cluster`; every factory rejects (never throws) with a StorageError. The Redis key is prefix + key.
 */
export class RedisStorage extends SaStorageBase {
  readonly #client: Redis | Cluster;
  readonly #topology: Topology;
  readonly #prefix: string;
  /** SCAN MATCH pattern for this storage's keys; undefined when the prefix is empty (scan everything). */
  readonly #match: string | undefined;
  readonly #owned: boolean;
  readonly #secrets: readonly string[];
  /**
   * Rejects commands left without a reply for commandTimeoutMs on the connections the storage
   * owns; undefined for a borrowed client (bounded per command, or by its own ioredis `commandTimeout`).
   */
  readonly #watchdog: ReplyWatchdog | undefined;
  /** Operations started in this tick (#coalesceWrites), reset on process.nextTick. */
  #commandsThisTick = 0;
  /** The sockets corked in this tick, uncorked by #endTick. */
  #corked: Socket[] | undefined;
  #closed = false;

  private constructor(
    client: Redis | Cluster,
    prefix: string,
    owned: boolean,
    secrets: readonly string[],
    timeoutMs: number | undefined,
  ) {
    super();
    // A borrowed client's connection also carries its owner's commands (a BLPOP may rightly wait
    // for seconds), and its offline queue holds commands while it reconnects: the queue watchdog
    // would judge the owner's commands and never see the offline ones. There, each command the
    // storage sends is bounded on its own (boundedCommands).
    const bounded = !owned && timeoutMs !== undefined && !(client instanceof Cluster);
    this.#client = bounded ? boundedCommands(client, timeoutMs) : client;
    this.#topology = client instanceof Cluster ? clusterTopology(client) : standaloneTopology(this.#client as Redis);
    this.#prefix = prefix;
    this.#match = prefix === '' ? undefined : `${escapeGlob(prefix)}*`;
    this.#owned = owned;
    this.#secrets = secrets;
    const topology = this.#topology;
    // The watchdog reads ioredis internals (commandQueue); a client without them (an
    // ioredis-compatible mock) is left to the per-command bound or its own timeout.
    const watchable = client instanceof Cluster || isWatchable(client);
    this.#watchdog =
      timeoutMs === undefined || bounded || !watchable
        ? undefined
        : new ReplyWatchdog(timeoutMs, () => topology.connections());
    this.#watchdog?.start();
  }

  /** Connects with a `redis://` or `rediss://` URL (`redis://[user]:[password]@host:port/db`, credentials percent-encoded). */
  static async connect(url: string, keyPrefix = '', options: RedisConnectOptions = {}): Promise<RedisStorage> {
    const prefix = checkKeyPrefix(keyPrefix);
    return RedisStorage.#open(resolveConfig(parseRedisUrl(url), options), prefix);
  }

  /** Connects with a config object (sa-token-rust's `RedisStorage::from_config`). */
  static async fromConfig(config: RedisConfig, keyPrefix = ''): Promise<RedisStorage> {
    const prefix = checkKeyPrefix(keyPrefix);
    return RedisStorage.#open(resolveConfig(config), prefix);
  }

  /** `RedisStorage.builder().host(…).port(…).password(…).keyPrefix(…).build()`. */
  static builder(): RedisStorageBuilder {
    return new RedisStorageBuilder();
  }

  /**
   * Connects to a Redis Cluster through ioredis's `Cluster`, given one or more startup nodes
   * (the others are discovered). What a cluster changes:
   * - `mget`, `mdel` and `clear`'s UNLINKs are sent once per hash slot, answers put back in order;
   * - `mset` is one MULTI/EXEC per hash slot: all or nothing within a slot, NOT across slots. With a
   *   hash-tagged prefix such as `{app}:` every key lands in one slot and `mset` is fully atomic;
   * - `keys` and `clear` SCAN every master;
   * - every command is also bounded by the storage itself (`commandTimeoutMs`), MOVED/ASK
   *   redirections included; a cluster that cannot serve (CLUSTERDOWN, lost node) rejects with
   *   ConnectionError.
   *
   * Known limit of the bound: ioredis gives every node connection an offline queue (forced on in
   * its ConnectionPool). A command redirected (MOVED/ASK/TRYAGAIN) to a node whose connection is
   * still being opened (a node the client had not connected to yet, or one reconnecting) waits in
   * that node's offline queue, which the reply watchdog does not read: it is bounded only once
   * it is written (then by the watchdog), or by ioredis failing the connection (connectTimeout),
   * and a command the watchdog rejected while it sat in the node's reply queue cannot be in an
   * offline queue, but one waiting in an offline queue may be sent when the node connects.
   * Between redirection and connection, "rejected after commandTimeoutMs" and "never sent after
   * rejection" therefore do not hold; everywhere else (every known master, connected) they do.
   */
  static async cluster(
    nodes: readonly RedisClusterNode[],
    keyPrefix = '',
    options: RedisClusterOptions = {},
  ): Promise<RedisStorage> {
    const prefix = checkKeyPrefix(keyPrefix);
    const config = resolveClusterConfig(nodes, options);
    const secrets = secretVariants(config.password, config.username);
    let client: Cluster;
    try {
      client = new Cluster(
        config.nodes.map(({ host, port }) => ({ host, port })),
        toIoredisClusterOptions(config),
      );
    } catch (error) {
      throw mapRedisError(error, 'cannot create the Redis Cluster client', secrets, 'OperationFailed');
    }
    client.on('error', () => {}); // as in #open: failures reach callers as rejected commands
    const where = config.nodes.map(({ host, port }) => `${host}:${port}`).join(', ');
    const deadline = Date.now() + config.connectTimeoutMs;
    try {
      await connectWithin(client, `cannot connect to Redis Cluster at ${where}`, config.connectTimeoutMs, secrets, () =>
        connectCluster(client),
      );
    } catch (error) {
      throw await explainClusterFailure(error, config, deadline - Date.now(), secrets);
    }
    return new RedisStorage(client, prefix, true, secrets, config.commandTimeoutMs);
  }

  /**
   * Wraps an existing standalone ioredis client (not a Cluster, and without ioredis `keyPrefix`).
   * The storage borrows the client: `close()` leaves it connected, because its owner may still
   * use it; the owner quits it. Its retry/queue/timeout settings stay the owner's; when it has no
   * `commandTimeout`, the storage bounds each of ITS OWN commands with `options.commandTimeoutMs`,
   * also while the client is reconnecting (a command timed out in the offline queue is removed
   * from it, never sent later). The owner's commands (a long BLPOP) are never touched.
   */
  static async fromClient(client: Redis, keyPrefix = '', options: RedisFromClientOptions = {}): Promise<RedisStorage> {
    const prefix = checkKeyPrefix(keyPrefix);
    if (!isStandaloneClient(client)) {
      throw new StorageError(
        'OperationFailed',
        'fromClient expects a standalone ioredis client; for Redis Cluster use RedisStorage.cluster(nodes, keyPrefix, options)',
      );
    }
    if (client.options.keyPrefix) {
      throw new StorageError(
        'OperationFailed',
        'the ioredis client has a keyPrefix option; pass the prefix as RedisStorage keyPrefix instead (ioredis does not apply it to SCAN patterns)',
      );
    }
    const ownTimeout = client.options.commandTimeout;
    const timeoutMs =
      typeof ownTimeout === 'number' && ownTimeout > 0
        ? undefined
        : resolveConfig({}, { commandTimeoutMs: options?.commandTimeoutMs }).commandTimeoutMs;
    return new RedisStorage(
      client,
      prefix,
      false,
      secretVariants(client.options.password, client.options.username),
      timeoutMs,
    );
  }

  static async #open(config: ResolvedRedisConfig, prefix: string): Promise<RedisStorage> {
    const secrets = secretVariants(config.password, config.username);
    let client: Redis;
    try {
      client = new Redis(toIoredisOptions(config));
    } catch (error) {
      throw mapRedisError(error, 'cannot create the Redis client', secrets, 'OperationFailed');
    }
    // Failures reach callers as rejected commands; this listener only keeps ioredis from
    // printing every reconnect attempt as an "unhandled error event".
    client.on('error', () => {});
    await connectWithin(
      client,
      `cannot connect to Redis at ${config.host}:${config.port}`,
      config.connectTimeoutMs,
      secrets,
    );
    return new RedisStorage(client, prefix, true, secrets, config.commandTimeoutMs);
  }

  /** The prefix put in front of every key in Redis. */
  get keyPrefix(): string {
    return this.#prefix;
  }

  /**
   * Ends the connection the storage opened (QUIT, then drops the socket even if the server does
   * not answer). A borrowed client (`fromClient`) is left as it is. Afterwards every method
   * rejects with ConnectionError. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) {
      try {
        await this.#client.quit(); // bounded by the watchdog, which is stopped only after it
      } catch {
        // Server gone or stalled: nothing to say goodbye to.
      }
      this.#client.disconnect();
    }
    this.#watchdog?.stop();
  }

  // The single-key methods are plain functions returning #run's promise (not async functions):
  // one promise per call on the hot path. Validation failures become rejections, never throws.

  get(key: string): Promise<string | null> {
    return this.#keyed('GET', key, (redisKey) => this.#client.get(redisKey));
  }

  set(key: string, value: string, ttl?: Ttl): Promise<void> {
    let ttlMs: number | null;
    try {
      assertWellFormedString(key, 'key');
      assertWellFormedString(value, 'value');
      ttlMs = normalizeOptionalTtl(ttl);
    } catch (error) {
      return Promise.reject(error);
    }
    const redisKey = this.#prefix + key;
    return this.#run(
      'SET',
      key,
      () => (ttlMs === null ? this.#client.set(redisKey, value) : this.#client.set(redisKey, value, 'PX', ttlMs)),
      toVoid,
    );
  }

  delete(key: string): Promise<void> {
    return this.#keyed('UNLINK', key, (redisKey) => this.#client.unlink(redisKey), toVoid);
  }

  exists(key: string): Promise<boolean> {
    return this.#keyed('EXISTS', key, (redisKey) => this.#client.exists(redisKey), isPositive);
  }

  expire(key: string, ttl: number): Promise<void> {
    let ttlMs: number;
    try {
      assertWellFormedString(key, 'key');
      ttlMs = normalizeRequiredTtl(ttl);
    } catch (error) {
      return Promise.reject(error);
    }
    // PEXPIRE on a missing (or expired) key answers 0 and creates nothing.
    return this.#run('PEXPIRE', key, () => this.#client.pexpire(this.#prefix + key, ttlMs), toVoid);
  }

  ttl(key: string): Promise<number | null> {
    return this.#keyed('PTTL', key, (redisKey) => this.#client.pttl(redisKey), remainingMs);
  }

  async clear(): Promise<void> {
    await this.#run('SCAN/UNLINK', undefined, () =>
      this.#scan(async (batch) => {
        // SCAN may return a key twice; UNLINK takes duplicates as they are.
        await Promise.all(this.#topology.group(batch).map((group) => this.#client.unlink(pick(batch, group))));
      }),
    );
  }

  override async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    if (keys.length === 0) return [];
    const redisKeys = keys.map((key) => this.#prefix + key);
    const groups = this.#topology.group(redisKeys);
    if (groups.length === 1) return this.#run('MGET', undefined, () => this.#client.mget(redisKeys));
    return this.#run('MGET', undefined, async () => {
      const values: (string | null)[] = new Array(redisKeys.length).fill(null);
      await Promise.all(
        groups.map(async (group) => {
          const answers = await this.#client.mget(pick(redisKeys, group));
          group.forEach((position, i) => {
            values[position] = answers[i] ?? null;
          });
        }),
      );
      return values;
    });
  }

  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    const ttlMs = normalizeOptionalTtl(ttl);
    if (items.length === 0) return;
    const redisKeys = items.map(([key]) => this.#prefix + key);
    const values = items.map(([, value]) => value);
    const ttlArg = ttlMs === null ? '' : ttlMs;
    // One atomic script per group (per hash slot on a cluster).
    await this.#run('mset script', undefined, () =>
      Promise.all(
        this.#topology
          .group(redisKeys)
          .map((group) => this.#eval(SET_ALL_SCRIPT, pick(redisKeys, group), [...pick(values, group), ttlArg])),
      ),
    );
  }

  override async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    if (keys.length === 0) return;
    const redisKeys = keys.map((key) => this.#prefix + key);
    await this.#run('UNLINK', undefined, () =>
      Promise.all(this.#topology.group(redisKeys).map((group) => this.#client.unlink(pick(redisKeys, group)))),
    );
  }

  override async incr(key: string): Promise<number> {
    return this.#step(key, 1);
  }

  override async decr(key: string): Promise<number> {
    return this.#step(key, -1);
  }

  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    // Redis matches against the stored key; the contract's matcher (empty-key rule included)
    // decides on the logical key, so SCAN only selects this storage's keys.
    const matches = compilePattern(pattern);
    const found = new Set<string>();
    const prefix = this.#prefix;
    await this.#run('SCAN', undefined, () =>
      this.#scan((batch) => {
        for (const stored of batch) {
          if (!stored.startsWith(prefix)) continue;
          const key = stored.slice(prefix.length);
          if (matches(key)) found.add(key); // SCAN may return a key twice
        }
      }),
    );
    return [...found];
  }

  /** incr/decr: one EVALSHA of STEP_SCRIPT (INCRBY + GET, the exact result as a decimal string). */
  async #step(key: string, delta: 1 | -1): Promise<number> {
    const stored = await this.#keyed(delta > 0 ? 'INCRBY' : 'DECRBY', key, (redisKey) =>
      this.#eval(STEP_SCRIPT, [redisKey], [delta]),
    );
    if (typeof stored !== 'string') {
      throw new StorageError('InternalError', `counter ${preview(key)} vanished inside its own script`);
    }
    return Number(stored);
  }

  /** EVALSHA of a script; a server that answers NOSCRIPT (never loaded, restarted, flushed) gets EVAL, which loads it. */
  #eval(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return this.#client
      .evalsha(script.sha1, keys.length, ...keys, ...args)
      .catch((error: unknown) =>
        isNoScript(error) ? this.#client.eval(script.source, keys.length, ...keys, ...args) : Promise.reject(error),
      );
  }

  /**
   * Walks SCAN over this storage's keys (MATCH <escaped prefix>*, or everything for an empty
   * prefix) on every server that holds keys: the one server, or each cluster master in parallel.
   * The next SCAN step is sent before a batch is handled, so Redis works on it while Node does
   * (SCAN's guarantees do not depend on when the next step is asked for).
   */
  async #scan(onBatch: (storedKeys: string[]) => unknown): Promise<void> {
    const match = this.#match;
    await Promise.all(
      this.#topology.scanTargets().map(async (server) => {
        const step = (cursor: string) =>
          match === undefined
            ? server.scan(cursor, 'COUNT', SCAN_COUNT)
            : server.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
        let pending = step('0');
        for (;;) {
          const [next, batch] = await pending;
          const cursor = String(next);
          if (cursor !== '0') {
            pending = step(cursor);
            pending.catch(() => {}); // awaited on the next turn; not "unhandled" if onBatch throws first
          }
          if (batch.length > 0) await onBatch(batch);
          if (cursor === '0') return;
        }
      }),
    );
  }

  /**
   * Runs one storage operation: the closed check, then its commands (`send`; their replies are
   * bounded by the watchdog), the answer converted by `reply`, and every failure mapped to a
   * StorageError in one place. One `then` on the command's promise: it sits on the hot path.
   */
  #run<T, R = T>(
    command: string,
    key: string | undefined,
    send: () => Promise<T>,
    reply?: (value: T) => R,
  ): Promise<R> {
    if (this.#closed) return Promise.reject(closedError());
    try {
      this.#coalesceWrites();
      const sent = send();
      return sent.then(reply, (error: unknown) => Promise.reject(this.#mapError(error, command, key))) as Promise<R>;
    } catch (error) {
      return Promise.reject(this.#mapError(error, command, key)); // a client that throws instead of rejecting
    }
  }

  /** #run for a command on one key: a key that is not a well-formed string rejects before anything is sent. */
  #keyed<T, R = T>(
    command: string,
    key: string,
    send: (redisKey: string) => Promise<T>,
    reply?: (value: T) => R,
  ): Promise<R> {
    try {
      assertWellFormedString(key, 'key');
    } catch (error) {
      return Promise.reject(error);
    }
    const redisKey = this.#prefix + key;
    return this.#run(command, key, () => send(redisKey), reply);
  }

  #mapError(error: unknown, command: string, key: string | undefined): StorageError {
    const what = key === undefined ? `Redis ${command}` : `Redis ${command} of key ${preview(key)}`;
    return mapRedisError(error, `${what} failed`, this.#secrets);
  }

  /**
   * Coalesces the commands the application issues in one synchronous run (and the promise
   * reactions that follow it) into a few socket writes instead of one syscall each — what
   * node-redis does always. The first command of a tick is written at once (a lone call pays
   * nothing); from the second on the sockets are corked until process.nextTick, and flushed every
   * WRITE_BATCH commands so Redis starts on them while the rest is queued. (ioredis's own
   * autopipelining waits for setImmediate and builds a pipeline object; it measured slower than
   * this in every row of the benchmark, so the storage does not use it.)
   */
  #coalesceWrites(): void {
    if (!this.#owned) return; // a borrowed client's socket is its owner's business
    const before = this.#commandsThisTick++;
    if (before === 0) {
      process.nextTick(this.#endTick);
    } else if (before === 1) {
      const sockets = this.#topology.sockets();
      for (const socket of sockets) socket.cork();
      this.#corked = sockets;
    } else if ((before - 1) % WRITE_BATCH === 0) {
      for (const socket of this.#corked ?? []) {
        socket.uncork();
        socket.cork();
      }
    }
  }

  readonly #endTick = () => {
    const sockets = this.#corked ?? [];
    this.#corked = undefined;
    this.#commandsThisTick = 0;
    for (const socket of sockets) socket.uncork();
  };
}

/**
 * Builder in the style of sa-token-rust's RedisStorageBuilder. Setters only record values;
 * `build()` validates them and connects, and rejects (never throws) with a StorageError.
 */
export class RedisStorageBuilder {
  readonly #config: RedisConfig = {};
  #keyPrefix = '';

  /** Server host name or address (default `localhost`). */
  host(host: string): this {
    this.#config.host = host;
    return this;
  }

  /** Server port (default 6379). */
  port(port: number): this {
    this.#config.port = port;
    return this;
  }

  /** ACL user name (Redis 6+); omitted: the `default` user. */
  username(username: string): this {
    this.#config.username = username;
    return this;
  }

  /** The password (raw, not percent-encoded); never appears in an error message. */
  password(password: string): this {
    this.#config.password = password;
    return this;
  }

  /** Database index (SELECT), default 0. */
  database(database: number): this {
    this.#config.database = database;
    return this;
  }

  /** Default: empty (no prefix), as in sa-token-rust's builder. */
  keyPrefix(keyPrefix: string): this {
    this.#keyPrefix = keyPrefix;
    return this;
  }

  /** `true` or Node TLS options (ca, cert, key, servername, …): connect over TLS, verifying the server. */
  tls(tls: boolean | ConnectionOptions): this {
    this.#config.tls = tls;
    return this;
  }

  /** Milliseconds (see RedisConfig.connectTimeoutMs). */
  connectTimeout(ms: number): this {
    this.#config.connectTimeoutMs = ms;
    return this;
  }

  /** Milliseconds (see RedisConfig.commandTimeoutMs). */
  commandTimeout(ms: number): this {
    this.#config.commandTimeoutMs = ms;
    return this;
  }

  /** Validates the settings and connects; rejects with `OperationFailed` (bad setting) or `ConnectionError`. */
  build(): Promise<RedisStorage> {
    return RedisStorage.fromConfig({ ...this.#config }, this.#keyPrefix);
  }
}
