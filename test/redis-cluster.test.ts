/**
 * RedisStorage.cluster on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES, or a local one from
 * scripts/redis/local-cluster.ts): hash slots as Redis computes them, multi-key commands split
 * per slot (seen with MONITOR on every master), what mset makes atomic (per slot; everything with
 * a hash-tagged prefix), keys/clear on every master, prefix isolation, cluster config validation,
 * authentication and TLS. Faults (killed/paused masters, CLUSTERDOWN) are in redis-faults.test.ts.
 * This file starts its own clusters (it pauses writes on a master), so it needs redis-server and
 * redis-cli; REDIS_CLUSTER_NODES is only used by test/conformance.redis-cluster.test.ts.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisStorage } from '../implementations/redis/index.js';
import { ioredisMisplaces, keySlot, prefixSlot } from '../implementations/redis/slots.js';
import { freePort } from '../scripts/redis/local-server.js';
import { findRedisServer, type ProvisionedRedisCluster, provisionRedisCluster } from '../scripts/redis/provision.js';
import {
  checkProperty,
  commandsOnServers,
  everythingShown,
  expectStorageError,
  globChar,
  isolationProperty,
  makeTestCertificates,
  rawClient,
  type ServerCommand,
  sleep,
  type TestCertificates,
  uniquePrefix,
} from './redis-helpers.js';

const FILE = 'test/redis-cluster.test.ts';
/** ioredis's own slot function (cluster-key-slot, a dependency of ioredis), to document where it differs. */
const ioredisSlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

let cluster: ProvisionedRedisCluster;
/** A raw ioredis Cluster client for set-up and checks. */
let raw: Cluster;
/** `redis://host:port` of every master, from CLUSTER SLOTS. */
let masters: string[];
/** Index in `masters` of the master serving each slot. */
let ownerOf: (slot: number) => number;
const opened: RedisStorage[] = [];

/** A storage cleared and closed after the file (never with an empty prefix: clear() would empty the cluster). */
async function storageOn(nodes: Parameters<typeof RedisStorage.cluster>[0], prefix: string): Promise<RedisStorage> {
  if (prefix === '') throw new Error('use a prefix');
  const s = await RedisStorage.cluster(nodes, prefix);
  opened.push(s);
  return s;
}

const storage = (prefix: string) => storageOn(cluster.nodes, prefix);

beforeAll(async () => {
  // A cluster of its own: some tests pause writes on a master (CLIENT PAUSE).
  cluster = await provisionRedisCluster({ exclusive: true });
  const first = new URL(cluster.nodes[0] as string);
  const probe = await rawClient(first.href);
  const slots = (await probe.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, ...unknown[]]][];
  probe.disconnect();
  const addresses = [...new Set(slots.map(([, , [host, port]]) => `${host}:${port}`))].sort();
  masters = addresses.map((address) => {
    const url = new URL(first.href);
    url.host = address;
    return url.href;
  });
  const table = new Int16Array(16384).fill(-1);
  for (const [start, end, [host, port]] of slots) table.fill(addresses.indexOf(`${host}:${port}`), start, end + 1);
  ownerOf = (slot) => table[slot] as number;
  raw = new Cluster(
    cluster.nodes.map((url) => url),
    { lazyConnect: true },
  );
  raw.on('error', () => {});
  await raw.connect();
});

afterAll(async () => {
  for (const s of opened) {
    await s.clear().catch(() => {});
    await s.close();
  }
  raw?.disconnect();
  await cluster?.stop();
});

/** Keys `k0…k<n-1>` with this prefix, and the masters their slots are on. */
function spread(prefix: string, n: number) {
  const keys = Array.from({ length: n }, (_, i) => `k${i}`);
  const owners = new Set(keys.map((k) => ownerOf(keySlot(prefix + k))));
  return { keys, owners };
}

/** The script runs (EVALSHA/EVAL) a client sent, as server, keys and the other arguments. */
function scriptRuns(commands: ServerCommand[]) {
  return commands
    .filter((c) => c.name === 'EVALSHA' || c.name === 'EVAL')
    .map((c) => {
      const count = Number(c.args[1]);
      return { server: c.server, name: c.name, keys: c.args.slice(2, 2 + count), args: c.args.slice(2 + count) };
    });
}

