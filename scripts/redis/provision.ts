/**
 * Finds a Redis for the tests, in this order:
 *
 * 1. `REDIS_URL`, when set: a server you provide. Tests that only use their own unique key
 *    prefixes run against it; nothing is flushed there.
 * 2. A throwaway local `redis-server` (scripts/redis/local-server.ts) when the binary is on PATH
 *    or named by REDIS_SERVER_BIN: the path used here and in CI.
 * 3. testcontainers (`@testcontainers/redis`, image REDIS_IMAGE or redis:7.0.15), imported
 *    only when a Docker engine answers. REDIS_CONTAINER_NETWORK=host runs the container on the
 *    host's network instead of Docker's bridge with a mapped port (engines without a bridge, as
 *    in CI: docs/containers-and-versions.md). `container: true` asks for this path whatever else
 *    is available.
 * 4. Otherwise a clear error saying how to get one. Never a silent skip.
 *
 * `provisionRedisCluster` does the same for a Redis Cluster: REDIS_CLUSTER_NODES, else a local
 * 3-master cluster (scripts/redis/local-cluster.ts), else a clear error.
 *
 * `exclusive: true` (or server `args`) asks for a server the test owns — it may flush it or
 * configure it — so REDIS_URL is passed over for that request. `process: true` asks for a local
 * redis-server process (tests that SIGSTOP, kill or restart it, or hand it certificate files).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { request } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { type LocalRedisCluster, type LocalRedisClusterOptions, startLocalRedisCluster } from './local-cluster.js';
import { type LocalRedis, startLocalRedis } from './local-server.js';

export type RedisSource = 'REDIS_URL' | 'local' | 'testcontainers';

export interface ProvisionedRedis {
  /** `redis://host:port` (plus credentials when REDIS_URL has them). */
  readonly url: string;
  readonly source: RedisSource;
  /** Stops what provisionRedis started (a no-op for REDIS_URL). */
  stop(): Promise<void>;
  /** The local server process (source `local` only): tests pause it with SIGSTOP. */
  readonly local?: LocalRedis;
}

export interface ProvisionOptions {
  /** The test needs a server of its own (it flushes, pauses or reconfigures it): skip REDIS_URL. */
  exclusive?: boolean;
  /** Extra redis-server arguments, e.g. ['--requirepass', '…']; implies `exclusive`. */
  args?: readonly string[];
  /** The test signals, kills or restarts the server, or passes it local files: only a local redis-server will do. */
  process?: boolean;
  /** Start Redis through testcontainers even when REDIS_URL or a local redis-server is available. */
  container?: boolean;
  /**
   * Environment to read (default process.env): REDIS_URL, REDIS_SERVER_BIN, PATH, DOCKER_HOST,
   * REDIS_IMAGE, REDIS_CONTAINER_NETWORK.
   */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for a Docker engine to answer its ping (ms, default 1500). */
  dockerPingTimeoutMs?: number;
}

export const HOW_TO_GET_REDIS = [
  'No Redis server is available for these tests. Do one of:',
  '  - install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis),',
  '    or point REDIS_SERVER_BIN at a redis-server binary: each test file starts its own throwaway server;',
  '  - start a Docker engine: the tests then run redis:7.0.15 through testcontainers',
  '    (REDIS_IMAGE and REDIS_CONTAINER_NETWORK choose the image and network: docs/containers-and-versions.md);',
  '  - set REDIS_URL=redis://host:port to a server the tests may write to (they use unique key',
  '    prefixes there; tests that must flush, pause or reconfigure a server still need one of the above).',
].join('\n');

