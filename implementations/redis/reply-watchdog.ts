/**
 * Bounds the wait for replies on a storage's connections with one periodic check, at no cost
 * per command. ioredis's own `commandTimeout` arms and clears a timer for every command; a
 * wrapper promise per command costs about as much. Neither is needed, because Redis answers
 * the commands of one connection in the order they were sent, and ioredis keeps them in that
 * order in the connection's `commandQueue`:
 *
 * every `checkEveryMs`, the watchdog notes the newest command of each connection and when it
 * saw it there. Once a noted command has been waiting `timeoutMs` (it was sent before it was
 * noted, so it has waited at least that long) and is still unanswered, it and every command
 * queued before it are rejected with "Command timed out" — exactly what ioredis's commandTimeout
 * does to a command (it stays queued, so a late reply is matched and ignored). A command thus
 * rejects between `timeoutMs` and `timeoutMs + 2 × checkEveryMs` (plus event-loop lag) after it
 * was sent: never early.
 */

/**
 * The part of an ioredis Command the watchdog uses (ioredis types queued commands as its
 * `Respondable`, which lacks `isSettled`; rejecting a settled command is a no-op anyway).
 */
export interface WatchedCommand {
  readonly isSettled?: boolean;
  reject(error: Error): void;
}

/** The part of an ioredis connection (Redis instance) the watchdog uses: its queue of commands awaiting a reply. */
export interface WatchedConnection {
  readonly commandQueue: {
    readonly length: number;
    peekAt(index: number): { command: WatchedCommand } | undefined;
    peekBack(): { command: WatchedCommand } | undefined;
  };
}

/**
 * True when `connection` exposes ioredis's command queue as the watchdog reads it. An
 * ioredis-compatible client without it (an in-memory mock, a wrapper) cannot be watched: the
 * storage bounds each of its commands with a timer instead (see RedisStorage).
 */
export function isWatchable(connection: unknown): connection is WatchedConnection {
  const queue = (connection as { commandQueue?: unknown } | null)?.commandQueue as
    | { length?: unknown; peekAt?: unknown; peekBack?: unknown }
    | null
    | undefined;
  return (
    typeof queue === 'object' &&
    queue !== null &&
    typeof queue.length === 'number' &&
    typeof queue.peekAt === 'function' &&
    typeof queue.peekBack === 'function'
  );
}

/** The check period for a timeout: a tenth of it, at most 50 ms (so at most 10 % or 50 ms late). */
export function checkPeriodMs(timeoutMs: number): number {
  return Math.min(50, Math.max(1, Math.ceil(timeoutMs / 10)));
}

interface Note {
  readonly command: WatchedCommand;
  /** performance.now() when the command was seen as the newest of its queue (monotonic clock). */
  readonly seenAt: number;
}

export class ReplyWatchdog {
  readonly timeoutMs: number;
  readonly checkEveryMs: number;
  readonly #connections: () => readonly WatchedConnection[];
  /** Per connection, the newest commands noted at past checks, oldest first. */
  readonly #notes = new WeakMap<WatchedConnection, Note[]>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    timeoutMs: number,
    connections: () => readonly WatchedConnection[],
    checkEveryMs = checkPeriodMs(timeoutMs),
  ) {
    this.timeoutMs = timeoutMs;
    this.checkEveryMs = checkEveryMs;
    this.#connections = connections;
  }

  /** Starts checking (unref'd: a socket with a command in flight keeps the process alive by itself). */
  start(): void {
    if (this.#timer === undefined) this.#timer = setInterval(() => this.check(), this.checkEveryMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One check of every connection (run by the timer; public for tests). */
  check(now = performance.now()): void {
    let connections: readonly WatchedConnection[];
    try {
      connections = this.#connections();
    } catch {
      return; // a topology that cannot be read now is read again at the next check
    }
    for (const connection of connections) {
      // Nothing a timer runs may crash the process: a connection whose internals are not
      // ioredis's is skipped (its commands are bounded per call instead).
      if (!isWatchable(connection)) continue;
      try {
        this.#checkConnection(connection, now);
      } catch {}
    }
  }

  #checkConnection(connection: WatchedConnection, now: number): void {
    const queue = connection.commandQueue;
    let notes = this.#notes.get(connection);
    if (notes === undefined) {
      notes = [];
      this.#notes.set(connection, notes);
    }
    // The newest noted command that has waited timeoutMs, if any (older notes are covered by it).
    let expired: WatchedCommand | undefined;
    while (notes.length > 0 && (notes[0] as Note).seenAt + this.timeoutMs <= now) {
      expired = (notes.shift() as Note).command;
    }
    if (expired !== undefined && expired.isSettled !== true) {
      // Everything queued before it is older; answered or rejected ones are skipped. A command
      // that left this queue unanswered (a cluster MOVED re-sends the same command to another
      // node) rejects alone: what is queued here now may be younger than timeoutMs.
      const error = new Error(`Command timed out (no reply within ${this.timeoutMs} ms)`);
      let position = 0;
      while (position < queue.length && queue.peekAt(position)?.command !== expired) position++;
      if (position === queue.length) position = 0;
      for (let i = 0; i < position; i++) {
        const command = queue.peekAt(i)?.command;
        if (command !== undefined && command.isSettled !== true) command.reject(error);
      }
      expired.reject(error);
    }
    const newest = queue.peekBack()?.command;
    if (newest !== undefined && newest.isSettled !== true && notes.at(-1)?.command !== newest) {
      notes.push({ command: newest, seenAt: now });
    }
  }
}