describe('hash slots', () => {
  const edgeCases = [
    '',
    'a',
    '{user1000}.following',
    '{user1000}.followers',
    'foo{}{bar}',
    'foo{{bar}}zap',
    'foo{bar}{zap}',
    '{}',
    '{',
    '}{a}',
    'é日🙂',
    '{é日}🙂',
    'x'.repeat(8192),
    '{sa-kit:abc:1*?[\\]:}:k',
  ];

  test('keySlot equals CLUSTER KEYSLOT (edge cases and generated keys with braces and multi-byte characters)', async () => {
    const generated = fc.sample(
      fc.string({ unit: fc.oneof(globChar, fc.constantFrom('{', '}', '{', '}', 'x')), maxLength: 12 }),
      { numRuns: 400, seed: 42 },
    );
    const keys = [...edgeCases, ...generated];
    const node = await rawClient(masters[0] as string);
    try {
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.call('CLUSTER', 'KEYSLOT', key);
      const replies = (await pipeline.exec()) ?? [];
      expect(replies.map(([, slot]) => Number(slot))).toEqual(keys.map(keySlot));
    } finally {
      node.disconnect();
    }
  });

  test('ioredis (cluster-key-slot) agrees except for keys whose first braces are `{}` with a later `}`', () => {
    const generated = fc.sample(fc.string({ unit: fc.constantFrom('{', '}', 'a', 'é'), maxLength: 8 }), {
      numRuns: 2000,
      seed: 7,
    });
    let misplaced = 0;
    for (const key of [...edgeCases, ...generated]) {
      if (ioredisMisplaces(key)) misplaced += ioredisSlot(key) === keySlot(key) ? 0 : 1;
      else expect(ioredisSlot(key), JSON.stringify(key)).toBe(keySlot(key));
    }
    expect(ioredisSlot('foo{}{bar}')).not.toBe(keySlot('foo{}{bar}')); // Redis hashes the whole key
    expect(misplaced).toBeGreaterThan(0);
  });

  test('prefixSlot: defined exactly when the prefix alone decides the slot', () => {
    const ns = 'sa-kit:abc:1*?[\\]:';
    expect(prefixSlot(`{${ns}}`)).toBe(keySlot(ns));
    expect(prefixSlot(`{${ns}}`)).toBe(keySlot(`{${ns}}anything{else}`));
    expect(prefixSlot('{app}:')).toBe(keySlot('app'));
    expect(prefixSlot('tenant:{app}:')).toBe(keySlot('app'));
    for (const unpinned of ['app:', '', '{}app:', '{app', 'app}{', '{}{app}'])
      expect(prefixSlot(unpinned)).toBeUndefined();
  });
});

