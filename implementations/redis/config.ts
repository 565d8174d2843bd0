/**
 * Redis connection settings: URL parsing, validation and the ioredis options they become.
 *
 * Error messages never echo the URL or the password (a mistyped URL often has the password
 * in the wrong place, so nothing taken from an unparsed URL is ever shown), and no error
 * keeps the WHATWG `TypeError` as cause, because that error carries the whole URL as `input`.
 */
import type { ConnectionOptions } from 'node:tls';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { StorageError } from '../../conformance/contract/index.js';
import { sanitizeCause } from './errors.js';
import type { RedisClusterOptions, RedisConfig, RedisConnectOptions } from './redis-storage.js';

export const DEFAULT_HOST = 'localhost';
export const DEFAULT_PORT = 6379;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
/** setTimeout's upper bound; larger timeouts would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const MAX_DATABASE = 2 ** 31 - 1;

/** A validated config with every default filled in. */
export interface ResolvedRedisConfig {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly database: number;
  readonly tls: ConnectionOptions | undefined;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

function invalid(message: string, cause?: unknown): StorageError {
  return new StorageError('OperationFailed', message, cause === undefined ? undefined : { cause });
}

const URL_HINT =
  'percent-encode reserved characters of the user name and password (@ → %40, : → %3A, / → %2F, % → %25, # → %23, ? → %3F)';

function decodeCredential(encoded: string, role: 'user name' | 'password'): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw invalid(`invalid Redis URL: malformed percent-encoding in the ${role}; ${URL_HINT}`);
  }
}

/**
 * Parses `redis://[[user]:password@]host[:port][/database]` (or `rediss://` for TLS) into a
 * config. User name and password are percent-decoded. Query strings and fragments are
 * rejected, since they almost always mean an unencoded `?` or `#` in the password.
 */
export function parseRedisUrl(url: unknown): RedisConfig {
  if (typeof url !== 'string') throw invalid('invalid Redis URL: expected a string');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw invalid(`invalid Redis URL: it does not parse as a URL; ${URL_HINT}`, sanitizeCause(error, [url]));
  }
  const scheme = parsed.protocol.toLowerCase();
  if (scheme !== 'redis:' && scheme !== 'rediss:') {
    throw invalid('invalid Redis URL: it must start with redis:// or rediss://');
  }
  if (parsed.hash !== '' || url.includes('#')) {
    throw invalid(`invalid Redis URL: it contains '#' (a fragment); ${URL_HINT}`);
  }
  if (parsed.search !== '' || url.includes('?')) {
    throw invalid(`invalid Redis URL: query parameters are not supported; ${URL_HINT}`);
  }
  const config: RedisConfig = {};
  let host = parsed.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host !== '') config.host = host;
  if (parsed.port !== '') config.port = Number(parsed.port);
  if (parsed.username !== '') config.username = decodeCredential(parsed.username, 'user name');
  if (parsed.password !== '') config.password = decodeCredential(parsed.password, 'password');
  const path = parsed.pathname;
  if (path !== '' && path !== '/') {
    const match = /^\/(\d{1,10})\/?$/.exec(path);
    if (match === null) {
      throw invalid(`invalid Redis URL: the path must be a database index such as /3; ${URL_HINT}`);
    }
    config.database = Number(match[1]);
  }
  if (scheme === 'rediss:') config.tls = true;
  return config;
}

function timeout(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw invalid(`invalid Redis config: ${name} must be a number of milliseconds in (0, ${MAX_TIMEOUT_MS}]`);
  }
  return Math.ceil(value);
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`invalid Redis config: ${name} must be a string`);
  return value;
}

