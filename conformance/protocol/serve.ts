/**
 * The other side of the protocol, for any in-process SaStorage: reads request lines, answers
 * each one as its call settles (so answers may come in any order), logs on stderr. This is
 * `sa-storage-kit serve --backend memory`, the reference a backend author compares against.
 */
import type { Readable, Writable } from 'node:stream';
import {
  type Clock,
  isStorageError,
  SA_STORAGE_METHODS,
  type SaStorage,
  type SaStorageMethod,
  systemClock,
} from '../contract/index.js';
import { operationArguments, PROTOCOL_VERSION } from './messages.js';

/** Makes the storage behind a store; `clock` reads the current request's `now` (or the system clock). */
export type ServedStorageFactory = (namespace: string, clock: Clock) => SaStorage;

/** Where `serveProtocol` reads requests and writes answers. */
export interface ServeOptions {
  /** Request lines, one JSON object each (stdin for `sa-storage-kit serve`). */
  readonly input: Readable;
  /** Response lines, one JSON object each (stdout); nothing else is written here. */
  readonly output: Writable;
  /** Where the server logs (default: nothing). */
  readonly log?: (line: string) => void;
  /** Name given in the hello answer. */
  readonly name?: string;
}

const METHODS: ReadonlySet<string> = new Set(SA_STORAGE_METHODS);

interface Store {
  readonly storage: SaStorage;
  readonly namespace: string;
}

/**
 * Serves until the input ends. Stores opened for one namespace share their data (like clients
 * of one server), until the last of them is closed.
 */
export async function serveProtocol(makeStorage: ServedStorageFactory, options: ServeOptions): Promise<void> {
  const { output } = options;
  const log = options.log ?? (() => undefined);
  // The `now` of the latest request that carried one (virtual mode): a storage reads its clock
  // synchronously when called, and a background sweep must not see the real time instead.
  let requestNow: number | undefined;
  const clock: Clock = { now: () => requestNow ?? systemClock.now() };
  const shared = new Map<string, { storage: SaStorage; handles: number }>();
  const stores = new Map<string, Store>();
  let nextHandle = 1;

  // Answers settled while one chunk of input is handled go out in one write. A tick, not
  // setImmediate: answers settle in the microtasks after the chunk, and the tick queue runs once
  // they are drained, without waiting for the event loop's check phase.
  let outbox: string[] = [];
  const flush = () => {
    const text = outbox.join('');
    outbox = [];
    output.write(text);
  };
  const send = (message: object) => {
    if (outbox.push(`${JSON.stringify(message)}\n`) === 1) process.nextTick(flush);
  };
  const answer = (id: unknown, outcome: Promise<unknown>) =>
    outcome.then(
      (result) => send({ id, result: result === undefined ? null : result }),
      (error: unknown) =>
        send({
          id,
          error: isStorageError(error)
            ? { kind: error.kind, message: error.message }
            : { kind: 'InternalError', message: String((error as Error)?.message ?? error) },
        }),
    );

  const handle = (request: Record<string, unknown>): Promise<unknown> => {
    const op = request.op;
    if (op === 'hello') return Promise.resolve({ protocol: PROTOCOL_VERSION, name: options.name ?? 'sa-storage-kit' });
    if (op === 'open') {
      const namespace = String(request.namespace);
      const entry = shared.get(namespace) ?? { storage: makeStorage(namespace, clock), handles: 0 };
      entry.handles += 1;
      shared.set(namespace, entry);
      const id = `s${nextHandle++}`;
      stores.set(id, { storage: entry.storage, namespace });
      return Promise.resolve(id);
    }
    const store = stores.get(String(request.store));
    if (op === 'close') {
      if (store !== undefined) {
        stores.delete(String(request.store));
        const entry = shared.get(store.namespace);
        if (entry !== undefined && --entry.handles === 0) {
          shared.delete(store.namespace);
          void (store.storage as { close?: () => unknown }).close?.();
        }
      }
      return Promise.resolve(null);
    }
    if (typeof op !== 'string' || !METHODS.has(op)) {
      return Promise.reject({ message: `unknown op ${JSON.stringify(op)}` });
    }
    if (store === undefined) return Promise.reject({ message: `unknown store ${JSON.stringify(request.store)}` });
    const method = op as SaStorageMethod;
    const fn = store.storage[method] as (...args: unknown[]) => Promise<unknown>;
    try {
      return Promise.resolve(fn.apply(store.storage, operationArguments(request)));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const onLine = (line: string) => {
    if (line.trim() === '') return;
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(line) as Record<string, unknown>;
    } catch {
      log(`ignored a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (typeof request.now === 'number') requestNow = request.now;
    void answer(request.id, handle(request));
  };
  await new Promise<void>((resolve, reject) => {
    let partial = '';
    options.input.setEncoding('utf8');
    options.input.on('data', (chunk: string) => {
      // Only the new chunk is searched for line ends: a 1 MiB value arrives in dozens of chunks,
      // and splitting the whole partial line again at each one made reading it quadratic.
      let newline = chunk.indexOf('\n');
      if (newline === -1) {
        partial += chunk;
        return;
      }
      let line = partial + chunk.slice(0, newline);
      let start = newline + 1;
      for (;;) {
        onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
        newline = chunk.indexOf('\n', start);
        if (newline === -1) break;
        line = chunk.slice(start, newline);
        start = newline + 1;
      }
      partial = chunk.slice(start);
    });
    options.input.once('end', () => {
      if (partial !== '') onLine(partial);
      resolve();
    });
    options.input.once('error', reject);
  });
  // Let the last answers settle and go out before returning.
  await new Promise((resolve) => setImmediate(resolve));
  if (outbox.length > 0) flush();
  log('input ended; exiting');
  for (const { storage } of shared.values()) await (storage as { close?: () => unknown }).close?.();
}
