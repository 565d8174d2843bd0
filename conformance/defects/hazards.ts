/**
 * Defects in the hazards issue #13 found the suite did not reach: expiry racing with writes,
 * keys that begin with the namespace, and bug patterns met in real backends (a Redis mock whose
 * SCAN ignores escapes, a listing that strips too much, a `*` that stops at a newline).
 */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, compilePattern, escapeGlob } from '../contract/index.js';
import type { Defect } from './defect.js';
import { globToRegExp } from './patterns.js';
import { type SharedEntry, SharedMapStorage } from './shared-map-storage.js';

/** get reclaims an expired entry only after an await, by key: whatever was written meanwhile goes. */
class ExpiredDeletedAfterYield extends SharedMapStorage {
  override async get(key: string): Promise<string | null> {
    assertWellFormedString(key, 'key');
    const fullKey = this.fullKey(key);
    const entry = this.entries.get(fullKey);
    if (entry === undefined) return null;
    if (this.isExpired(entry, this.clock.now())) {
      await Promise.resolve(); // e.g. an async DEL, or a log write first
      this.entries.delete(fullKey);
      return null;
    }
    return entry.value;
  }
}

/**
 * An expiry index (key → deadline at write time) swept by exists and ttl: the sweep re-checks each
 * due entry, then yields (an async batch delete) and deletes those keys, whatever they hold by then.
 */
class ExpiryIndexDeletesRewritten extends SharedMapStorage {
  async #sweep(): Promise<void> {
    const now = this.clock.now();
    const due = this.ownedKeys().filter((fullKey) => {
      const entry = this.entries.get(fullKey) as SharedEntry;
      return this.isExpired(entry, now);
    });
    if (due.length === 0) return;
    await Promise.resolve();
    for (const fullKey of due) this.entries.delete(fullKey);
  }
  override async exists(key: string): Promise<boolean> {
    assertWellFormedString(key, 'key');
    const sweep = this.#sweep();
    const live = this.live(key) !== undefined;
    await sweep;
    return live;
  }
  override async ttl(key: string): Promise<number | null> {
    const answer = super.ttl(key);
    await this.#sweep();
    return answer;
  }
}

/** Treats a key that already begins with the namespace as stored under it. */
class KeyTakenAsPrefixed extends SharedMapStorage {
  protected override fullKey(key: string): string {
    return key.startsWith(this.prefix) ? key : this.prefix + key;
  }
}

/** clear selects its keys with SCAN MATCH <escaped prefix>*, on a server whose matcher ignores escapes. */
class ScanIgnoresEscapes extends SharedMapStorage {
  override async clear(): Promise<void> {
    const unescaped = `${escapeGlob(this.prefix)}*`.replace(/\\(.)/gs, '$1');
    const matches = compilePattern(unescaped);
    for (const fullKey of [...this.entries.keys()]) if (matches(fullKey)) this.entries.delete(fullKey);
  }
}

/** keys removes the namespace up to its first ":" instead of the whole namespace. */
class ListingStripsToFirstSeparator extends SharedMapStorage {
  override async keys(pattern: string): Promise<string[]> {
    const listed = await super.keys(pattern);
    return listed.map((key) => {
      const full = this.prefix + key;
      return full.slice(full.indexOf(':') + 1);
    });
  }
}

/** keys translates the glob to a RegExp without the s flag, so `*` and `?` stop at a newline. */
class StarStopsAtNewline extends MemoryStorage {
  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const matches = compilePattern(pattern);
    // The RegExp translation, minus the s flag, decides for keys with a newline; Redis's matcher for the rest.
    const translated = globToRegExp(pattern, true);
    const noDotAll = translated && new RegExp(translated.source, translated.flags.replace('s', ''));
    return (await super.keys('*')).filter((key) =>
      key.includes('\n') && noDotAll ? noDotAll.test(key) : matches(key),
    );
  }
}

export const hazardDefects: readonly Defect[] = [
  {
    id: 'expired-key-deleted-after-yield',
    method: 'get',
    description:
      'get reclaims an expired entry after an await, by key, so a value written to that key in the meantime is deleted.',
    targets: ['TTL-11'],
    create: (ctx) => new ExpiredDeletedAfterYield(ctx),
  },
  {
    id: 'expiry-index-deletes-rewritten-key',
    method: ['exists', 'ttl'],
    description:
      'exists and ttl sweep an expiry index and delete the due keys after an await, so a key re-written or re-created meanwhile is lost.',
    targets: ['TTL-11'],
    create: (ctx) => new ExpiryIndexDeletesRewritten(ctx),
  },
  {
    id: 'key-with-namespace-taken-as-prefixed',
    method: ['set', 'get'],
    description:
      'a key that already begins with the namespace is stored as is, so "k" and "<namespace>k" are one entry.',
    targets: ['NS-04'],
    create: (ctx) => new KeyTakenAsPrefixed(ctx),
  },
  {
    id: 'scan-ignores-escapes',
    method: 'clear',
    description:
      'clear escapes its prefix for SCAN MATCH but the server’s matcher ignores backslash escapes, so clearing namespace "a*" also clears namespace "ab".',
    targets: ['NS-03'],
    create: (ctx) => new ScanIgnoresEscapes(ctx),
  },
  {
    id: 'keys-strips-namespace-to-first-separator',
    method: 'keys',
    description:
      'keys removes the namespace only up to its first ":", so a key "x" of namespace "a:b:" is listed as "b:x".',
    targets: ['PAT-06'],
    create: (ctx) => new ListingStripsToFirstSeparator(ctx),
  },
  {
    id: 'glob-star-stops-at-newline',
    method: 'keys',
    description: 'keys matches with a RegExp without the s flag, so `*` and `?` never match a newline.',
    targets: ['PAT-01'],
    create: (ctx) => new StarStopsAtNewline({ clock: ctx.clock }),
  },
];
