/**
 * A binary min-heap of (deadline, key) pairs in two parallel arrays (no per-item objects).
 * The arrays are reallocated once they shrink to a quarter of their largest size: popping
 * does not give an array's backing store back, and after a million keys expire that would
 * keep ~20 MB for nothing.
 */
export class ExpiryHeap {
  #deadlines: number[] = [];
  #keys: string[] = [];
  /** Largest size since the arrays were last allocated (a bound on their backing stores). */
  #peak = 0;

  get size(): number {
    return this.#deadlines.length;
  }

  clear(): void {
    this.#deadlines = [];
    this.#keys = [];
    this.#peak = 0;
  }

  push(deadline: number, key: string): void {
    const deadlines = this.#deadlines;
    const keys = this.#keys;
    let i = deadlines.length;
    deadlines.push(deadline);
    keys.push(key);
    if (i >= this.#peak) this.#peak = i + 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((deadlines[parent] as number) <= deadline) break;
      deadlines[i] = deadlines[parent] as number;
      keys[i] = keys[parent] as string;
      i = parent;
    }
    deadlines[i] = deadline;
    keys[i] = key;
  }

  /** Removes and returns the earliest item if its deadline has passed (`now > deadline`). */
  popDue(now: number): { deadline: number; key: string } | undefined {
    const deadlines = this.#deadlines;
    const keys = this.#keys;
    if (deadlines.length === 0 || !(now > (deadlines[0] as number))) return undefined;
    const top = { deadline: deadlines[0] as number, key: keys[0] as string };
    const lastDeadline = deadlines.pop() as number;
    const lastKey = keys.pop() as string;
    const n = deadlines.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && (deadlines[right] as number) < (deadlines[left] as number) ? right : left;
        if ((deadlines[child] as number) >= lastDeadline) break;
        deadlines[i] = deadlines[child] as number;
        keys[i] = keys[child] as string;
        i = child;
      }
      deadlines[i] = lastDeadline;
      keys[i] = lastKey;
    }
    if (this.#peak > 1024 && n < this.#peak >> 2) {
      this.#deadlines = deadlines.slice();
      this.#keys = keys.slice();
      this.#peak = n;
    }
    return top;
  }
}