/** Validates a config (from the caller, a URL or the builder) and fills in the defaults. */
export function resolveConfig(config: unknown, overrides: RedisConnectOptions = {}): ResolvedRedisConfig {
  if (typeof config !== 'object' || config === null) throw invalid('invalid Redis config: expected an object');
  if (typeof overrides !== 'object' || overrides === null) {
    throw invalid('invalid Redis connect options: expected an object');
  }
  assertNoTlsDowngrade((config as RedisConfig).tls, overrides.tls);
  const c = { ...(config as RedisConfig), ...definedOnly(overrides) };
  const host = c.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || host.trim() === '') {
    throw invalid('invalid Redis config: host must be a non-empty string');
  }
  const port = c.port ?? DEFAULT_PORT;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalid('invalid Redis config: port must be an integer in 1..65535');
  }
  const database = c.database ?? 0;
  if (typeof database !== 'number' || !Number.isInteger(database) || database < 0 || database > MAX_DATABASE) {
    throw invalid('invalid Redis config: database must be a non-negative integer');
  }
  const tls = c.tls;
  if (tls !== undefined && tls !== null && typeof tls !== 'boolean' && typeof tls !== 'object') {
    throw invalid('invalid Redis config: tls must be a boolean or Node TLS connection options');
  }
  return {
    host,
    port,
    username: optionalString(c.username, 'username'),
    password: optionalString(c.password, 'password'),
    database,
    tls: tls === true ? {} : tls === false || tls === null || tls === undefined ? undefined : tls,
    connectTimeoutMs: timeout(c.connectTimeoutMs, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
    commandTimeoutMs: timeout(c.commandTimeoutMs, 'commandTimeoutMs', DEFAULT_COMMAND_TIMEOUT_MS),
  };
}

/**
 * A `rediss://` URL asks for TLS; an option must never turn it off silently (that would send
 * AUTH and data in plain text to whoever answers). Stronger TLS options ({ ca, … }) are fine.
 * The message names the conflict only: nothing from the URL, so never its password.
 */
function assertNoTlsDowngrade(fromUrl: unknown, option: unknown): void {
  if (fromUrl === true && (option === false || option === null)) {
    throw invalid(
      `invalid Redis config: the URL is rediss:// (TLS) but the options say tls: ${String(option)}; a rediss:// URL cannot be downgraded to plain text: remove the tls option or use a redis:// URL`,
    );
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A validated cluster config: the startup nodes plus the settings every node connection shares. */
export interface ResolvedClusterConfig {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: ConnectionOptions | undefined;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

const SHARED_NODE_FIELDS = ['username', 'password', 'tls'] as const;

/**
 * Validates `RedisStorage.cluster(nodes, …, options)`. Each node is `{ host, port }` or a
 * `redis://` / `rediss://` URL (validated like `connect`'s). Credentials and TLS may come from
 * the URLs or from `options` (which win); URLs that carry them must agree, since one set of
 * settings is used for every node the cluster reports. A database index other than 0 is
 * refused: Redis Cluster only has database 0.
 */
export function resolveClusterConfig(nodes: unknown, options: unknown = {}): ResolvedClusterConfig {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw invalid('invalid Redis Cluster nodes: expected a non-empty array of { host, port } or redis:// URLs');
  }
  if (typeof options !== 'object' || options === null) {
    throw invalid('invalid Redis Cluster options: expected an object');
  }
  const fromUrls: Partial<Record<(typeof SHARED_NODE_FIELDS)[number], unknown>> = {};
  const resolvedNodes = nodes.map((node: unknown, index) => {
    let config: RedisConfig;
    if (typeof node === 'string') {
      config = parseRedisUrl(node);
      if (config.database !== undefined && config.database !== 0) {
        throw invalid(`invalid Redis Cluster node #${index + 1}: Redis Cluster only has database 0`);
      }
      for (const field of SHARED_NODE_FIELDS) {
        // A redis:// URL says "no TLS" as clearly as rediss:// says "TLS".
        const value = field === 'tls' ? config.tls === true : config[field];
        if (value === undefined) continue;
        if (field in fromUrls && fromUrls[field] !== value) {
          throw invalid(
            `invalid Redis Cluster nodes: the URLs disagree on the ${field === 'tls' ? 'scheme (redis/rediss)' : field}; pass it once in the options instead`,
          );
        }
        fromUrls[field] = value;
      }
    } else if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      const { host, port } = node as { host?: unknown; port?: unknown };
      config = { host: host as string, port: port as number };
    } else {
      throw invalid(`invalid Redis Cluster node #${index + 1}: expected { host, port } or a redis:// URL`);
    }
    const { host, port } = resolveConfig({ host: config.host, port: config.port });
    return { host, port };
  });
  const database = (options as { database?: unknown }).database;
  if (database !== undefined && database !== null && database !== 0) {
    throw invalid('invalid Redis Cluster options: Redis Cluster only has database 0');
  }
  assertNoTlsDowngrade(fromUrls.tls, (options as RedisClusterOptions).tls);
  const shared = resolveConfig({ ...fromUrls, ...definedOnly(options as RedisClusterOptions) });
  return {
    nodes: resolvedNodes,
    username: shared.username,
    password: shared.password,
    tls: shared.tls,
    connectTimeoutMs: shared.connectTimeoutMs,
    commandTimeoutMs: shared.commandTimeoutMs,
  };
}

/** Reconnect delays: quick at first, capped at 2 s. */
const retryDelay = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000);

