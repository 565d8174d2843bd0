import type { Clock } from './contract/index.js';

/** A clock the caller moves by hand: time stands still between `advance` calls. */
export class VirtualClock implements Clock {
  #now: number;

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  /** The current virtual time in ms (starts at 1,700,000,000,000 unless given). */
  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (>= 0). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance: ms must be >= 0, got ${ms}`);
    this.#now += ms;
  }
}