describe('multi-key commands are split per hash slot', () => {
  test('mget answers in order across slots (duplicates, missing keys), one MGET per slot', async () => {
    const prefix = uniquePrefix('mget*?[');
    const s = await storage(prefix);
    const { keys, owners } = spread(prefix, 30);
    expect(owners.size).toBe(masters.length); // the keys really are on every master
    await s.mset(keys.filter((_, i) => i % 2 === 0).map((k) => [k, `v:${k}`]));
    const asked = [...keys].reverse().concat(['k0', 'missing', 'k0', 'k1']);
    const expected = asked.map((k) => (k !== 'missing' && Number(k.slice(1)) % 2 === 0 ? `v:${k}` : null));
    let answer: (string | null)[] = [];
    const seen = await commandsOnServers(masters, async () => {
      answer = await s.mget(asked);
    });
    expect(answer).toEqual(expected);
    const mgets = seen.filter((c) => c.name === 'MGET');
    const slots = new Set(asked.map((k) => keySlot(prefix + k)));
    expect(mgets.length).toBe(slots.size);
    for (const c of mgets) {
      expect(new Set(c.args.map(keySlot)).size).toBe(1);
      expect(ownerOf(keySlot(c.args[0] as string))).toBe(c.server);
    }
    expect(mgets.flatMap((c) => c.args).sort()).toEqual(asked.map((k) => prefix + k).sort());
  });

  test('mset is one script (EVALSHA) per slot (atomic per slot); the last item of a duplicated key wins', async () => {
    const prefix = uniquePrefix('mset[x]');
    const s = await storage(prefix);
    const { keys } = spread(prefix, 24);
    const items: [string, string][] = [...keys.map((k): [string, string] => [k, `a:${k}`]), ['k3', 'last']];
    await s.mset(items); // every master now knows the script: no NOSCRIPT + EVAL below
    const seen = await commandsOnServers(masters, () => s.mset(items, 60_000));
    const runs = scriptRuns(seen);
    const slots = new Set(keys.map((k) => keySlot(prefix + k)));
    expect(runs.length).toBe(slots.size);
    for (const run of runs) {
      expect(run.name).toBe('EVALSHA');
      expect(new Set(run.keys.map(keySlot)).size).toBe(1);
      expect(ownerOf(keySlot(run.keys[0] as string))).toBe(run.server);
      expect(run.args.length).toBe(run.keys.length + 1); // one value per key, then the TTL
      expect(run.args.at(-1)).toBe('60000');
    }
    expect(runs.flatMap((run) => run.keys).length).toBe(items.length);
    expect(await s.get('k3')).toBe('last');
    expect(await s.mget(['k0', 'k23'])).toEqual(['a:k0', 'a:k23']);
    expect(await s.ttl('k5')).toBeGreaterThan(50_000);
  });

  test('with a hash-tagged prefix every key is in one slot: mset is ONE script, mget one MGET', async () => {
    const prefix = `{${uniquePrefix('tag*?')}}:`;
    const slot = prefixSlot(prefix) as number;
    const s = await storage(prefix);
    const items = Array.from({ length: 40 }, (_, i): [string, string] => [`k${i}`, String(i)]);
    await s.mset(items); // the owner now knows the script
    const seen = await commandsOnServers(masters, async () => {
      await s.mset(items);
      await s.mget(items.map(([k]) => k));
    });
    expect(seen.map((c) => c.server).every((server) => server === ownerOf(slot))).toBe(true);
    // MONITOR also shows what the script ran (source "lua").
    expect(seen.map((c) => c.name)).toEqual(['EVALSHA', ...items.map(() => 'SET'), 'MGET']);
    expect(scriptRuns(seen)[0]?.keys).toEqual(items.map(([k]) => prefix + k));
  });

  test('mdel is one UNLINK per slot and deletes exactly the listed keys', async () => {
    const prefix = uniquePrefix('mdel\\');
    const s = await storage(prefix);
    const { keys } = spread(prefix, 20);
    await s.mset(keys.map((k) => [k, 'v']));
    const doomed = keys.slice(0, 12).concat(['k0', 'missing']);
    const seen = await commandsOnServers(masters, () => s.mdel(doomed));
    const unlinks = seen.filter((c) => c.name === 'UNLINK');
    expect(unlinks.length).toBe(new Set(doomed.map((k) => keySlot(prefix + k))).size);
    for (const c of unlinks) expect(new Set(c.args.map(keySlot)).size).toBe(1);
    expect((await s.keys('*')).sort()).toEqual(keys.slice(12).sort());
  });

  test('incr is one script (EVALSHA: INCRBY + GET) on the key’s own master; TTL kept', async () => {
    const s = await storage(uniquePrefix('incr'));
    await s.incr('n'); // the owner now knows the script
    await s.set('n', '41', 60_000);
    const seen = await commandsOnServers(masters, async () => expect(await s.incr('n')).toBe(42));
    expect(seen.map((c) => c.name)).toEqual(['EVALSHA', 'INCRBY', 'GET']); // the script and what it ran
    expect(seen.every((c) => c.server === ownerOf(keySlot(`${s.keyPrefix}n`)))).toBe(true);
    expect(await s.ttl('n')).toBeGreaterThan(50_000);
  });

  test('keys ioredis would route to another slot (`{}…}`): mset still atomic per slot, one script on the real owner', async () => {
    const base = uniquePrefix('odd');
    // A key whose slot ioredis computes wrongly, on another master than its real one …
    let odd = '';
    for (let i = 0; odd === ''; i++) {
      const candidate = `{}{${base}${i}}`;
      if (ownerOf(ioredisSlot(candidate)) !== ownerOf(keySlot(candidate))) odd = candidate;
    }
    // … and a plain key in the same real slot.
    let partner = '';
    for (let i = 0; partner === ''; i++) if (keySlot(`${base}p${i}`) === keySlot(odd)) partner = `${base}p${i}`;
    expect(ioredisMisplaces(odd)).toBe(true);
    // ioredis refuses the plain MULTI: it believes the two keys are on different masters.
    await expect(raw.multi().set(odd, '1').set(partner, '2').exec()).rejects.toThrow(/same slots allocation group/);
    const s = await RedisStorage.cluster(cluster.nodes, ''); // no prefix: the key's own braces decide
    try {
      const seen = await commandsOnServers(masters, () =>
        s.mset([
          [odd, 'odd'],
          [partner, 'partner'],
        ]),
      );
      // ioredis sends the script where it believes the slot is; MOVED brings it to the real owner.
      const runs = scriptRuns(seen);
      expect(runs.length).toBeGreaterThan(0); // EVALSHA, and EVAL if that master did not know it yet
      for (const run of runs) {
        expect(run.server).toBe(ownerOf(keySlot(odd)));
        expect(run.keys).toEqual([odd, partner]);
      }
      expect(await s.mget([partner, odd])).toEqual(['partner', 'odd']);
      expect(await s.mget([odd, partner])).toEqual(['odd', 'partner']);
      await s.mdel([odd, partner]);
      expect(await s.mget([odd, partner])).toEqual([null, null]);
    } finally {
      await s.close();
    }
  });
});

