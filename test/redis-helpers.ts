/** Shared helpers for the Redis test files (test/redis-*.test.ts, test/glob.redis.test.ts). */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import {
  compilePattern,
  isStorageError,
  type SaStorage,
  type StorageError,
  type StorageErrorKind,
} from '../conformance/contract/index.js';

/** A prefix no other test (or test file, or run against a shared REDIS_URL) uses. */
export function uniquePrefix(label: string): string {
  return `sk-test:${label}:${randomUUID().slice(0, 8)}:`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Awaits a rejection and checks it is a StorageError of `kind`. */
export async function expectStorageError(action: Promise<unknown>, kind: StorageErrorKind): Promise<StorageError> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a rejection').toBeDefined();
  expect(isStorageError(caught), `expected a StorageError, got ${inspect(caught)}`).toBe(true);
  const error = caught as StorageError;
  expect(error.kind, error.message).toBe(kind);
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

/** Everything an error could reveal when logged or serialised (message, stack, cause chain, hidden fields). */
export function everythingShown(error: unknown): string {
  let json = '';
  try {
    json = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}));
  } catch {
    json = '';
  }
  return [String(error), inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }), json].join('\n');
}

/** A raw ioredis client for test set-up and checks (never the storage's own). */
export async function rawClient(url: string, db = 0): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, db, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export interface SeenCommand {
  name: string;
  args: string[];
}

/**
 * Runs `action` and returns every command the server received on `client`'s connection meanwhile,
 * observed with MONITOR between two ECHO markers sent on that connection.
 */
export async function commandsSentOn(
  url: string,
  client: Redis,
  action: () => Promise<unknown>,
): Promise<SeenCommand[]> {
  const watcher = await rawClient(url);
  const monitor = await watcher.monitor();
  const begin = `begin-${randomUUID()}`;
  const end = `end-${randomUUID()}`;
  const seen: { source: string; args: string[] }[] = [];
  let resolveEnd: () => void = () => {};
  const endSeen = new Promise<void>((resolve) => {
    resolveEnd = resolve;
  });
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    seen.push({ source, args });
    if (args[0]?.toLowerCase() === 'echo' && args[1] === end) resolveEnd();
  });
  try {
    // MONITOR starts streaming once its reply is in; a marker proves our connection is seen.
    await client.echo(begin);
    await action().catch(() => {});
    await client.echo(end);
    await Promise.race([
      endSeen,
      sleep(5000).then(() => Promise.reject(new Error('MONITOR never saw the end marker'))),
    ]);
  } finally {
    monitor.disconnect();
    watcher.disconnect();
  }
  const start = seen.findIndex((c) => c.args[0]?.toLowerCase() === 'echo' && c.args[1] === begin);
  if (start < 0) throw new Error('MONITOR never saw the begin marker');
  const source = seen[start]?.source;
  return seen
    .slice(start + 1)
    .filter((c) => c.source === source)
    .filter((c) => !(c.args[0]?.toLowerCase() === 'echo' && c.args[1] === end))
    .map((c) => ({ name: (c.args[0] ?? '').toUpperCase(), args: c.args.slice(1).map(unrepr) }));
}

const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8 };

