/**
 * Redis rows, against a throwaway local redis-server: throughput of each operation at 1 and 50
 * calls in flight (autopipelining off and on), and `keys`/`clear` over many keys with the
 * longest stall a second connection sees meanwhile.
 */
import { Redis } from 'ioredis';
import {
  idle,
  keyvRedis,
  naiveKeys,
  REDIS_OPS,
  type RedisContender,
  type RedisOp,
  type RedisSession,
  type RedisTarget,
  rawIoredis,
  redisStorageConnect,
  tokenFor,
  unstorageRedis,
  WORKING_SET,
} from './redis-contenders.js';
import type { BenchSettings } from './settings.js';
import { StallProbe } from './stall-probe.js';
import {
  type Comparison,
  compare,
  formatMs,
  formatRate,
  formatRatio,
  median,
  progress,
  rotate,
  sleep,
} from './stats.js';

export interface RedisSection {
  readonly title: string;
  readonly autoPipelining: boolean;
  readonly contenders: readonly { id: string; label: string }[];
  readonly rows: readonly RedisRow[];
}

export interface RedisRow {
  readonly op: RedisOp;
  readonly label: string;
  readonly concurrency: number;
  readonly baselineRate: number;
  readonly cells: Readonly<Record<string, Comparison>>;
}

export interface BulkCell {
  /** Median total time (ms). */
  readonly ms: number;
  /** Median over rounds of (baseline time ÷ this time): > 1 is faster than the baseline. */
  readonly ratio: number;
  /** Longest PING round trip over all rounds (ms), and the median of the per-round maxima. */
  readonly maxStall: number;
  readonly medianStall: number;
  /** Longest single command inside Redis over all rounds (LATENCY monitor, whole ms; 0: none reached 1 ms), and the median of the per-round maxima. */
  readonly serverStall: number;
  readonly medianServerStall: number;
  /** Keys listed (keys) or left behind (clear), from the last round: a sanity check. */
  readonly check: number;
}

export interface BulkResult {
  readonly keys: number;
  readonly rounds: number;
  readonly idleStall: number;
  /** How long the idle row waits per round (ms). */
  readonly idleMs: number;
  readonly contenders: readonly { id: string; label: string }[];
  readonly keysOp: Readonly<Record<string, BulkCell>>;
  readonly clearOp: Readonly<Record<string, BulkCell>>;
}

export interface RedisResult {
  readonly serverVersion: string;
  readonly sections: readonly RedisSection[];
  readonly bulk: BulkResult;
  readonly notes: readonly string[];
}

async function runConcurrent(concurrency: number, total: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < total; i = next++) await op(i);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** Loads the working set into a contender's layout (values in its encoding), straight through ioredis. */
async function loadWorkingSet(admin: Redis, contender: RedisContender): Promise<void> {
  const args: string[] = [];
  for (let i = 0; i < WORKING_SET; i++) {
    args.push(`${contender.layout.prefix}k:${i}`, contender.layout.encode(tokenFor(i)));
  }
  await admin.mset(args);
}

/** Loads `count` keys into a contender's layout with pipelined MSETs of 1000 keys. */
async function loadMany(admin: Redis, contender: RedisContender, count: number): Promise<void> {
  const { prefix, encode } = contender.layout;
  const value = encode('token');
  for (let start = 0; start < count; start += 100_000) {
    const pipeline = admin.pipeline();
    for (let chunk = start; chunk < Math.min(count, start + 100_000); chunk += 1000) {
      const args: string[] = [];
      for (let i = chunk; i < Math.min(count, chunk + 1000); i++) args.push(`${prefix}big:${i}`, value);
      pipeline.mset(args);
    }
    await pipeline.exec();
  }
}

async function measureSection(
  target: RedisTarget,
  admin: Redis,
  settings: BenchSettings,
  title: string,
  autoPipelining: boolean,
  contenders: readonly RedisContender[],
): Promise<RedisSection> {
  await admin.flushall();
  const sessions = new Map<string, RedisSession>();
  for (const contender of contenders) {
    await loadWorkingSet(admin, contender);
    sessions.set(contender.id, await contender.open(target));
  }
  const baseline = contenders[0] as RedisContender;
  const rows: RedisRow[] = [];
  for (const { op, label } of REDIS_OPS) {
    for (const concurrency of [1, 50]) {
      // Warm-up (JIT, connections, the keys incr/mset write), then size one sample from the
      // baseline's rate so that a round of every contender stays short: neighbours in time see
      // the same machine load, and many short rounds give a stable median of ratios.
      let offset = 0;
      const warm = async (contender: RedisContender, total: number) => {
        const session = sessions.get(contender.id) as RedisSession;
        const base = offset;
        offset += total;
        const start = performance.now();
        await runConcurrent(concurrency, total, (i) => session.ops[op](base + i));
        return (total / (performance.now() - start)) * 1000;
      };
      for (const contender of contenders) await warm(contender, concurrency * 4);
      let baselineRate = 0;
      for (let i = 0; i < 3; i++) baselineRate = Math.max(baselineRate, await warm(baseline, concurrency * 20));
      const total = Math.max(concurrency * 2, Math.round((baselineRate * settings.redisSampleMs) / 1000));
      const rates = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
      for (let round = 0; round < settings.redisRounds; round++) {
        for (const contender of rotate(contenders, round)) rates.get(contender.id)?.push(await warm(contender, total));
      }
      const baselineRates = rates.get(baseline.id) as number[];
      const cells: Record<string, Comparison> = {};
      for (const contender of contenders) {
        cells[contender.id] = compare(rates.get(contender.id) as number[], baselineRates);
      }
      rows.push({ op, label, concurrency, baselineRate: cells[baseline.id]?.rate ?? Number.NaN, cells });
      progress(
        `redis ${title} ${label} ×${concurrency} (${total} ops/sample): ${contenders
          .map(
            (c) =>
              `${c.id} ${formatRate(cells[c.id]?.rate ?? Number.NaN)} ${formatRatio(cells[c.id]?.ratio ?? Number.NaN)}`,
          )
          .join(', ')}`,
      );
    }
  }
  for (const session of sessions.values()) await session.close();
  return { title, autoPipelining, contenders: contenders.map(({ id, label }) => ({ id, label })), rows };
}