/** The redis-server binary to run, or undefined when none is installed. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.REDIS_SERVER_BIN;
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, 'redis-server');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a Docker engine might listen, most specific first. */
function dockerEndpoints(env: NodeJS.ProcessEnv): ({ socketPath: string } | { host: string; port: number })[] {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) return [{ socketPath: dockerHost.slice('unix://'.length) }];
    const tcp = /^tcp:\/\/([^:/]+):(\d+)/.exec(dockerHost);
    return tcp ? [{ host: tcp[1] as string, port: Number(tcp[2]) }] : [];
  }
  const sockets = ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')];
  if (env.XDG_RUNTIME_DIR) sockets.push(join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  return sockets.filter((path) => existsSync(path)).map((socketPath) => ({ socketPath }));
}

/** True when a Docker engine answers (GET /_ping over its socket; for TLS endpoints, a TCP connect). */
export async function dockerAnswers(env: NodeJS.ProcessEnv = process.env, timeoutMs = 1500): Promise<boolean> {
  for (const endpoint of dockerEndpoints(env)) {
    const tlsEndpoint = 'host' in endpoint && env.DOCKER_TLS_VERIFY;
    const answered = await new Promise<boolean>((resolve) => {
      if (tlsEndpoint) {
        const socket = connect({ host: endpoint.host, port: endpoint.port, timeout: timeoutMs });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
        socket.once('timeout', () => {
          socket.destroy();
          resolve(false);
        });
        return;
      }
      const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.once('error', () => resolve(false));
      req.once('timeout', () => {
        req.destroy();
        resolve(false);
      });
      req.end();
    });
    if (answered) return true;
  }
  return false;
}

export const DEFAULT_REDIS_IMAGE = 'redis:7.0.15';

/** A port nobody listens on right now, on the loopback interface (for a host-network container). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startContainer(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<ProvisionedRedis> {
  const image = env.REDIS_IMAGE || DEFAULT_REDIS_IMAGE;
  const network = env.REDIS_CONTAINER_NETWORK || 'bridge';
  if (network === 'host') return startHostNetworkContainer(image, args);
  if (network !== 'bridge') {
    throw new Error(
      `REDIS_CONTAINER_NETWORK must be "bridge" (the default: a mapped port) or "host", not "${network}"`,
    );
  }
  const { RedisContainer } = await import('@testcontainers/redis');
  let container = new RedisContainer(image);
  if (args.length > 0) container = container.withCommand(['redis-server', ...args]);
  const started = await container.start();
  const url = `redis://${started.getHost()}:${started.getPort()}`;
  return {
    url,
    source: 'testcontainers',
    stop: async () => {
      await started.stop();
    },
  };
}

/**
 * Host networking: nothing is mapped, so Redis is told its port (a free one, never 6379's shared
 * server) and binds to loopback only. A port taken between the probe and the start is retried.
 */