/** Undoes Redis's sdscatrepr quoting of MONITOR arguments (\\, \", \n…, \xHH bytes of UTF-8). */
function unrepr(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i] as string;
      if (next === 'x') {
        bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      }
    } else {
      bytes.push(...Buffer.from(c));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The socket of an ioredis client (to pause or inspect it). */
export function socketOf(client: Redis): Socket {
  return (client as unknown as { stream: Socket }).stream;
}

/**
 * Runs a property with a moderate number of runs (FC_NUM_RUNS overrides). On failure fast-check
 * reports the seed, path and counterexample; the message also gets a ready-to-run replay command
 * (FC_SEED=<seed> FC_PATH=<path> npx vitest run <file>).
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<Ts>,
  file: string,
  numRuns = 200,
): Promise<void> {
  const parameters: fc.Parameters<Ts> = { numRuns: Number(process.env.FC_NUM_RUNS ?? numRuns) };
  if (process.env.FC_SEED !== undefined) parameters.seed = Number(process.env.FC_SEED);
  if (process.env.FC_PATH !== undefined) parameters.path = process.env.FC_PATH;
  try {
    await fc.assert(property, parameters);
  } catch (error) {
    const replay = error instanceof Error ? /seed: (-?\d+), path: "([^"]*)"/.exec(error.message) : null;
    if (error instanceof Error && replay !== null) {
      error.message += `\nReplay: FC_SEED=${replay[1]} FC_PATH=${replay[2]} npx vitest run ${file}`;
    }
    throw error;
  }
}

/** Glob syntax weighs most; letters make literal matches likely; é, 日, 🙂 are 2, 3 and 4 UTF-8 bytes. */
export const globChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('*', '?', '[', ']', '^', '-', '\\') },
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 2, arbitrary: fc.constantFrom('é', '日', '🙂') },
);
export const globKey = fc.string({ unit: globChar, maxLength: 6 });
export const globPattern = fc.string({ unit: globChar, maxLength: 8 });

export interface ServerCommand extends SeenCommand {
  /** Index of the server (in the `urls` given to commandsOnServers) that received the command. */
  server: number;
  /** Client address as MONITOR shows it (one per connection). */
  source: string;
}

/**
 * Runs `action` and returns every command the given servers received meanwhile from any
 * connection except the watcher's own (MONITOR on each, between ECHO markers sent to each).
 * For cluster tests, where a storage's connections are opened by ioredis itself.
 */
export async function commandsOnServers(
  urls: readonly string[],
  action: () => Promise<unknown>,
): Promise<ServerCommand[]> {
  const begin = `begin-${randomUUID()}`;
  const end = `end-${randomUUID()}`;
  const watchers = await Promise.all(
    urls.map(async (url, server) => {
      const marker = await rawClient(url);
      const monitor = await marker.monitor(); // a connection of its own, in MONITOR mode
      const seen: { source: string; args: string[] }[] = [];
      let markerSource: string | undefined;
      const marks = { begin: false, end: false };
      const waiters: (() => void)[] = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (args[0]?.toLowerCase() === 'echo' && (args[1] === begin || args[1] === end)) {
          markerSource = source;
          if (args[1] === begin) marks.begin = true;
          else marks.end = true;
          for (const wake of waiters.splice(0)) wake();
          if (args[1] === begin) return;
        }
        if (marks.begin && !marks.end) seen.push({ source, args });
      });
      const mark = async (which: 'begin' | 'end') => {
        await marker.echo(which === 'begin' ? begin : end);
        const deadline = Date.now() + 5000;
        while (!marks[which]) {
          if (Date.now() > deadline) throw new Error(`MONITOR on server #${server} never saw the ${which} marker`);
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 50);
          });
        }
      };
      const close = () => {
        monitor.disconnect();
        marker.disconnect();
      };
      return { server, seen, mark, close, source: () => markerSource };
    }),
  );
  try {
    await Promise.all(watchers.map((w) => w.mark('begin')));
    await action();
    await Promise.all(watchers.map((w) => w.mark('end')));
  } finally {
    for (const w of watchers) w.close();
  }
  return watchers.flatMap((w) =>
    w.seen
      .filter((c) => c.source !== w.source())
      .map((c) => ({
        server: w.server,
        source: c.source,
        name: (c.args[0] ?? '').toUpperCase(),
        args: c.args.slice(1).map(unrepr),
      })),
  );
}

/** Characters for generated key prefixes: glob syntax, braces (hash tags on a cluster), letters, `:`. */
const prefixChar = fc.oneof(globChar, fc.constantFrom('{', '}', ':'));

