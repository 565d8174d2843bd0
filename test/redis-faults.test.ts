/**
 * Faults with real processes, every wait bounded (polling against a deadline, no fixed sleeps),
 * on one server and on a 3-master cluster. Where each fault of the production checklist is proven:
 *
 * | fault                                                        | one server                                      | cluster     |
 * | ------------------------------------------------------------ | ----------------------------------------------- | ----------- |
 * | server killed → ConnectionError within the bound             | here (mid-run) + redis-errors "killed server"   | here        |
 * | restarted on the same port → the SAME instance works again   | here + redis-errors "killed server"             | here        |
 * | connections killed (CLIENT KILL TYPE normal) → reconnects,   | here                                            | here        |
 * |   every acknowledged write still there                       |                                                 |             |
 * | paused (SIGSTOP) → bounded ConnectionError, SIGCONT recovers | redis-errors "stalled server (SIGSTOP)"         | here        |
 * | CLUSTERDOWN → ConnectionError at once                        | —                                               | here        |
 * | 10,000 concurrent incr, 1 instance and 4 × 2,500 → exact     | here                                            | here        |
 * | wrong password, TLS, a write that timed out is not re-sent   | redis-url / redis-errors                        | redis-cluster (auth, TLS) |
 *
 * Every test prints its measurements as `[measure] …` lines.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isStorageError, type StorageError } from '../conformance/contract/index.js';
import { RedisStorage } from '../implementations/redis/index.js';
import { keySlot } from '../implementations/redis/slots.js';
import type { LocalRedisCluster } from '../scripts/redis/local-cluster.js';
import { type LocalRedis, startLocalRedis } from '../scripts/redis/local-server.js';
import { provisionRedis, provisionRedisCluster } from '../scripts/redis/provision.js';
import { expectStorageError, rawClient, sleep, uniquePrefix } from './redis-helpers.js';

/** Scheduling slack allowed on top of a configured timeout before a ConnectionError counts as late. */
const LATE_MS = 400;
const COMMAND_TIMEOUT_MS = 400;

const ms = (since: number) => Math.round(performance.now() - since);
const measure = (text: string) => console.info(`[measure] ${text}`);

/** Retries `action` until it resolves (each failure must be a ConnectionError), at most `timeoutMs`. */
async function until<T>(action: () => Promise<T>, timeoutMs = 10_000, pauseMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await action();
    } catch (error) {
      expect(isStorageError(error) && error.kind, String(error)).toBe('ConnectionError');
      if (Date.now() > deadline) throw new Error(`still failing after ${timeoutMs} ms: ${String(error)}`);
      await sleep(pauseMs); // polling interval, not a wait for an event
    }
  }
}

/**
 * Writes distinct keys from `writers` concurrent loops until `target` writes were acknowledged,
 * calling `disrupt` once `disruptAt` acknowledgements have come in (for each value of it).
 * Failures must be ConnectionErrors; acknowledged writes are returned for checking.
 */
async function writeThrough(
  s: RedisStorage,
  {
    writers,
    target,
    disruptAt,
    disrupt,
  }: {
    writers: number;
    target: number;
    disruptAt: number[];
    disrupt: () => Promise<void>;
  },
) {
  const acked = new Map<string, string>();
  let failed = 0;
  let sequence = 0;
  let disruptions = Promise.resolve();
  const pending = [...disruptAt];
  const recoveries: number[] = [];
  let disruptedAt: number | undefined;
  const deadline = Date.now() + 30_000;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (acked.size < target) {
        if (Date.now() > deadline) throw new Error(`only ${acked.size} of ${target} writes acknowledged in 30 s`);
        const key = `w${sequence++}`;
        const value = `v:${key}`;
        try {
          await s.set(key, value);
          acked.set(key, value);
          if (disruptedAt !== undefined) {
            recoveries.push(ms(disruptedAt));
            disruptedAt = undefined;
          }
        } catch (error) {
          expect(isStorageError(error) && (error as StorageError).kind, String(error)).toBe('ConnectionError');
          failed++;
          await sleep(5); // back off a little while the connection comes back
        }
        if (pending.length > 0 && acked.size >= (pending[0] as number)) {
          pending.shift();
          disruptions = disruptions.then(async () => {
            await disrupt();
            disruptedAt = performance.now();
          });
          await disruptions;
        }
      }
    }),
  );
  await disruptions;
  return { acked, failed, recoveries };
}

