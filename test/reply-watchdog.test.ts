/**
 * ReplyWatchdog: the one periodic check that bounds every Redis reply of a storage
 * (commandTimeoutMs) by looking at each connection's queue of commands awaiting a reply.
 * Driven with explicit check times (and once with fake timers), so every bound is checked to
 * the millisecond without waiting; the real-server behaviour (a stalled redis-server, a paused
 * cluster master) is in redis-errors.test.ts and redis-faults.test.ts.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  checkPeriodMs,
  ReplyWatchdog,
  type WatchedCommand,
  type WatchedConnection,
} from '../implementations/redis/reply-watchdog.js';

/** A command as ioredis queues it: settled once answered or rejected. */
class FakeCommand implements WatchedCommand {
  isSettled = false;
  rejectedWith: Error | undefined;
  constructor(readonly name: string) {}
  answer(): void {
    this.isSettled = true;
  }
  reject(error: Error): void {
    if (this.isSettled) return;
    this.isSettled = true;
    this.rejectedWith = error;
  }
}

/** A connection whose queue behaves like ioredis's: sent commands are pushed, answers shift them in order. */
class FakeConnection implements WatchedConnection {
  readonly items: { command: FakeCommand }[] = [];
  readonly commandQueue: WatchedConnection['commandQueue'];
  constructor() {
    const items = this.items;
    this.commandQueue = {
      get length() {
        return items.length;
      },
      peekAt: (index) => items.at(index),
      peekBack: () => items.at(-1),
    };
  }
  send(name: string): FakeCommand {
    const command = new FakeCommand(name);
    this.items.push({ command });
    return command;
  }
  /** The server answers the oldest command (a timed-out one's late reply is matched and ignored). */
  reply(): void {
    const item = this.items.shift();
    if (item && !item.command.isSettled) item.command.answer();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ReplyWatchdog', () => {
  test('the check period is a tenth of the timeout, between 1 and 50 ms', () => {
    expect(checkPeriodMs(300)).toBe(30);
    expect(checkPeriodMs(5000)).toBe(50);
    expect(checkPeriodMs(5)).toBe(1);
  });

  test('an unanswered command rejects once it has waited timeoutMs, never before', () => {
    const connection = new FakeConnection();
    const watchdog = new ReplyWatchdog(100, () => [connection], 10);
    const get = connection.send('get'); // sent at t = 5
    for (let t = 10; t < 110; t += 10) {
      watchdog.check(t); // noted at t = 10
      expect(get.isSettled, `rejected at t = ${t}`).toBe(false);
    }
    watchdog.check(110); // noted at 10 + 100
    expect(get.rejectedWith?.message).toBe('Command timed out (no reply within 100 ms)');
  });

  test('commands sent before the expired one are rejected with it; answered ones and later ones are not', () => {
    const connection = new FakeConnection();
    const watchdog = new ReplyWatchdog(100, () => [connection], 10);
    const answered = connection.send('a');
    const old = connection.send('b');
    const noted = connection.send('c');
    watchdog.check(0); // notes c
    answered.answer(); // answered, but still queued: a late reply behind a stalled one
    const later = connection.send('d');
    watchdog.check(50); // notes d
    watchdog.check(100);
    expect(answered.rejectedWith).toBeUndefined();
    expect(old.rejectedWith).toBeDefined();
    expect(noted.rejectedWith).toBeDefined();
    expect(later.isSettled).toBe(false); // waited only 50 ms
    watchdog.check(150);
    expect(later.rejectedWith).toBeDefined();
  });

  test('a connection whose replies keep coming never times out, however long the queue stays busy', () => {
    const connection = new FakeConnection();
    const watchdog = new ReplyWatchdog(100, () => [connection], 10);
    const sent: FakeCommand[] = [];
    for (let t = 0; t <= 1_000; t += 10) {
      for (let i = 0; i < 5; i++) sent.push(connection.send(`c${t}/${i}`));
      watchdog.check(t);
      // Each command is answered 60 ms after it was sent: always some queued, none late.
      while (connection.items.length > 30) connection.reply();
    }
    expect(sent.filter((c) => c.rejectedWith !== undefined)).toEqual([]);
  });

  test('a noted command that moved to another queue (cluster MOVED) rejects alone; younger commands stay', () => {
    const first = new FakeConnection();
    const second = new FakeConnection();
    const watchdog = new ReplyWatchdog(100, () => [first, second], 10);
    const moved = first.send('get');
    watchdog.check(0); // notes `moved` on the first connection
    // The first node answers MOVED: ioredis takes the command off this queue and re-sends it.
    first.items.shift();
    second.items.push({ command: moved });
    const younger = first.send('set');
    watchdog.check(90); // notes `younger` at 90
    watchdog.check(100);
    expect(moved.rejectedWith).toBeDefined();
    expect(younger.isSettled).toBe(false); // waited only 10 ms
    watchdog.check(190);
    expect(younger.rejectedWith).toBeDefined();
  });

  test('each connection is judged on its own queue (a stalled cluster master)', () => {
    const stalled = new FakeConnection();
    const healthy = new FakeConnection();
    const watchdog = new ReplyWatchdog(100, () => [stalled, healthy], 10);
    const stuck = stalled.send('get');
    const fine = healthy.send('get');
    watchdog.check(0);
    healthy.reply();
    const next = healthy.send('get');
    watchdog.check(100);
    expect(stuck.rejectedWith).toBeDefined();
    expect(fine.rejectedWith).toBeUndefined();
    expect(next.isSettled).toBe(false);
  });

  test('on its timer: rejects between timeoutMs and timeoutMs + 2 check periods; stop() ends the checks', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const connection = new FakeConnection();
    const watchdog = new ReplyWatchdog(300, () => [connection]); // checks every 30 ms
    watchdog.start();
    await vi.advanceTimersByTimeAsync(7);
    const get = connection.send('get'); // sent at t = 7
    await vi.advanceTimersByTimeAsync(299); // t = 306
    expect(get.isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(60); // t = 366 = 7 + 300 + 2 × 30 − 1
    expect(get.rejectedWith).toBeDefined();
    watchdog.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
