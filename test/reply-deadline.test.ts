/**
 * ReplyDeadline: the one timer that bounds every Redis reply of a storage (commandTimeoutMs).
 * Driven by fake timers (setTimeout and performance.now), so each deadline is checked to the
 * millisecond without waiting; the real-server behaviour (a stalled redis-server) is in
 * redis-errors.test.ts and redis-faults.test.ts.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ReplyDeadline } from '../implementations/redis/reply-deadline.js';

const mapped = (error: unknown) => new Error(`mapped: ${error instanceof Error ? error.message : String(error)}`);

/** A reply that settles only when told to. */
function pendingReply<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Records how a promise settled, without leaving a rejection unhandled. */
function outcome<T>(promise: Promise<T>) {
  const seen: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: Error } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { state: 'resolved', value }),
    (error: Error) => Object.assign(seen, { state: 'rejected', error }),
  );
  return seen;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ReplyDeadline', () => {
  test('a reply that never comes rejects at exactly timeoutMs, through mapError', async () => {
    const deadline = new ReplyDeadline(100);
    const seen = outcome(deadline.watch(new Promise(() => {}), mapped));
    await vi.advanceTimersByTimeAsync(99);
    expect(seen.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.state).toBe('rejected');
    expect(seen.error?.message).toBe('mapped: Command timed out (no reply within 100 ms)');
  });

  test('replies in time pass through: values as they are, failures through mapError', async () => {
    const deadline = new ReplyDeadline(100);
    const ok = pendingReply<string>();
    const bad = pendingReply<string>();
    const a = outcome(deadline.watch(ok.promise, mapped));
    const b = outcome(deadline.watch(bad.promise, mapped));
    await vi.advanceTimersByTimeAsync(50);
    ok.resolve('v');
    bad.reject(new Error('WRONGTYPE'));
    await vi.advanceTimersByTimeAsync(0);
    expect(a).toEqual({ state: 'resolved', value: 'v' });
    expect(b.error?.message).toBe('mapped: WRONGTYPE');
    await vi.advanceTimersByTimeAsync(500); // the deadline passes: nothing changes, nothing stays armed
    expect(a.state).toBe('resolved');
    expect(vi.getTimerCount()).toBe(0);
  });

  test('commands sent at different times each time out at their own deadline, with one timer', async () => {
    const deadline = new ReplyDeadline(100);
    const never = () => new Promise<never>(() => {});
    const first = outcome(deadline.watch(never(), mapped)); // deadline 100
    await vi.advanceTimersByTimeAsync(40);
    const answered = pendingReply<number>();
    const second = outcome(deadline.watch(answered.promise, mapped)); // deadline 140, answered at 60
    await vi.advanceTimersByTimeAsync(40);
    const third = outcome(deadline.watch(never(), mapped)); // deadline 180
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(19); // t = 99
    expect(first.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1); // t = 100
    expect(first.state).toBe('rejected');
    answered.resolve(7);
    await vi.advanceTimersByTimeAsync(79); // t = 179
    expect(second).toEqual({ state: 'resolved', value: 7 });
    expect(third.state).toBe('pending');
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // t = 180
    expect(third.state).toBe('rejected');
    expect(vi.getTimerCount()).toBe(0);
  });

  test('10,000 replies in flight share one timer', async () => {
    const deadline = new ReplyDeadline(5_000);
    const replies = Array.from({ length: 10_000 }, () => pendingReply<string>());
    const seen = replies.map((reply) => outcome(deadline.watch(reply.promise, mapped)));
    expect(vi.getTimerCount()).toBe(1);
    replies.forEach((reply, i) => {
      if (i % 2 === 0) reply.resolve('ok');
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen.filter((s) => s.state === 'resolved').length).toBe(5_000);
    expect(seen.filter((s) => s.state === 'rejected').length).toBe(5_000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