async function startHostNetworkContainer(image: string, args: readonly string[]): Promise<ProvisionedRedis> {
  const { GenericContainer, Wait } = await import('testcontainers');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    const container = new GenericContainer(image)
      .withNetworkMode('host')
      .withCommand(['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', ...args])
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .withStartupTimeout(30_000);
    try {
      const started = await container.start();
      return {
        url: `redis://127.0.0.1:${port}`,
        source: 'testcontainers',
        stop: async () => {
          await started.stop();
        },
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** A Redis for one test file (see the module comment for the order). */
export async function provisionRedis(options: ProvisionOptions = {}): Promise<ProvisionedRedis> {
  const env = options.env ?? process.env;
  const args = options.args ?? [];
  const exclusive = options.exclusive === true || options.process === true || args.length > 0;

  if (options.container === true) {
    if (await dockerAnswers(env, options.dockerPingTimeoutMs)) return startContainer(env, args);
    throw new Error(
      'This test starts Redis through testcontainers, and no Docker engine answers (DOCKER_HOST, /var/run/docker.sock). Start one: docs/containers-and-versions.md.',
    );
  }

  const sharedUrl = env.REDIS_URL;
  if (sharedUrl && !exclusive) {
    return { url: sharedUrl, source: 'REDIS_URL', stop: async () => {} };
  }

  const binary = findRedisServer(env);
  if (binary !== undefined) {
    const local = await startLocalRedis({ binary, args });
    return { url: local.url, source: 'local', stop: () => local.stop(), local };
  }

  if (options.process === true) {
    throw new Error(
      `${HOW_TO_GET_REDIS}\n(This test pauses, kills or restarts the server process or hands it local files, so it needs a local redis-server binary: install redis-server or set REDIS_SERVER_BIN.)`,
    );
  }

  if (await dockerAnswers(env, options.dockerPingTimeoutMs)) return startContainer(env, args);

  throw new Error(
    exclusive && sharedUrl
      ? `${HOW_TO_GET_REDIS}\n(REDIS_URL is set, but this test needs a server of its own.)`
      : HOW_TO_GET_REDIS,
  );
}

export type RedisClusterSource = 'REDIS_CLUSTER_NODES' | 'local';

export interface ProvisionedRedisCluster {
  /** Startup nodes, as `redis://host:port` URLs (or as given in REDIS_CLUSTER_NODES). */
  readonly nodes: readonly string[];
  readonly source: RedisClusterSource;
  /** Stops what provisionRedisCluster started (a no-op for REDIS_CLUSTER_NODES). */
  stop(): Promise<void>;
  /** The local cluster (source `local` only): tests kill, pause and restart its nodes. */
  readonly local?: LocalRedisCluster;
}

export interface ProvisionClusterOptions {
  /** The test kills, pauses, restarts or reconfigures nodes: skip REDIS_CLUSTER_NODES. */
  exclusive?: boolean;
  /** Options for the local cluster (masters, node args, node timeout). */
  local?: LocalRedisClusterOptions;
  /** Environment to read (default process.env): REDIS_CLUSTER_NODES, REDIS_SERVER_BIN, REDIS_CLI_BIN, PATH. */
  env?: NodeJS.ProcessEnv;
}

export const HOW_TO_GET_REDIS_CLUSTER = [
  'No Redis Cluster is available for these tests. Do one of:',
  '  - install redis-server and redis-cli (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis),',
  '    or point REDIS_SERVER_BIN (and REDIS_CLI_BIN) at them: each test file starts its own 3-master cluster;',
  '  - set REDIS_CLUSTER_NODES=host:port,host:port,… (or redis:// URLs) to a cluster the tests may write to',
  '    (they use unique key prefixes there; tests that kill or pause nodes still need a local cluster).',
].join('\n');

/** Parses REDIS_CLUSTER_NODES: `host:port` or `redis://` URLs, separated by commas or spaces. */
export function parseClusterNodes(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .filter((node) => node !== '')
    .map((node) => (/^rediss?:\/\//i.test(node) ? node : `redis://${node}`));
}

/**
 * A Redis Cluster for one test file: REDIS_CLUSTER_NODES when set (unless `exclusive`), else a
 * throwaway local cluster (scripts/redis/local-cluster.ts), else a clear error — never a silent skip.
 */
export async function provisionRedisCluster(options: ProvisionClusterOptions = {}): Promise<ProvisionedRedisCluster> {
  const env = options.env ?? process.env;
  const shared = env.REDIS_CLUSTER_NODES;
  if (shared && options.exclusive !== true) {
    const nodes = parseClusterNodes(shared);
    if (nodes.length > 0) return { nodes, source: 'REDIS_CLUSTER_NODES', stop: async () => {} };
  }
  const binary = findRedisServer(env);
  if (binary === undefined) {
    throw new Error(
      shared
        ? `${HOW_TO_GET_REDIS_CLUSTER}\n(REDIS_CLUSTER_NODES is set, but this test needs a local cluster of its own.)`
        : HOW_TO_GET_REDIS_CLUSTER,
    );
  }
  const local = await startLocalRedisCluster({
    ...options.local,
    binary,
    ...(env.REDIS_CLI_BIN ? { cliBinary: env.REDIS_CLI_BIN } : {}),
  });
  return { nodes: local.urls, source: 'local', stop: () => local.stop(), local };
}
