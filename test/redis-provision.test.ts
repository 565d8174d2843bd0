/**
 * scripts/redis/provision.ts: REDIS_URL first, then a local redis-server, then testcontainers
 * (only when a Docker engine answers), else a clear error — never a silent skip.
 * The environment is injected, so each branch is exercised whatever this machine has.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  dockerAnswers,
  findRedisServer,
  HOW_TO_GET_REDIS,
  HOW_TO_GET_REDIS_CLUSTER,
  parseClusterNodes,
  provisionRedis,
  provisionRedisCluster,
} from '../scripts/redis/provision.js';
import { rawClient } from './redis-helpers.js';

const NOTHING = { PATH: '/nonexistent-bin', DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
const dir = mkdtempSync(join(tmpdir(), 'sa-storage-kit-provision-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('provisionRedis', () => {
  test('REDIS_URL wins when set, and stop() leaves that server alone', async () => {
    const provisioned = await provisionRedis({ env: { ...NOTHING, REDIS_URL: 'redis://redis.example:6390/2' } });
    expect(provisioned.source).toBe('REDIS_URL');
    expect(provisioned.url).toBe('redis://redis.example:6390/2');
    expect(provisioned.local).toBeUndefined();
    await provisioned.stop();
  });

  test('without REDIS_URL, a throwaway local redis-server; stop() ends it', async () => {
    if (findRedisServer() === undefined) {
      throw new Error(`this test checks the local path and needs redis-server on PATH\n${HOW_TO_GET_REDIS}`);
    }
    const provisioned = await provisionRedis({ env: { PATH: process.env.PATH } });
    expect(provisioned.source).toBe('local');
    const client = await rawClient(provisioned.url);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await provisioned.stop();
    expect(provisioned.local?.process.exitCode !== null || provisioned.local?.process.signalCode !== null).toBe(true);
  });

  test('exclusive (or server args) passes over REDIS_URL', async () => {
    const provisioned = await provisionRedis({
      exclusive: true,
      env: { PATH: process.env.PATH, REDIS_URL: 'redis://redis.example:6390' },
    });
    try {
      expect(provisioned.source).not.toBe('REDIS_URL');
    } finally {
      await provisioned.stop();
    }
    const withArgs = await provisionRedis({
      args: ['--maxmemory', '10mb'],
      env: { PATH: process.env.PATH, REDIS_URL: 'redis://redis.example:6390' },
    });
    try {
      const client = await rawClient(withArgs.url);
      expect(await client.config('GET', 'maxmemory')).toEqual(['maxmemory', String(10 * 1024 * 1024)]);
      client.disconnect();
    } finally {
      await withArgs.stop();
    }
  });

  test('nothing available: a clear error saying how to get Redis (no silent skip)', async () => {
    const started = performance.now();
    await expect(provisionRedis({ env: NOTHING })).rejects.toThrow(HOW_TO_GET_REDIS);
    await expect(
      provisionRedis({ env: { ...NOTHING, REDIS_SERVER_BIN: '/nonexistent/redis-server' } }),
    ).rejects.toThrow(/apt-get install redis-server/);
    await expect(provisionRedis({ exclusive: true, env: { ...NOTHING, REDIS_URL: 'redis://x:1' } })).rejects.toThrow(
      /needs a server of its own/,
    );
    await expect(provisionRedis({ process: true, env: { ...NOTHING, REDIS_URL: 'redis://x:1' } })).rejects.toThrow(
      /needs a local redis-server binary/,
    );
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('provisionRedisCluster (the local cluster itself is exercised by the cluster test files)', () => {
  test('REDIS_CLUSTER_NODES wins when set: host:port or URLs, commas or spaces', async () => {
    expect(parseClusterNodes('10.0.0.1:7000,10.0.0.2:7001  rediss://:pw@h:7002')).toEqual([
      'redis://10.0.0.1:7000',
      'redis://10.0.0.2:7001',
      'rediss://:pw@h:7002',
    ]);
    const provisioned = await provisionRedisCluster({ env: { ...NOTHING, REDIS_CLUSTER_NODES: 'c1:7000, c2:7001' } });
    expect(provisioned.source).toBe('REDIS_CLUSTER_NODES');
    expect(provisioned.nodes).toEqual(['redis://c1:7000', 'redis://c2:7001']);
    expect(provisioned.local).toBeUndefined();
    await provisioned.stop();
  });

  test('nothing available, or exclusive without a binary: a clear error (no silent skip)', async () => {
    await expect(provisionRedisCluster({ env: NOTHING })).rejects.toThrow(HOW_TO_GET_REDIS_CLUSTER);
    await expect(
      provisionRedisCluster({ exclusive: true, env: { ...NOTHING, REDIS_CLUSTER_NODES: 'c1:7000' } }),
    ).rejects.toThrow(/needs a local cluster of its own/);
  });
});

let engines = 0;
async function fakeEngine(status: number): Promise<{ socket: string; server: Server }> {
  const socket = join(dir, `docker-${status}-${++engines}.sock`);
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/_ping' ? status : 404;
    res.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, server };
}

describe('dockerAnswers', () => {
  test('true only when an engine answers its ping with 200', async () => {
    const healthy = await fakeEngine(200);
    const broken = await fakeEngine(500);
    try {
      expect(await dockerAnswers({ DOCKER_HOST: `unix://${healthy.socket}` })).toBe(true);
      expect(await dockerAnswers({ DOCKER_HOST: `unix://${broken.socket}` })).toBe(false);
      expect(await dockerAnswers({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' })).toBe(false);
      expect(await dockerAnswers({ DOCKER_HOST: 'tcp://127.0.0.1:1' })).toBe(false);
      expect(await dockerAnswers({ DOCKER_HOST: 'ssh://user@host' })).toBe(false);
    } finally {
      healthy.server.close();
      broken.server.close();
    }
  });
});

describe('provisionRedis({ container: true }): testcontainers whatever else is there', () => {
  test('no Docker engine: a clear error, even with REDIS_URL and a local redis-server at hand', async () => {
    await expect(
      provisionRedis({
        container: true,
        env: { PATH: process.env.PATH, REDIS_URL: 'redis://redis.example:6390', DOCKER_HOST: NOTHING.DOCKER_HOST },
      }),
    ).rejects.toThrow(/starts Redis through testcontainers, and no Docker engine answers/);
  });

  test('REDIS_CONTAINER_NETWORK other than bridge or host is refused before any container starts', async () => {
    const engine = await fakeEngine(200);
    try {
      await expect(
        provisionRedis({
          container: true,
          env: { DOCKER_HOST: `unix://${engine.socket}`, REDIS_CONTAINER_NETWORK: 'sideways' },
        }),
      ).rejects.toThrow(
        'REDIS_CONTAINER_NETWORK must be "bridge" (the default: a mapped port) or "host", not "sideways"',
      );
    } finally {
      engine.server.close();
    }
  });
});