describe('what mset makes atomic on a cluster', () => {
  /** Pauses writes on one master until unpaused; resolves the admin connection. */
  async function pauseWrites(master: number): Promise<Redis> {
    const admin = await rawClient(masters[master] as string);
    await admin.call('CLIENT', 'PAUSE', '3000', 'WRITE');
    return admin;
  }

  test('across slots: a reader on another connection CAN see part of an mset (atomic per slot only)', async () => {
    const prefix = uniquePrefix('torn');
    const writer = await storage(prefix);
    const reader = await storage(prefix);
    const { keys } = spread(prefix, 16);
    await writer.mset(keys.map((k) => [k, 'old']));
    const stalled = ownerOf(keySlot(prefix + keys[0]));
    const admin = await pauseWrites(stalled);
    try {
      const pending = writer.mset(keys.map((k) => [k, 'new']));
      const onStalled = keys.map((k) => ownerOf(keySlot(prefix + k)) === stalled);
      let values = await reader.mget(keys);
      const deadline = Date.now() + 2000;
      while (values.some((v, i) => !onStalled[i] && v !== 'new') && Date.now() < deadline) {
        values = await reader.mget(keys);
      }
      // The slots on the other masters are written; the stalled master's are not (yet).
      expect(values).toEqual(onStalled.map((stalledKey) => (stalledKey ? 'old' : 'new')));
      await admin.call('CLIENT', 'UNPAUSE');
      await pending;
      expect(new Set(await reader.mget(keys))).toEqual(new Set(['new']));
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => {});
      admin.disconnect();
    }
  });

  test('hash-tagged prefix: all or nothing, even to readers on other connections', async () => {
    const prefix = `{${uniquePrefix('whole')}}:`;
    const writer = await storage(prefix);
    const reader = await storage(prefix);
    const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
    await writer.mset(keys.map((k) => [k, 'old']));
    const admin = await pauseWrites(ownerOf(prefixSlot(prefix) as number));
    try {
      const pending = writer.mset(keys.map((k) => [k, 'new']));
      // Observe for a while: the mset is held back as a whole, reads still answer.
      const until = Date.now() + 300;
      while (Date.now() < until) expect(new Set(await reader.mget(keys))).toEqual(new Set(['old']));
      await admin.call('CLIENT', 'UNPAUSE');
      await pending;
      expect(new Set(await reader.mget(keys))).toEqual(new Set(['new']));
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => {});
      admin.disconnect();
    }
  });
});