async function measureBulk(target: RedisTarget, admin: Redis, settings: BenchSettings): Promise<BulkResult> {
  const count = settings.redisBulkKeys;
  const idleMs = Math.min(2000, count / 500);
  const contenders = [
    rawIoredis(false),
    redisStorageConnect,
    keyvRedis,
    unstorageRedis(false),
    naiveKeys,
    idle(idleMs),
  ];
  const baseline = contenders[0] as RedisContender;
  const probe = await StallProbe.start(target.host, target.port);
  type Samples = {
    keys: number[];
    clear: number[];
    keysStall: number[];
    clearStall: number[];
    keysServer: number[];
    clearServer: number[];
  };
  const samples = new Map<string, Samples>();
  const checks = new Map<string, { keys: number; clear: number }>();
  for (const c of contenders) {
    samples.set(c.id, { keys: [], clear: [], keysStall: [], clearStall: [], keysServer: [], clearServer: [] });
  }
  // Redis's own latency monitor: every command that takes >= 1 ms inside the server.
  await admin.config('SET', 'latency-monitor-threshold', '1');
  const serverMax = async (): Promise<number> => {
    const events = (await admin.call('LATENCY', 'LATEST')) as [string, number, number, number][];
    const commands = events.filter(([event]) => event === 'command' || event === 'fast-command');
    return Math.max(0, ...commands.map(([, , , max]) => Number(max)));
  };
  const measured = async <T>(action: () => Promise<T>) => {
    await admin.call('LATENCY', 'RESET');
    const result = await probe.around(action);
    return { ...result, server: await serverMax() };
  };
  try {
    for (let round = 0; round < settings.redisBulkRounds; round++) {
      for (const contender of rotate(contenders, round)) {
        await admin.flushall();
        if (contender.id !== 'idle') await loadMany(admin, contender, count);
        const session = await contender.open(target);
        await sleep(100);
        const s = samples.get(contender.id) as Samples;
        const listed = await measured(() => session.listKeys());
        s.keys.push(listed.ms);
        s.keysStall.push(listed.stall.max);
        s.keysServer.push(listed.server);
        const cleared = await measured(() => session.clear());
        s.clear.push(cleared.ms);
        s.clearStall.push(cleared.stall.max);
        s.clearServer.push(cleared.server);
        checks.set(contender.id, { keys: listed.value, clear: await admin.dbsize() });
        await session.close();
        progress(
          `redis ${count} keys, ${contender.id}: keys ${formatMs(listed.ms)} (PING ${formatMs(listed.stall.max)}, server ${listed.server} ms), clear ${formatMs(cleared.ms)} (PING ${formatMs(cleared.stall.max)}, server ${cleared.server} ms)`,
        );
      }
    }
  } finally {
    await probe.stop();
  }
  const cell = (id: string, kind: 'keys' | 'clear'): BulkCell => {
    const s = samples.get(id) as Samples;
    const b = samples.get(baseline.id) as Samples;
    const times = kind === 'keys' ? s.keys : s.clear;
    const baseTimes = kind === 'keys' ? b.keys : b.clear;
    const stalls = kind === 'keys' ? s.keysStall : s.clearStall;
    return {
      ms: median(times),
      ratio: median(times.map((ms, i) => (baseTimes[i] as number) / ms)),
      maxStall: Math.max(...stalls),
      medianStall: median(stalls),
      serverStall: Math.max(...(kind === 'keys' ? s.keysServer : s.clearServer)),
      medianServerStall: median(kind === 'keys' ? s.keysServer : s.clearServer),
      check: checks.get(id)?.[kind] ?? Number.NaN,
    };
  };
  const keysOp: Record<string, BulkCell> = {};
  const clearOp: Record<string, BulkCell> = {};
  for (const c of contenders) {
    keysOp[c.id] = cell(c.id, 'keys');
    clearOp[c.id] = cell(c.id, 'clear');
  }
  return {
    keys: count,
    rounds: settings.redisBulkRounds,
    idleStall: Math.max(keysOp.idle?.maxStall ?? 0, clearOp.idle?.maxStall ?? 0),
    idleMs,
    contenders: contenders.map(({ id, label }) => ({ id, label })),
    keysOp,
    clearOp,
  };
}

export async function measureRedis(target: RedisTarget, settings: BenchSettings): Promise<RedisResult> {
  const admin = new Redis({ host: target.host, port: target.port, lazyConnect: true });
  admin.on('error', () => {});
  await admin.connect();
  try {
    const info = await admin.info('server');
    const serverVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const off = [rawIoredis(false), rawIoredis(false, 5000), redisStorageConnect, keyvRedis, unstorageRedis(false)];
    const on = [rawIoredis(true), rawIoredis(true, 5000), redisStorageConnect, keyvRedis, unstorageRedis(true)];
    const sections = [
      await measureSection(target, admin, settings, 'against ioredis without autopipelining', false, off),
      await measureSection(target, admin, settings, 'against ioredis with autopipelining', true, on),
    ];
    await admin.flushall();
    const bulk = await measureBulk(target, admin, settings);
    await admin.flushall();
    const notes = [...new Set([...off, ...on].flatMap((c) => c.notes))];
    return { serverVersion, sections, bulk, notes };
  } finally {
    admin.disconnect();
  }
}
