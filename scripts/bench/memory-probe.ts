/**
 * Child-process probe for one in-process store: memory held by N keys (heap + ArrayBuffers
 * delta after a full GC), and — in reclaim mode — how much of it comes back after every key
 * has expired with nobody reading them, waiting on the real clock (bounded).
 *
 * Run by memory-footprint.ts as `node --expose-gc --import tsx memory-probe.ts '<json>'`,
 * one fresh process per store so no store pays for another's garbage. Prints one JSON line.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import NodeCache from 'node-cache';
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { MemoryStorage } from '../../implementations/memory/index.js';
import { MapWithDeadline } from './memory-contenders.js';
import { POLL_MS } from './settings.js';

export interface ProbeRequest {
  readonly contender: string;
  readonly mode: 'footprint' | 'reclaim';
  readonly keys: number;
  /** TTL given to every key (ms). */
  readonly ttlMs: number;
  /** Reclaim mode: how long to wait after the last deadline (ms). */
  readonly waitMs: number;
}

export interface ProbeResult {
  readonly contender: string;
  readonly mode: 'footprint' | 'reclaim';
  readonly keys: number;
  /** Bytes held with every key live. */
  readonly peakBytes: number;
  /** Reclaim mode: bytes still held at the end of the wait (or once 99% came back). */
  readonly retainedBytes?: number;
  /** Reclaim mode: ms after the last deadline until at most 10% was still held; null if never within the wait. */
  readonly reclaimMs?: number | null;
  /** Time to insert all keys (ms). */
  readonly insertMs: number;
  readonly note?: string;
}

interface Probe {
  set(key: string, value: string, ttlMs: number): unknown;
  /** What keeps the store alive (and is dropped at the end). */
  readonly handle: unknown;
  readonly note?: string;
}

function open(contender: string, mode: ProbeRequest['mode'], keys: number, ttlMs: number): Probe {
  const reclaim = mode === 'reclaim';
  switch (contender) {
    case 'map': {
      const s = new MapWithDeadline();
      return { handle: s, set: (k, v, t) => s.set(k, v, t), note: 'lazy expiry only: nothing reclaims unread keys' };
    }
    case 'memory': {
      const s = new MemoryStorage(reclaim ? { sweepIntervalMs: 50 } : {});
      return { handle: s, set: (k, v, t) => s.set(k, v, t), note: reclaim ? 'sweepIntervalMs: 50' : undefined };
    }
    case 'keyv': {
      const s = new Keyv<string>();
      return { handle: s, set: (k, v, t) => s.set(k, v, t), note: 'Map store: expired keys go only when read' };
    }
    case 'unstorage': {
      const s = createStorage<string>({ driver: memoryDriver() });
      return {
        handle: s,
        set: (k, v, t) => s.setItem(k, v, { ttl: Math.ceil(t / 1000) }),
        note: 'the memory driver ignores ttl: keys never expire',
      };
    }
    case 'node-cache': {
      const s = new NodeCache(reclaim ? { checkperiod: 1 } : {});
      return { handle: s, set: (k, v, t) => s.set(k, v, t / 1000), note: reclaim ? 'checkperiod: 1 s' : undefined };
    }
    case 'lru-cache': {
      const s = new LRUCache<string, string>({ max: keys, ttl: ttlMs, ttlAutopurge: reclaim });
      return {
        handle: s,
        set: (k, v, t) => s.set(k, v, { ttl: t }),
        note: reclaim ? 'ttlAutopurge: true (a timer per key)' : '`max` = key count (preallocated)',
      };
    }
    default:
      throw new Error(`unknown contender ${contender}`);
  }
}

function gcNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

function held(): number {
  gcNow();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runProbe(request: ProbeRequest): Promise<ProbeResult> {
  const { contender, mode, keys, ttlMs, waitMs } = request;
  const base = held();
  let probe: Probe | undefined = open(contender, mode, keys, ttlMs);
  const start = performance.now();
  for (let i = 0; i < keys; i++) {
    const pending = probe.set(`session:${i}`, `token-${i}-${(i * 2654435761) % 4294967296}`, ttlMs);
    if (pending instanceof Promise) await pending;
  }
  const insertMs = performance.now() - start;
  const lastDeadline = Date.now() + ttlMs;
  const peakBytes = held() - base;
  const result = { contender, mode, keys, peakBytes, insertMs, note: probe.note };
  if (mode === 'footprint') {
    if (probe.handle === undefined) throw new Error('unreachable');
    probe = undefined;
    return result;
  }
  await sleep(Math.max(0, lastDeadline - Date.now() + 1));
  const expiredAt = performance.now();
  let retainedBytes = held() - base;
  let reclaimMs: number | null = null;
  // Until 99% is back (or the wait ends): the time 90% was back, and what is left at the end.
  while (performance.now() - expiredAt < waitMs) {
    retainedBytes = held() - base;
    if (reclaimMs === null && retainedBytes <= peakBytes * 0.1) reclaimMs = performance.now() - expiredAt;
    if (retainedBytes <= peakBytes * 0.01) break;
    await sleep(POLL_MS);
  }
  if (probe.handle === undefined) throw new Error('unreachable'); // keeps the store reachable until here
  return { ...result, retainedBytes, reclaimMs };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain && process.argv[2]) {
  const request = JSON.parse(process.argv[2]) as ProbeRequest;
  const result = await runProbe(request);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0); // timers of the stores (sweepers, autopurge) must not delay the answer
}