describe('the reply watchdog and a slot being migrated (redirections)', () => {
  /** Keeps a node busy (a Lua loop, no keys) for `ms`: its clients wait, nothing fails. */
  const busy = (node: Redis, ms: number) =>
    node.eval(
      "local t = redis.call('TIME'); local start = t[1] * 1000000 + t[2]; while true do local n = redis.call('TIME'); if n[1] * 1000000 + n[2] - start > tonumber(ARGV[1]) * 1000 then return 1 end end",
      0,
      ms,
    );

  /**
   * Moves `slot` (and its keys) from master `from` to master `to`, as redis-cli --cluster reshard
   * does; with `finish: false` the slot is left mid-migration (MIGRATING/IMPORTING): `from` then
   * answers ASK for the keys it no longer has.
   */
  async function migrateSlot(slot: number, from: number, to: number, finish = true): Promise<void> {
    const source = await rawClient(masters[from] as string);
    const target = await rawClient(masters[to] as string);
    try {
      const sourceId = String(await source.call('CLUSTER', 'MYID'));
      const targetId = String(await target.call('CLUSTER', 'MYID'));
      await target.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId);
      await source.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', targetId);
      const keys = (await source.call('CLUSTER', 'GETKEYSINSLOT', slot, 1000)) as string[];
      const { hostname, port } = new URL(masters[to] as string);
      if (keys.length > 0) await source.call('MIGRATE', hostname, port, '', 0, 5000, 'KEYS', ...keys);
      if (!finish) return;
      for (const url of masters) {
        const node = await rawClient(url);
        await node.call('CLUSTER', 'SETSLOT', slot, 'NODE', targetId);
        node.disconnect();
      }
    } finally {
      source.disconnect();
      target.disconnect();
    }
  }

  test('a command redirected away from a queue times out alone: the younger commands queued there are not rejected', async () => {
    const prefix = uniquePrefix('moved');
    let tag = 0;
    while (keySlot(`${prefix}{m${tag}}k`) === keySlot(`${prefix}{y}k`)) tag++;
    const moved = `{m${tag}}k`;
    const slot = keySlot(prefix + moved);
    const from = ownerOf(slot);
    const to = (from + 1) % masters.length;
    // A key that stays on `from`.
    let other = 0;
    while (ownerOf(keySlot(`${prefix}{o${other}}k`)) !== from || keySlot(`${prefix}{o${other}}k`) === slot) other++;
    const stays = `{o${other}}k`;
    const s = await RedisStorage.cluster(cluster.nodes, prefix, { commandTimeoutMs: 1200 });
    const nodeFrom = await rawClient(masters[from] as string);
    const nodeTo = await rawClient(masters[to] as string);
    try {
      await s.set(moved, 'moved value');
      await s.set(stays, 'stays value');
      // Mid-migration: `from` answers ASK (a MOVED would also make ioredis refresh its slot map,
      // which would wait on the busy `to`); the redirect leaves `from`'s queue the same way.
      await migrateSlot(slot, from, to, false);
      // 1. `from` is busy: the get of the moved key waits in its queue and is noted there.
      const fromBusy = busy(nodeFrom, 700);
      const toBusy = busy(nodeTo, 1700); // 3. …and the redirected get then waits on `to` until it times out
      const movedGet = s.get(moved).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      await fromBusy; // 2. `from` answers ASK: the get leaves its queue, unanswered
      // 4. Young commands queue on `from` (busy again) when the moved get's note expires.
      // The moved get's note expires 1200–1300 ms after it was sent (checks every 50 ms). The young
      // get, sent ≥ 700 ms after it, is then still waiting: this ends 900 ms after it was sent,
      // ~300 ms past that check and 300 ms within its own bound (room for a loaded machine).
      // Busy spells stay under the cluster node timeout, or the cluster would report itself down.
      const fromBusyAgain = busy(nodeFrom, 900);
      await sleep(20);
      const started = performance.now();
      const young = await s.get(stays).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      const waited = performance.now() - started;
      console.info(
        `[measure] young get on the node the moved command left: ${'error' in young ? String(young.error) : JSON.stringify(young)} after ${waited.toFixed(0)} ms`,
      );
      expect(young).toEqual({ value: 'stays value' });
      const outcome = await movedGet;
      expect('error' in outcome && String((outcome.error as Error).message)).toMatch(/timed out/);
      await fromBusyAgain;
      await toBusy;
      expect(await s.get(moved)).toBe('moved value'); // through ASK, now that `to` answers
    } finally {
      await migrateSlot(slot, from, to).catch(() => {}); // finish it, then move the slot back
      await migrateSlot(slot, to, from).catch(() => {});
      await cluster.local?.waitUntilOk();
      nodeFrom.disconnect();
      nodeTo.disconnect();
      await s.clear().catch(() => {});
      await s.close();
    }
  });
});

