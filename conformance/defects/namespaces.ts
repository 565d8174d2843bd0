/** Defects in namespaces and clear (NS-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, compilePattern } from '../contract/index.js';
import type { Defect } from './defect.js';
import { SharedMapStorage } from './shared-map-storage.js';

/** clear deletes what keys("*") lists, through a truthiness filter. */
class ClearSkipsEmptyKey extends MemoryStorage {
  override async clear(): Promise<void> {
    const keys = await this.keys('*');
    await this.mdel(keys.filter((key) => key));
  }
}

/** keys selects this storage's entries with `KEYS <prefix>*`, the prefix unescaped. */
class PrefixGlobInKeys extends SharedMapStorage {
  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const mine = compilePattern(`${this.prefix}*`);
    const matches = compilePattern(pattern);
    const now = this.clock.now();
    const result: string[] = [];
    for (const [fullKey, entry] of this.entries) {
      const key = fullKey.slice(this.prefix.length);
      if (mine(fullKey) && !this.isExpired(entry, now) && matches(key)) result.push(key);
    }
    return result;
  }
}

export const namespaceDefects: readonly Defect[] = [
  {
    id: 'clear-skips-empty-key',
    method: 'clear',
    description: 'clear deletes the keys that keys("*") lists through a truthiness filter, so the empty key survives.',
    targets: ['NS-01'],
    create: (ctx) => new ClearSkipsEmptyKey({ clock: ctx.clock }),
  },
  {
    id: 'prefix-glob-in-keys',
    method: 'keys',
    description:
      'keys selects this storage’s entries with the glob `<prefix>*` without escaping the prefix, so a namespace such as "a*" lists the keys of namespace "ab".',
    targets: ['NS-02'],
    create: (ctx) => new PrefixGlobInKeys(ctx),
  },
];
