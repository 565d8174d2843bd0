/** A binary min-heap of (deadline, key) pairs in two parallel arrays (no per-item objects). */
export class ExpiryHeap {
  #deadlines: number[] = [];
  #keys: string[] = [];

  get size(): number {
    return this.#deadlines.length;
  }

  clear(): void {
    this.#deadlines = [];
    this.#keys = [];
  }

  push(deadline: number, key: string): void {
    const deadlines = this.#deadlines;
    const keys = this.#keys;
    let i = deadlines.length;
    deadlines.push(deadline);
    keys.push(key);
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
    return top;
  }
}