describe('keys and clear cover every master', () => {
  test('SCAN MATCH <escaped prefix>* on every master, UNLINK per slot; never KEYS or FLUSHDB', async () => {
    const prefix = uniquePrefix('scan*?[x]\\');
    const s = await storage(prefix);
    const n = 3500; // more than one SCAN step (COUNT 1000) on each master
    const { keys, owners } = spread(prefix, n);
    expect(owners.size).toBe(masters.length);
    for (let i = 0; i < n; i += 500) await s.mset(keys.slice(i, i + 500).map((k) => [k, 'v']));
    await raw.set(prefix.slice(0, -1), 'outside'); // the prefix minus its last character
    await raw.set(`x${prefix}k1`, 'outside');

    let listed: string[] = [];
    const listing = await commandsOnServers(masters, async () => {
      listed = await s.keys('*');
    });
    expect(listed.length).toBe(n);
    expect(new Set(listed)).toEqual(new Set(keys));
    expect(new Set(listing.map((c) => c.name))).toEqual(new Set(['SCAN']));
    expect(new Set(listing.map((c) => c.server))).toEqual(new Set(masters.map((_, i) => i)));
    const escaped = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    for (const c of listing) expect(c.args.slice(1)).toEqual(['MATCH', escaped, 'COUNT', '1000']);
    expect(new Set(await s.keys('k1?'))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `k1${i}`)));

    const clearing = await commandsOnServers(masters, () => s.clear());
    expect(new Set(clearing.map((c) => c.name))).toEqual(new Set(['SCAN', 'UNLINK']));
    const unlinks = clearing.filter((c) => c.name === 'UNLINK');
    for (const c of unlinks) expect(new Set(c.args.map(keySlot)).size).toBe(1);
    expect(unlinks.flatMap((c) => c.args).length).toBe(n);
    expect(await s.keys('*')).toEqual([]);
    for (const url of masters) {
      const node = await rawClient(url);
      const [, left] = await node.scan('0', 'MATCH', escaped, 'COUNT', 100_000);
      node.disconnect();
      expect(left).toEqual([]);
    }
    expect(await raw.get(prefix.slice(0, -1))).toBe('outside');
    expect(await raw.get(`x${prefix}k1`)).toBe('outside');
    await raw.del(prefix.slice(0, -1));
    await raw.del(`x${prefix}k1`);
  });
});

describe('prefix isolation with glob metacharacters', () => {
  test('fixed prefixes that would leak into each other if unescaped', async () => {
    const base = uniquePrefix('ns');
    const prefixes = [`${base}a?`, `${base}ab`, `${base}[xy]`, `${base}x`, `${base}*`, `${base}\\`, `${base}{c}`];
    const stores = await Promise.all(prefixes.map((p) => storage(p)));
    for (const [i, s] of stores.entries()) {
      await s.mset(Array.from({ length: 12 }, (_, j): [string, string] => [`k${j}`, `${i}`]));
      await s.set('shared', String(i));
    }
    for (const [i, s] of stores.entries()) {
      expect((await s.keys('*')).length, prefixes[i]).toBe(13);
      expect(await s.get('shared')).toBe(String(i));
    }
    await stores[0]?.clear(); // "a?"
    await stores[4]?.clear(); // "*"
    for (const i of [1, 2, 3, 5, 6]) {
      expect((await stores[i]?.keys('*'))?.length, prefixes[i]).toBe(13);
      expect(await stores[i]?.mget(['k0', 'shared'])).toEqual([String(i), String(i)]);
    }
  });

  test('property: generated prefixes (metacharacters, braces) never see, list, count or clear each other', async () => {
    await checkProperty(
      isolationProperty(
        'iso-cluster',
        (prefix) => RedisStorage.cluster(cluster.nodes, prefix),
        (s) => (s as RedisStorage).close(),
      ),
      FILE,
      25,
    );
  });
});

