/** Defects in `keys(pattern)` (PAT-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, compilePattern } from '../contract/index.js';
import type { Defect } from './defect.js';
import { SharedMapStorage } from './shared-map-storage.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * The usual glob-to-RegExp translation: `*` → `.*`, `?` → `.`, `[…]` copied as a class, `\x` → x.
 * With `unicode`, `.` is one code point; without it, one UTF-16 code unit. Never bytes.
 * Returns null for a pattern the RegExp engine refuses (e.g. a reversed range).
 */
export function globToRegExp(glob: string, unicode: boolean): RegExp | null {
  const chars = unicode ? [...glob] : glob.split('');
  let source = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '\\' && i + 1 < chars.length) source += escapeRegExp(chars[++i] as string);
    else if (c === '[') {
      const close = chars.indexOf(']', i + 1);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let body = '';
      for (let j = i + 1; j < close; j++) {
        const b = chars[j] as string;
        if (j === i + 1 && b === '^') body += '^';
        else if (b === '-') body += '-';
        else if (b === '\\' && j + 1 < close) body += escapeRegExp(chars[++j] as string);
        else body += escapeRegExp(b);
      }
      source += `[${body}]`;
      i = close;
    } else source += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${source}$`, unicode ? 'su' : 's');
  } catch {
    return null;
  }
}

/** A MemoryStorage whose `keys` filters the live keys with its own matcher. */
abstract class CustomMatcher extends MemoryStorage {
  protected abstract matcher(pattern: string): (key: string) => boolean;
  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const matches = this.matcher(pattern);
    return (await super.keys('*')).filter((key) => matches(key));
  }
}

class CaseInsensitiveGlob extends CustomMatcher {
  protected matcher(pattern: string) {
    const matches = compilePattern(pattern.toLowerCase());
    return (key: string) => matches(key.toLowerCase());
  }
}

/** `*` is rewritten to `?*` (one or more), as a `.+` translation would do. */
class StarNeedsOneChar extends CustomMatcher {
  protected matcher(pattern: string) {
    let rewritten = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] as string;
      if (c === '\\') rewritten += c + (pattern[++i] ?? '');
      else rewritten += c === '*' ? '?*' : c;
    }
    return compilePattern(rewritten);
  }
}

/** The matcher has no escape character: a backslash only matches a backslash. */
class BackslashLiteral extends CustomMatcher {
  protected matcher(pattern: string) {
    return compilePattern(pattern.replaceAll('\\', '\\\\'));
  }
}

/** fnmatch habit: `[!…]` is read as a negated class (Redis only knows `[^…]`). */
class BangNegation extends CustomMatcher {
  protected matcher(pattern: string) {
    return compilePattern(pattern.replaceAll('[!', '[^'));
  }
}

class RegExpGlob extends CustomMatcher {
  constructor(
    options: ConstructorParameters<typeof MemoryStorage>[0],
    private readonly unicode: boolean,
  ) {
    super(options);
  }
  protected matcher(pattern: string) {
    const regex = globToRegExp(pattern, this.unicode);
    return (key: string) => regex?.test(key) ?? false;
  }
}

/** A faithful port of Redis's bare matcher, without the contract's exception for the empty key. */
class EmptyKeyBareMatcher extends CustomMatcher {
  protected matcher(pattern: string) {
    const matches = compilePattern(pattern);
    // Redis matches "" only with "" (and KEYS's own allkeys shortcut for exactly "*").
    return (key: string) => (key === '' ? pattern === '' || pattern === '*' : matches(key));
  }
}

class EmptyKeySkipped extends CustomMatcher {
  protected matcher(pattern: string) {
    const matches = compilePattern(pattern);
    return (key: string) => Boolean(key) && matches(key);
  }
}

/** Paged listing whose cursor is inclusive: the last key of each page of 100 starts the next page too. */
class ScanPagesOverlap extends MemoryStorage {
  override async keys(pattern: string): Promise<string[]> {
    const all = (await super.keys(pattern)).sort();
    const result: string[] = [];
    for (let start = 0; start < all.length; start += 99) {
      result.push(...all.slice(start, start + 100));
      if (start + 100 >= all.length) break;
    }
    return result;
  }
}

/** The listed keys keep their namespace prefix. */
class KeysReturnsPrefixed extends SharedMapStorage {
  override async keys(pattern: string): Promise<string[]> {
    const listed = await super.keys(pattern);
    return listed.map((key) => this.fullKey(key));
  }
}

export const patternDefects: readonly Defect[] = [
  {
    id: 'keys-case-insensitive',
    method: 'keys',
    description: 'keys matches case-insensitively, so "A" also lists "a".',
    targets: ['PAT-01'],
    create: (ctx) => new CaseInsensitiveGlob({ clock: ctx.clock }),
  },
  {
    id: 'glob-star-needs-one-char',
    method: 'keys',
    description: 'keys translates `*` as "one or more characters" (`.+`), so "a*" does not list "a".',
    targets: ['PAT-01', 'PAT-07'],
    create: (ctx) => new StarNeedsOneChar({ clock: ctx.clock }),
  },
  {
    id: 'glob-backslash-literal',
    method: 'keys',
    description: 'keys has no escape character, so "a\\*c" looks for a backslash instead of a literal star.',
    targets: ['PAT-02'],
    create: (ctx) => new BackslashLiteral({ clock: ctx.clock }),
  },
  {
    id: 'glob-bang-negation',
    method: 'keys',
    description: 'keys reads `[!b]` as a negated class, as fnmatch does, where Redis reads `!` as a class member.',
    targets: ['PAT-03'],
    create: (ctx) => new BangNegation({ clock: ctx.clock }),
  },
  {
    id: 'keys-regexp-glob',
    method: 'keys',
    description:
      'keys translates the glob to a Unicode RegExp, so Redis’s edge cases differ and `?` matches a whole code point instead of one UTF-8 byte.',
    targets: ['PAT-03', 'PAT-04', 'PAT-07'],
    create: (ctx) => new RegExpGlob({ clock: ctx.clock }, true),
  },
  {
    id: 'glob-question-matches-code-unit',
    method: 'keys',
    description:
      'keys matches on UTF-16 code units (a RegExp without the u flag), so `??` matches "日本" and "🙂" but not "é".',
    targets: ['PAT-04'],
    create: (ctx) => new RegExpGlob({ clock: ctx.clock }, false),
  },
  {
    id: 'empty-key-bare-redis-matcher',
    method: 'keys',
    description: 'keys uses Redis’s bare matcher for the empty key, so "**" does not list the key "".',
    targets: ['PAT-05'],
    create: (ctx) => new EmptyKeyBareMatcher({ clock: ctx.clock }),
  },
  {
    id: 'keys-skips-empty-key',
    method: 'keys',
    description: 'keys filters its result with a truthiness test, so the empty key is never listed.',
    targets: ['PAT-05'],
    create: (ctx) => new EmptyKeySkipped({ clock: ctx.clock }),
  },
  {
    id: 'keys-scan-pages-overlap',
    method: 'keys',
    description:
      'keys pages through the key space with an inclusive cursor, so the last key of every page of 100 is listed twice.',
    targets: ['PAT-06'],
    create: (ctx) => new ScanPagesOverlap({ clock: ctx.clock }),
  },
  {
    id: 'keys-returns-prefixed-keys',
    method: 'keys',
    description: 'keys returns the stored keys with their namespace prefix instead of the logical keys.',
    targets: ['PAT-06', 'NS-02'],
    create: (ctx) => new KeysReturnsPrefixed(ctx),
  },
];