/** Checks every acknowledged write with MGET in chunks. */
async function expectAllThere(s: RedisStorage, acked: Map<string, string>) {
  const keys = [...acked.keys()];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    expect(await s.mget(chunk)).toEqual(chunk.map((k) => acked.get(k)));
  }
}

/** n concurrent incr on one counter, from each storage in turn (n / storages.length each). */
async function concurrentIncr(storages: RedisStorage[], key: string, n: number) {
  const per = n / storages.length;
  const started = performance.now();
  const results = await Promise.all(storages.flatMap((s) => Array.from({ length: per }, () => s.incr(key))));
  const elapsed = ms(started);
  expect(results.length).toBe(n);
  expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(await storages[0]?.get(key)).toBe(String(n));
  return elapsed;
}

describe('one server', () => {
  let local: LocalRedis;

  beforeAll(async () => {
    const provisioned = await provisionRedis({ process: true });
    if (provisioned.local === undefined) throw new Error('provisionRedis({ process: true }) returned no process');
    local = provisioned.local;
  });

  afterAll(async () => {
    await local?.stop();
  });

  test('10,000 concurrent incr on one counter: from one instance, and from 4 instances × 2,500', async () => {
    const prefix = uniquePrefix('incr10k');
    const storages = await Promise.all(Array.from({ length: 4 }, () => RedisStorage.connect(local.url, prefix)));
    try {
      const one = await concurrentIncr(storages.slice(0, 1), 'one', 10_000);
      const four = await concurrentIncr(storages, 'four', 10_000);
      measure(`one server: 10,000 concurrent incr → exactly 10000 in ${one} ms (1 instance), ${four} ms (4 × 2,500)`);
    } finally {
      await storages[0]?.clear();
      for (const s of storages) await s.close();
    }
  });

  test('client connections killed (CLIENT KILL TYPE normal): reconnects, every acknowledged write is there', async () => {
    const s = await RedisStorage.connect(local.url, uniquePrefix('client-kill'), {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
    });
    const admin = await rawClient(local.url);
    try {
      const { acked, failed, recoveries } = await writeThrough(s, {
        writers: 8,
        target: 3000,
        disruptAt: [500, 1500, 2500],
        disrupt: async () => {
          const killed = await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
          expect(Number(killed)).toBeGreaterThanOrEqual(1);
        },
      });
      await expectAllThere(s, acked);
      measure(
        `one server: 3 × CLIENT KILL during 3000 acknowledged writes → ${failed} writes rejected (ConnectionError), back after ${recoveries.join(' / ')} ms, all ${acked.size} acknowledged writes present`,
      );
    } finally {
      await s.clear();
      admin.disconnect();
      await s.close();
    }
  });

  test('server killed mid-run: every in-flight and later call rejects within the bound; the same instance works after a restart', async () => {
    const s = await RedisStorage.connect(local.url, uniquePrefix('kill'), {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: 1000,
    });
    let restarted: LocalRedis | undefined;
    try {
      let killedAt = 0;
      let done = 0;
      let lastSettle = 0;
      const errors: unknown[] = [];
      let running = true;
      const loops = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; running; i++) {
          try {
            await (i % 2 === 0 ? s.set(`k${w}`, String(i)) : s.incr(`n${w}`));
            done++;
          } catch (error) {
            errors.push(error);
            if (killedAt > 0) lastSettle = Math.max(lastSettle, ms(killedAt));
            if (killedAt > 0 && errors.length > 50) running = false;
            await sleep(1);
          }
        }
      });
      const firstOps = Date.now() + 5000;
      while (done < 500 && Date.now() < firstOps) await sleep(5);
      expect(done).toBeGreaterThanOrEqual(500);
      const exited = new Promise((resolve) => local.process.once('exit', resolve));
      killedAt = performance.now();
      local.process.kill('SIGKILL');
      await exited;
      const stopAll = setTimeout(() => {
        running = false;
      }, 2000);
      await Promise.all(loops);
      clearTimeout(stopAll);
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) expect(isStorageError(error) && (error as StorageError).kind).toBe('ConnectionError');
      expect(lastSettle).toBeLessThan(COMMAND_TIMEOUT_MS + LATE_MS);
      let started = performance.now();
      await expectStorageError(s.get('k0'), 'ConnectionError');
      const afterKill = ms(started);
      expect(afterKill).toBeLessThan(COMMAND_TIMEOUT_MS + LATE_MS);

      started = performance.now();
      restarted = await startLocalRedis({ port: local.port });
      const restartedIn = ms(started);
      started = performance.now();
      await until(() => s.set('k0', 'again'));
      const healedIn = ms(started);
      expect(await s.get('k0')).toBe('again');
      expect(await s.incr('n0')).toBe(1); // a fresh server (no persistence): the counter starts over
      measure(
        `one server killed mid-run: ${done} ops before; in-flight and later calls → ConnectionError, the last ${lastSettle} ms after the kill; a new call ${afterKill} ms; restart ${restartedIn} ms, same instance working ${healedIn} ms later`,
      );
    } finally {
      await s.close();
      await restarted?.stop();
    }
  });
});