describe('RedisStorage.cluster: settings', () => {
  test.each([
    ['no nodes', () => RedisStorage.cluster([], '')],
    ['not an array', () => RedisStorage.cluster('redis://127.0.0.1:7000' as never, '')],
    ['bad scheme', () => RedisStorage.cluster(['http://127.0.0.1:7000'], '')],
    ['database index', () => RedisStorage.cluster(['redis://127.0.0.1:7000/3'], '')],
    ['database option', () => RedisStorage.cluster(['redis://127.0.0.1:7000'], '', { database: 2 } as never)],
    ['options not an object', () => RedisStorage.cluster(['redis://127.0.0.1:7000'], '', 'x' as never)],
    ['port 0', () => RedisStorage.cluster([{ host: '127.0.0.1', port: 0 }], '')],
    ['host 5', () => RedisStorage.cluster([{ host: 5 as never, port: 7000 }], '')],
    ['a number as node', () => RedisStorage.cluster([7000 as never], '')],
    ['bad timeout', () => RedisStorage.cluster(['redis://127.0.0.1:7000'], '', { commandTimeoutMs: 0 })],
    [
      'URLs disagree on the password',
      () => RedisStorage.cluster(['redis://:s3cret-one@127.0.0.1:7000', 'redis://:s3cret-two@127.0.0.1:7001'], ''),
    ],
    ['URLs disagree on TLS', () => RedisStorage.cluster(['redis://127.0.0.1:7000', 'rediss://127.0.0.1:7001'], '')],
  ])('%s: rejects with OperationFailed, never throws, no secret shown', async (_, factory) => {
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = factory();
    }).not.toThrow();
    const error = await expectStorageError(promise as Promise<unknown>, 'OperationFailed');
    expect(everythingShown(error)).not.toContain('s3cret');
  });

  test('a prefix that is not a well-formed string: SerializationError', async () => {
    await expectStorageError(RedisStorage.cluster(cluster.nodes, '\ud800'), 'SerializationError');
  });

  test('unreachable startup nodes: ConnectionError within connectTimeoutMs', async () => {
    const ports = [await freePort(), await freePort()];
    const started = performance.now();
    await expectStorageError(
      RedisStorage.cluster(
        ports.map((port) => ({ host: '127.0.0.1', port })),
        '',
        { connectTimeoutMs: 800 },
      ),
      'ConnectionError',
    );
    const elapsed = performance.now() - started;
    console.info(`[measure] cluster with no reachable node → ConnectionError after ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(800 + 400);
  });

  test('one reachable node among dead ones is enough; the others are discovered', async () => {
    const prefix = uniquePrefix('discover');
    const s = await storageOn([{ host: '127.0.0.1', port: await freePort() }, masters[1] as string], prefix);
    const { keys, owners } = spread(prefix, 12);
    expect(owners.size).toBe(masters.length);
    await s.mset(keys.map((k) => [k, 'v']));
    expect(await s.mget(keys)).toEqual(keys.map(() => 'v'));
  });

  test('fromClient refuses a Cluster and says what to use instead', async () => {
    const error = await expectStorageError(RedisStorage.fromClient(raw as never, ''), 'OperationFailed');
    expect(error.message).toMatch(/RedisStorage\.cluster/);
  });

  test('close() quits every node connection; later calls reject with ConnectionError', async () => {
    const s = await RedisStorage.cluster(cluster.nodes, uniquePrefix('close'));
    await s.set('k', 'v');
    await s.close();
    await s.close();
    await expectStorageError(s.get('k'), 'ConnectionError');
    await raw.del(`${s.keyPrefix}k`);
  });
});

describe('authentication (requirepass and an ACL user on every node)', () => {
  const PASSWORD = 'cl@ster:p/w%#secret';
  const enc = encodeURIComponent;
  let secured: ProvisionedRedisCluster;

  beforeAll(async () => {
    if (findRedisServer() === undefined) throw new Error('the cluster authentication tests need redis-server');
    secured = await provisionRedisCluster({
      exclusive: true,
      local: { args: ['--requirepass', PASSWORD], cliPassword: PASSWORD },
    });
    for (const url of secured.nodes) {
      const admin = await rawClient(url.replace('redis://', `redis://:${enc(PASSWORD)}@`));
      // Only what the storage and ioredis's cluster client send, as listed in the production notes.
      // biome-ignore format: the permission list
      await admin.call('ACL', 'SETUSER', 'app', 'on', `>${PASSWORD}`, '~auth:*', '+get', '+set', '+unlink', '+exists',
        '+pexpire', '+pttl', '+mget', '+evalsha', '+eval', '+incrby', '+scan', '+info', '+cluster|slots',
        '+cluster|info');
      admin.disconnect();
    }
  });

  afterAll(async () => {
    await secured?.stop();
  });

  test('the default user (options) and an ACL user (URL credentials) connect and work on every master', async () => {
    const withOptions = await RedisStorage.cluster(secured.nodes, 'auth:', { password: PASSWORD });
    const withUrl = await RedisStorage.cluster(
      secured.nodes.map((url) => url.replace('redis://', `redis://app:${enc(PASSWORD)}@`)),
      'auth:',
    );
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
      await withOptions.mset(keys.map((k) => [k, k]));
      expect(await withUrl.mget(keys)).toEqual(keys);
      expect((await withUrl.keys('*')).length).toBe(20);
      await withUrl.mset(
        keys.map((k) => [k, `${k}!`]),
        60_000,
      );
      await withUrl.mset([['{}{x}', 'odd']]); // a key ioredis routes wrongly: MOVED
      expect(await withUrl.incr('n')).toBe(1);
      expect(await withUrl.ttl('k3')).toBeGreaterThan(0);
      await withUrl.mdel(['k0']);
      await withUrl.clear();
      expect(await withOptions.keys('*')).toEqual([]);
    } finally {
      await withOptions.close();
      await withUrl.close();
    }
  });

  test('wrong or missing password: ConnectionError that says why, without the secret', async () => {
    for (const attempt of [
      () => RedisStorage.cluster(secured.nodes, '', { password: `${PASSWORD}-wrong`, connectTimeoutMs: 3000 }),
      () => RedisStorage.cluster(secured.nodes, '', { username: 'app', password: 'nope', connectTimeoutMs: 3000 }),
      () =>
        RedisStorage.cluster(
          secured.nodes.map((url) => url.replace('redis://', `redis://:${enc(`${PASSWORD}-wrong`)}@`)),
          '',
          { connectTimeoutMs: 3000 },
        ),
      () => RedisStorage.cluster(secured.nodes, '', { connectTimeoutMs: 3000 }),
    ]) {
      const error = await expectStorageError(attempt(), 'ConnectionError');
      expect(error.message).toMatch(/WRONGPASS|NOAUTH/);
      const shown = everythingShown(error);
      for (const secret of [PASSWORD, enc(PASSWORD), 'secret', 'cl@ster']) expect(shown).not.toContain(secret);
    }
  });
  test('local cluster stop(): every node process has exited and every directory is gone', async () => {
    const nodes = secured.local?.nodes ?? [];
    expect(nodes.length).toBe(3);
    await secured.stop();
    for (const node of nodes) {
      expect(node.process.exitCode !== null || node.process.signalCode !== null).toBe(true);
      expect(existsSync(node.dir)).toBe(false);
    }
  });
});

