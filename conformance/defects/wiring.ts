/** Defects in how a backend is wired to the suite's context (WIRE-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import type { Clock } from '../contract/index.js';
import type { Defect } from './defect.js';
import { SharedMapStorage } from './shared-map-storage.js';

/** Reads `clock.now()` at most once per real millisecond and serves the cached value in between. */
function cachedClock(clock: Clock): Clock {
  let realMs = Number.NaN;
  let cached = 0;
  return {
    now() {
      const real = Date.now();
      if (real !== realMs) {
        realMs = real;
        cached = clock.now();
      }
      return cached;
    },
  };
}

export const wiringDefects: readonly Defect[] = [
  {
    id: 'clock-not-read',
    method: 'clock',
    description:
      'the factory builds the backend without ctx.clock, so it keeps the system time and TTLs never move with the suite’s clock.',
    targets: ['WIRE-01'],
    create: () => new MemoryStorage(),
  },
  {
    id: 'clock-cached-per-millisecond',
    method: 'clock',
    description:
      'the backend caches "now" and reads the clock again only when a real millisecond has passed, so a move of the clock is seen late.',
    targets: ['WIRE-03'],
    create: (ctx) => new MemoryStorage({ clock: cachedClock(ctx.clock) }),
  },
  {
    id: 'namespace-ignored',
    method: 'namespace',
    description:
      'the factory ignores ctx.namespace, so every storage made on one shared store sees and clears the keys of every other.',
    targets: ['WIRE-02'],
    create: (ctx) => new SharedMapStorage({ clock: ctx.clock, namespace: 'one-shared-prefix:' }),
  },
];