describe('Redis Cluster (3 masters, cluster-node-timeout 1500 ms)', () => {
  const NODE_TIMEOUT_MS = 1500;
  let local: LocalRedisCluster;
  let stopCluster: () => Promise<void>;
  let s: RedisStorage;
  const prefix = uniquePrefix('faults');
  /** Index of the master serving each slot (from the node ports, via CLUSTER SLOTS). */
  let ownerOf: (slot: number) => number;
  /** One key per master: keyOn[i] is served by master i. */
  let keyOn: string[];

  beforeAll(async () => {
    const provisioned = await provisionRedisCluster({ exclusive: true, local: { nodeTimeoutMs: NODE_TIMEOUT_MS } });
    if (provisioned.local === undefined) throw new Error('provisionRedisCluster returned no local cluster');
    local = provisioned.local;
    stopCluster = provisioned.stop;
    const probe = await rawClient(local.urls[0] as string);
    const slots = (await probe.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    probe.disconnect();
    const ports = local.addresses.map((address) => address.port);
    const table = new Int16Array(16384);
    for (const [start, end, [, port]] of slots) table.fill(ports.indexOf(port), start, end + 1);
    ownerOf = (slot) => table[slot] as number;
    keyOn = ports.map((_, master) => {
      for (let i = 0; ; i++) if (ownerOf(keySlot(`${prefix}k${i}`)) === master) return `k${i}`;
    });
    s = await RedisStorage.cluster(local.urls, prefix, {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: 1000,
    });
  });

  afterAll(async () => {
    for (const node of local?.nodes ?? []) node.process.kill('SIGCONT');
    await s?.close();
    await stopCluster?.();
  });

  test('10,000 concurrent incr on one counter: from one instance, and from 4 instances × 2,500', async () => {
    // Default commandTimeoutMs (5000): 10,000 transactions queued on one master take longer than 400 ms.
    const storages = await Promise.all(Array.from({ length: 4 }, () => RedisStorage.cluster(local.urls, prefix)));
    try {
      const one = await concurrentIncr(storages.slice(0, 1), 'one', 10_000);
      const four = await concurrentIncr(storages, 'four', 10_000);
      measure(`cluster: 10,000 concurrent incr → exactly 10000 in ${one} ms (1 instance), ${four} ms (4 × 2,500)`);
    } finally {
      await storages[0]?.mdel(['one', 'four']);
      for (const other of storages) await other.close();
    }
  });

  test('client connections killed on every master: reconnects, every acknowledged write is there', async () => {
    const admins = await Promise.all(local.urls.map((url) => rawClient(url)));
    try {
      const { acked, failed, recoveries } = await writeThrough(s, {
        writers: 8,
        target: 3000,
        disruptAt: [500, 1500, 2500],
        disrupt: async () => {
          const killed = await Promise.all(
            admins.map((admin) => admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes')),
          );
          expect(killed.reduce((sum: number, n) => sum + Number(n), 0)).toBeGreaterThanOrEqual(1);
        },
      });
      await expectAllThere(s, acked);
      measure(
        `cluster: 3 × CLIENT KILL on every master during 3000 acknowledged writes → ${failed} writes rejected (ConnectionError), back after ${recoveries.join(' / ')} ms, all ${acked.size} acknowledged writes present`,
      );
      await s.mdel([...acked.keys()]);
    } finally {
      for (const admin of admins) admin.disconnect();
    }
  });

  test('a paused master (SIGSTOP): its keys reject within commandTimeoutMs, the others still answer; SIGCONT recovers', async () => {
    await s.mset(keyOn.map((k) => [k, `on:${k}`]));
    const paused = local.nodes[0] as LocalRedis;
    paused.process.kill('SIGSTOP');
    try {
      let started = performance.now();
      await expectStorageError(s.get(keyOn[0] as string), 'ConnectionError');
      const stalled = ms(started);
      expect(stalled).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 10);
      expect(stalled).toBeLessThan(COMMAND_TIMEOUT_MS + LATE_MS);
      expect(await s.get(keyOn[1] as string)).toBe(`on:${keyOn[1]}`); // other masters keep serving
      started = performance.now();
      await expectStorageError(s.mget(keyOn), 'ConnectionError'); // one slot group cannot answer
      const mgetStalled = ms(started);
      expect(mgetStalled).toBeLessThan(COMMAND_TIMEOUT_MS + LATE_MS);
      paused.process.kill('SIGCONT');
      started = performance.now();
      expect(await until(() => s.mget(keyOn))).toEqual(keyOn.map((k) => `on:${k}`));
      measure(
        `cluster: paused master → get ConnectionError after ${stalled} ms, mget after ${mgetStalled} ms (commandTimeoutMs ${COMMAND_TIMEOUT_MS}); answering again ${ms(started)} ms after SIGCONT`,
      );
    } finally {
      paused.process.kill('SIGCONT');
    }
  });

  test('a killed master: ConnectionError at once; CLUSTERDOWN on the others after the node timeout; a restart heals the same instance', async () => {
    await s.mset(keyOn.map((k) => [k, `on:${k}`]));
    const victim = local.nodes[0] as LocalRedis;
    const exited = new Promise((resolve) => victim.process.once('exit', resolve));
    const killedAt = performance.now();
    victim.process.kill('SIGKILL');
    await exited;

    let started = performance.now();
    await expectStorageError(s.get(keyOn[0] as string), 'ConnectionError');
    const deadNode = ms(started);
    expect(deadNode).toBeLessThan(COMMAND_TIMEOUT_MS + LATE_MS);

    // Until the survivors agree the master is gone, they keep serving their own slots; then
    // (no replica to promote) the cluster is down: CLUSTERDOWN, reported as ConnectionError.
    let down: StorageError | undefined;
    let downLatency = 0;
    const deadline = Date.now() + NODE_TIMEOUT_MS + 10_000;
    while (down === undefined) {
      if (Date.now() > deadline) throw new Error('the surviving masters never answered CLUSTERDOWN');
      started = performance.now();
      try {
        expect(await s.get(keyOn[1] as string)).toBe(`on:${keyOn[1]}`);
        await sleep(50); // polling interval
      } catch (error) {
        downLatency = ms(started);
        expect(isStorageError(error) && error.kind, String(error)).toBe('ConnectionError');
        if (/CLUSTERDOWN/.test((error as Error).message)) down = error as StorageError;
      }
    }
    const downAfter = ms(killedAt);
    expect(downLatency).toBeLessThan(COMMAND_TIMEOUT_MS + LATE_MS);

    started = performance.now();
    await local.restart(0);
    const restartedIn = ms(started);
    started = performance.now();
    const values = await until(() => s.mget(keyOn), 15_000);
    const healedIn = ms(started);
    // The survivors' acknowledged writes are intact; the restarted master (no persistence) is empty.
    expect(values).toEqual(keyOn.map((k, i) => (i === 0 ? null : `on:${k}`)));
    await s.set(keyOn[0] as string, 'again');
    expect(await s.get(keyOn[0] as string)).toBe('again');
    measure(
      `cluster: killed master → ConnectionError after ${deadNode} ms; CLUSTERDOWN on the others ${downAfter} ms after the kill (that call took ${downLatency} ms: "${down.message}"); restart + cluster ok in ${restartedIn} ms, same instance answering ${healedIn} ms later`,
    );
    await s.clear();
  });
});