describe('TLS (rediss:// nodes, TLS cluster bus, certificate verification on)', () => {
  let certificates: TestCertificates;
  let secure: ProvisionedRedisCluster;

  beforeAll(async () => {
    certificates = makeTestCertificates();
    const { certFile, keyFile, caFile } = certificates;
    secure = await provisionRedisCluster({ exclusive: true, local: { tls: { certFile, keyFile, caFile } } });
  });

  afterAll(async () => {
    await secure?.stop();
    certificates?.remove();
  });

  test('rediss:// startup nodes and the CA: every operation works, on every master', async () => {
    expect(secure.nodes.every((url) => url.startsWith('rediss://'))).toBe(true);
    const s = await RedisStorage.cluster(secure.nodes, uniquePrefix('tls'), { tls: { ca: [certificates.ca] } });
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      await s.mset(
        keys.map((k) => [k, `tls:${k}`]),
        60_000,
      );
      expect(await s.mget(keys)).toEqual(keys.map((k) => `tls:${k}`));
      expect((await s.keys('*')).sort()).toEqual([...keys].sort());
      expect(await s.incr('n')).toBe(1);
      await s.clear();
      expect(await s.keys('*')).toEqual([]);
    } finally {
      await s.close();
    }
  });

  test('a CA that did not sign the node certificates: ConnectionError about the certificate', async () => {
    const error = await expectStorageError(
      RedisStorage.cluster(secure.nodes, '', { tls: { ca: [certificates.wrongCa] }, connectTimeoutMs: 2000 }),
      'ConnectionError',
    );
    // ioredis only says "Failed to refresh slots cache"; the storage's direct probe says why.
    console.info(`[measure] cluster, wrong CA → ${error.message}`);
    expect(error.message).toMatch(/Failed to refresh slots cache.*directly.*certificate/i);
  });

  test('plain redis:// to the TLS nodes: ConnectionError within connectTimeoutMs', async () => {
    const started = performance.now();
    await expectStorageError(
      RedisStorage.cluster(
        secure.nodes.map((url) => url.replace('rediss://', 'redis://')),
        '',
        { connectTimeoutMs: 800 },
      ),
      'ConnectionError',
    );
    expect(performance.now() - started).toBeLessThan(800 + 400);
  });
});