/** What every connection the storage owns shares, standalone or cluster node (see toIoredisOptions). */
function connectionOptions(config: ResolvedRedisConfig | ResolvedClusterConfig) {
  return {
    username: config.username,
    password: config.password,
    tls: config.tls,
    connectTimeout: config.connectTimeoutMs,
    // No ioredis commandTimeout (a timer per command): the storage bounds every reply itself
    // with one periodic check of its connections (reply-watchdog.ts).
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true,
    keyPrefix: '', // the storage prefixes keys itself (ioredis's keyPrefix skips SCAN patterns)
  } satisfies RedisOptions;
}

/**
 * The ioredis options for a client this storage owns. Nothing can wait forever:
 * - `connectTimeout` bounds the TCP/TLS connect (the storage bounds the whole handshake itself);
 * - no ioredis `commandTimeout`: the storage rejects any command that gets no reply within
 *   commandTimeoutMs itself (a stalled server), with one periodic check (reply-watchdog.ts);
 * - no offline queue: while the connection is down, commands fail at once instead of waiting;
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command that got no
 *   reply before the connection dropped is rejected, never re-sent by the reconnect, so a write
 *   the caller was told failed does not land later (ioredis's defaults would re-send it);
 * - the client keeps reconnecting in the background (capped backoff), so the storage heals
 *   when the server comes back.
 */
export function toIoredisOptions(config: ResolvedRedisConfig): RedisOptions {
  return {
    ...connectionOptions(config),
    host: config.host,
    port: config.port,
    db: config.database,
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: retryDelay,
  };
}

/**
 * The ioredis Cluster options, on the same principles as toIoredisOptions:
 * - every node connection gets the shared settings (credentials, TLS, timeouts, no re-send);
 * - no cluster-level offline queue: while the cluster is (re)connecting, commands fail at once;
 * - MOVED and ASK are followed by ioredis (at most 16 redirections); TRYAGAIN (a multi-key
 *   command during a slot migration; nothing was executed) is retried every 100 ms within that
 *   budget; CLUSTERDOWN is not retried: it rejects at once as a ConnectionError that says
 *   CLUSTERDOWN (the storage's own deadline would otherwise cut the retries short with a bare
 *   "timed out");
 * - `retryDelayOnFailover: 0`: a command whose connection dropped is rejected, not re-sent
 *   (it may have run: an incr would count twice);
 * - the cluster reconnects in the background with capped backoff (a lost node is re-created
 *   from the next slot map or MOVED reply).
 */
export function toIoredisClusterOptions(config: ResolvedClusterConfig): ClusterOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    maxRedirections: 16,
    retryDelayOnMoved: 0,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: Math.min(config.connectTimeoutMs, 2_000),
    clusterRetryStrategy: retryDelay,
    redisOptions: connectionOptions(config),
  };
}