/**
 * CONTRACT "Namespaces and clear" as a property: two storages on one server (or cluster) whose
 * prefixes share a unique base, then differ in generated tails full of glob metacharacters (and
 * braces), neither tail a prefix of the other. Neither storage sees (get/mget/exists), lists or
 * counts (keys with `*` and a generated pattern) the other's keys, and clear() on one leaves the
 * other's keys and values intact. `open` makes a storage for a prefix; `close` releases it.
 */
export function isolationProperty(
  label: string,
  open: (prefix: string) => Promise<SaStorage>,
  close: (storage: SaStorage) => Promise<void>,
) {
  const tail = fc.string({ unit: prefixChar, maxLength: 5 });
  const keys = fc.uniqueArray(globKey, { maxLength: 6 });
  return fc.asyncProperty(
    fc.tuple(tail, tail).filter(([a, b]) => !a.startsWith(b) && !b.startsWith(a)),
    keys,
    keys,
    globPattern,
    async ([tail1, tail2], keys1, keys2, pattern) => {
      const base = uniquePrefix(label);
      const one = await open(base + tail1);
      const two = await open(base + tail2);
      const sorted = (list: readonly string[]) => [...list].sort();
      try {
        await one.mset(keys1.map((k) => [k, `one:${k}`]));
        await two.mset(keys2.map((k) => [k, `two:${k}`]));
        const all = [...new Set([...keys1, ...keys2])];
        for (const [storage, own, tag] of [
          [one, keys1, 'one'],
          [two, keys2, 'two'],
        ] as const) {
          expect(sorted(await storage.keys('*'))).toEqual(sorted(own));
          const matches = compilePattern(pattern);
          expect(sorted(await storage.keys(pattern))).toEqual(sorted(own.filter((k) => matches(k))));
          expect(await storage.mget(all)).toEqual(all.map((k) => (own.includes(k) ? `${tag}:${k}` : null)));
          for (const k of all) expect(await storage.exists(k)).toBe(own.includes(k));
        }
        await one.clear();
        expect(await one.keys('*')).toEqual([]);
        expect(sorted(await two.keys('*'))).toEqual(sorted(keys2));
        expect(await two.mget(keys2)).toEqual(keys2.map((k) => `two:${k}`));
      } finally {
        await one.clear().catch(() => {});
        await two.clear().catch(() => {});
        await close(one);
        await close(two);
      }
    },
  );
}

/** Throwaway TLS material made with the openssl command (see makeTestCertificates). */
export interface TestCertificates {
  readonly dir: string;
  /** Files for redis-server: the server certificate (signed by the CA) and its key, and the CA. */
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  /** PEM of the CA that signed the server certificate. */
  readonly ca: string;
  /** PEM of another CA, which signed nothing the server presents. */
  readonly wrongCa: string;
  remove(): void;
}

/**
 * A test CA, a server certificate it signed (CN=localhost, SAN localhost and 127.0.0.1, EC P-256,
 * valid 1 day) and an unrelated second CA, in a temporary directory.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'sa-storage-kit-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'];
  try {
    for (const ca of ['ca', 'wrong-ca']) {
      // biome-ignore format: one openssl invocation
      openssl('req', '-x509', ...ec, '-days', '1', '-subj', `/CN=sa-storage-kit ${ca}`, ...caExtensions,
        '-keyout', file(`${ca}.key`), '-out', file(`${ca}.pem`));
    }
    openssl('req', ...ec, '-subj', '/CN=localhost', '-keyout', file('key.pem'), '-out', file('server.csr'));
    writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    // biome-ignore format: one openssl invocation
    openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
      '-CAcreateserial', '-days', '1', '-extfile', file('server.ext'), '-out', file('cert.pem'));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the TLS tests need the openssl command to make a throwaway CA and certificate: ${String(error)}`);
  }
  return {
    dir,
    certFile: file('cert.pem'),
    keyFile: file('key.pem'),
    caFile: file('ca.pem'),
    ca: readFileSync(file('ca.pem'), 'utf8'),
    wrongCa: readFileSync(file('wrong-ca.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
