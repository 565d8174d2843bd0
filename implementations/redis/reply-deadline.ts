/**
 * Bounds the wait for replies with one timer for the whole storage instead of one per command.
 *
 * Every command gets the same timeout, so deadlines grow in the order commands were sent and
 * the oldest waiting command is always the next to expire: a Set (iterated in insertion order)
 * holds the waiting commands, and a single timer is armed for the oldest deadline. A reply
 * removes its entry in O(1); the timer rejects every entry whose deadline has passed and
 * re-arms for the next one. ioredis's own `commandTimeout` arms and clears a timer per command,
 * which costs measurably more on the hot path (docs/benchmarks.md).
 */

interface Waiter {
  /** performance.now() time: monotonic, so a wall-clock jump neither fires nor delays deadlines. */
  readonly deadline: number;
  readonly reject: (error: Error) => void;
  readonly mapError: (error: unknown) => Error;
}

export class ReplyDeadline {
  readonly timeoutMs: number;
  readonly #waiting = new Set<Waiter>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /**
   * A promise that settles like `reply`, or rejects with "Command timed out" once `timeoutMs`
   * have passed without a reply. `mapError` turns the reply's own failure into what the caller
   * sees (the timeout error goes through it too), so callers need no second promise to map errors.
   */
  watch<T>(reply: Promise<T>, mapError: (error: unknown) => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { deadline: performance.now() + this.timeoutMs, reject, mapError };
      this.#waiting.add(waiter);
      if (this.#timer === undefined) this.#arm(this.timeoutMs);
      reply.then(
        (value) => {
          this.#waiting.delete(waiter);
          resolve(value);
        },
        (error: unknown) => {
          this.#waiting.delete(waiter);
          reject(mapError(error));
        },
      );
    });
  }

  #arm(delayMs: number): void {
    // Unref'd: a socket with a command in flight keeps the process alive by itself.
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, delayMs)).unref();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const waiter of this.#waiting) {
      if (waiter.deadline > now) {
        this.#arm(waiter.deadline - now);
        return;
      }
      this.#waiting.delete(waiter);
      waiter.reject(waiter.mapError(new Error(`Command timed out (no reply within ${this.timeoutMs} ms)`)));
    }
  }
}
