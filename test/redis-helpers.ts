/** Shared helpers for the Redis test files (test/redis-*.test.ts, test/glob.redis.test.ts). */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { isStorageError, type StorageError, type StorageErrorKind } from '../conformance/contract/index.js';

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
