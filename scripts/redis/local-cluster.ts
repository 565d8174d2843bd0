/**
 * Starts a throwaway Redis Cluster for tests and benchmarks: N masters (3 by default, no
 * replicas), each a `redis-server --cluster-enabled yes` on a free port of 127.0.0.1 in its own
 * temporary directory, joined with `redis-cli --cluster create … --cluster-replicas 0
 * --cluster-yes`. Resolves once every node reports `cluster_state:ok` with all 16384 slots
 * assigned and every node known. `stop()` kills the nodes and removes their directories.
 * With `tls`, the nodes listen (and talk to each other) over TLS only, and `urls` are rediss://.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type LocalRedis, startLocalRedis } from './local-server.js';

const run = promisify(execFile);

export interface LocalRedisCluster {
  /** The node processes in start order; `restart(i)` replaces entry i (their `port`/`url` are the plain ones: use `urls`/`addresses`). */
  readonly nodes: readonly LocalRedis[];
  /** `redis://127.0.0.1:<port>` (`rediss://` with `tls`) of every node (startup nodes for a client). */
  readonly urls: readonly string[];
  /** `{ host, port }` of every node. */
  readonly addresses: readonly { host: string; port: number }[];
  /**
   * Starts node `index` again on its port and in its directory (so it keeps its nodes.conf and
   * rejoins with its slots) after it was killed or stopped; resolves when the cluster is ok again.
   */
  restart(index: number): Promise<LocalRedis>;
  /** Polls until every running node reports cluster_state:ok (or throws after `timeoutMs`). */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes the directories. */
  stop(): Promise<void>;
}

export interface LocalRedisClusterOptions {
  /** Number of masters (at least 3, as redis-cli requires; default 3). */
  masters?: number;
  /** Extra `redis-server` arguments for every node, e.g. ['--requirepass', 'secret']. */
  args?: readonly string[];
  /** Password redis-cli must use when `args` sets one. */
  cliPassword?: string;
  /** `--cluster-node-timeout` in ms (default 2000): how long until a dead master makes the cluster fail. */
  nodeTimeoutMs?: number;
  /** The redis-server binary (default REDIS_SERVER_BIN or `redis-server` on PATH). */
  binary?: string;
  /** The redis-cli binary (default REDIS_CLI_BIN, else next to the redis-server binary, else on PATH). */
  cliBinary?: string;
  /** Bound on the whole start, ms (default 30000). */
  startTimeoutMs?: number;
  /**
   * TLS only (client port and cluster bus): the server certificate and key, and the CA that
   * signed them (nodes verify each other with it; clients are not asked for certificates).
   */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

function findCli(options: LocalRedisClusterOptions, binary: string): string {
  if (options.cliBinary) return options.cliBinary;
  if (process.env.REDIS_CLI_BIN) return process.env.REDIS_CLI_BIN;
  return binary.includes('/') ? join(dirname(binary), 'redis-cli') : 'redis-cli';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startLocalRedisCluster(options: LocalRedisClusterOptions = {}): Promise<LocalRedisCluster> {
  const count = options.masters ?? 3;
  if (!Number.isInteger(count) || count < 3) throw new Error('a local Redis Cluster needs at least 3 masters');
  const binary = options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const cli = findCli(options, binary);
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  const auth = options.cliPassword === undefined ? [] : ['-a', options.cliPassword, '--no-auth-warning'];
  const cliTls = options.tls ? ['--tls', '--cacert', options.tls.caFile] : [];
  const clusterArgs = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(options.nodeTimeoutMs ?? 2000),
    ...(options.args ?? []),
  ];
  const dirs = Array.from({ length: count }, () => mkdtempSync(join(tmpdir(), 'sa-storage-kit-cluster-')));
  /** The port clients use: the plain port, or with `tls` a TLS port (the plain one is turned off). */
  const ports: number[] = [];
  const argsFor = async (index: number): Promise<string[]> => {
    if (options.tls === undefined) return clusterArgs;
    ports[index] ??= await freePort();
    const { certFile, keyFile, caFile } = options.tls;
    // biome-ignore format: redis-server arguments
    return [...clusterArgs, '--port', '0', '--tls-port', String(ports[index]), '--tls-cluster', 'yes',
      '--tls-replication', 'yes', '--tls-cert-file', certFile, '--tls-key-file', keyFile, '--tls-ca-cert-file', caFile,
      '--tls-auth-clients', 'no'];
  };
  const nodes: LocalRedis[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };

  const clusterInfo = async (port: number): Promise<string> => {
    const { stdout } = await run(cli, ['-h', '127.0.0.1', '-p', String(port), ...auth, ...cliTls, 'CLUSTER', 'INFO'], {
      timeout: 2000,
    });
    return stdout;
  };

  const waitUntilOk = async (timeoutMs = 20_000) => {
    const until = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const running = nodes.flatMap((node, index) =>
        node.process.exitCode === null && node.process.signalCode === null ? [ports[index] as number] : [],
      );
      const infos = await Promise.all(running.map((port) => clusterInfo(port).catch((error) => String(error))));
      const ok = infos.every(
        (info) =>
          info.includes('cluster_state:ok') &&
          info.includes('cluster_slots_assigned:16384') &&
          new RegExp(`cluster_known_nodes:${count}\\b`).test(info),
      );
      if (ok && running.length > 0) return;
      last = infos.join('\n---\n');
      if (Date.now() > until) throw new Error(`Redis Cluster not ok after ${timeoutMs} ms:\n${last}`);
      await sleep(50);
    }
  };

  try {
    const started = await Promise.allSettled(
      dirs.map(async (dir, index) => startLocalRedis({ binary, dir, args: await argsFor(index) })),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') nodes.push(outcome.value); // stop() needs them
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    nodes.forEach((node, index) => {
      ports[index] ??= node.port;
    });
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    try {
      // biome-ignore format: redis-cli arguments
      await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes', ...auth, ...cliTls], {
        timeout: Math.max(1000, deadline - Date.now()),
      });
    } catch (error) {
      const detail = error as { stdout?: string; stderr?: string; code?: unknown };
      if (detail.code === 'ENOENT') {
        throw new Error(`a local Redis Cluster needs redis-cli (not found as ${cli}; set REDIS_CLI_BIN)`);
      }
      throw new Error(
        `redis-cli --cluster create failed: ${String(error)}\n${detail.stdout ?? ''}${detail.stderr ?? ''}`,
      );
    }
    await waitUntilOk(Math.max(1000, deadline - Date.now()));
  } catch (error) {
    await stop();
    throw error;
  }

  const cluster: LocalRedisCluster = {
    get nodes() {
      return nodes;
    },
    get urls() {
      return ports.map((port) => `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`);
    },
    get addresses() {
      return ports.map((port) => ({ host: '127.0.0.1', port }));
    },
    async restart(index) {
      const old = nodes[index];
      const dir = dirs[index];
      if (old === undefined || dir === undefined) throw new Error(`no cluster node #${index}`);
      await old.stop();
      const started = await startLocalRedis({ binary, dir, args: await argsFor(index), port: old.port });
      nodes[index] = started;
      await waitUntilOk();
      return started;
    },
    waitUntilOk,
    stop,
  };
  return cluster;
}
