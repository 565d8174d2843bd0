/** Area: patterns, `keys(pattern)` with the Redis glob. */
import fc from 'fast-check';
import { compilePattern } from '../contract/index.js';
import type { RuleContext } from '../suite/context.js';
import { checking, expectSameKeys } from '../suite/expect.js';
import { describeValue } from '../suite/failures.js';
import { runProperty } from '../suite/property.js';
import { GLOB_CASES, GLOB_KEYS } from './redis-glob-cases.js';
import { GLOB_EXTRA_CASES, GLOB_EXTRA_KEYS } from './redis-glob-extra-cases.js';
import type { Rule } from './rule.js';

const isAscii = (text: string) => /^[\x00-\x7f]*$/.test(text);
/** Patterns whose answers are Redis's quirks rather than ordinary glob. */
const EDGE_PATTERNS = new Set([
  '[',
  '[a',
  'a[',
  '[]',
  '[^]',
  '[]]',
  'a[-]',
  'a[a-]',
  'a[\\-]',
  'a[-c]',
  'a\\',
  'a[!b]c',
  'a[z-a]c',
]);
const isClassOrEscape = (pattern: string) => /[[\\]/.test(pattern);

async function checkCases(
  t: RuleContext,
  keys: readonly string[],
  select: (pattern: string) => boolean,
  explain: string,
): Promise<void> {
  const s = await t.storage();
  await s.mset(keys.map((key) => [key, 'v'] as const));
  const stored = new Set(keys);
  for (const { pattern, matches } of GLOB_CASES) {
    if (!select(pattern)) continue;
    const expected = matches.filter((key) => stored.has(key));
    expectSameKeys(await s.keys(pattern), expected, `keys(${JSON.stringify(pattern)}) ${explain}`);
  }
}

/**
 * The supplementary measured cases of one rule, over the whole supplementary key set (NUL and
 * DEL bytes, bytes >= 0x80, keys longer than 256 bytes, 1000-character keys).
 */
async function checkExtraCases(t: RuleContext, rule: (typeof GLOB_EXTRA_CASES)[number]['rule']): Promise<void> {
  const s = await t.storage();
  await s.mset(GLOB_EXTRA_KEYS.map((key) => [key, 'v'] as const));
  for (const { rule: owner, pattern, matches } of GLOB_EXTRA_CASES) {
    if (owner !== rule) continue;
    expectSameKeys(await s.keys(pattern), matches, `keys(${describeValue(pattern)}) over the supplementary keys`);
  }
}

const asciiKeys = GLOB_KEYS.filter((key) => key !== '' && isAscii(key));
const nonEmptyKeys = GLOB_KEYS.filter((key) => key !== '');

/** Alphabet heavy in glob syntax, plus multi-byte characters, so random patterns hit every branch. */
const globChar = fc.constantFrom('*', '?', '[', ']', '^', '-', '\\', 'a', 'b', 'c', ':', 'é', '日', '🙂');
const keyChar = fc.constantFrom('a', 'b', 'c', ':', '-', '^', ']', '[', '*', '?', '\\', 'é', '日', '🙂');

export const patternRules: readonly Rule[] = [
  {
    id: 'PAT-01',
    area: 'patterns',
    title: '*, ? and literals match as in Redis, anchored and case-sensitive',
    spec: '`keys(pattern)` applies the Redis `KEYS` glob: `*` matches any run, `?` exactly one byte, other characters themselves; the whole key must match, case-sensitively.',
    hint: 'match with compilePattern / matchesPattern from sa-storage-kit (Redis semantics); a hand-made regex is often unanchored (missing ^…$), case-insensitive, or lets `*` and `?` stop at a newline.',
    requires: ['keys'],
    run: async (t) => {
      await checkCases(t, asciiKeys, (p) => !isClassOrEscape(p), 'over ASCII keys');
      await checkExtraCases(t, 'PAT-01');
    },
  },
  {
    id: 'PAT-02',
    area: 'patterns',
    title: 'character classes, ranges and escapes match as in Redis',
    spec: '`[abc]`, `[^abc]` and `[a-z]` match one byte from (or, with `^`, not from) the set, a reversed range is swapped, and `\\x` matches x literally, inside and outside classes.',
    hint: 'check `^` negation (Redis does not treat `!` as negation), reversed ranges, and backslash escapes such as `a\\*c` and `[\\]]`.',
    requires: ['keys'],
    run: async (t) => {
      await checkCases(t, asciiKeys, (p) => isClassOrEscape(p) && !EDGE_PATTERNS.has(p), 'over ASCII keys');
      await checkExtraCases(t, 'PAT-02');
    },
  },
  {
    id: 'PAT-03',
    area: 'patterns',
    title: 'malformed patterns behave as Redis makes them behave',
    spec: 'Edge cases follow Redis 7.0: `[]` and `[` match nothing, `[^]` matches any single byte, an unclosed class such as `[a` ends at the pattern’s end, a trailing `\\` matches a backslash, `[a-]` is a range up to the closing bracket.',
    hint: 'port Redis’s stringmatchlen (src/util.c) instead of translating to a regex; a regex translation gets these wrong or throws.',
    requires: ['keys'],
    run: async (t) => {
      await checkCases(t, asciiKeys, (p) => EDGE_PATTERNS.has(p), 'over ASCII keys (a Redis edge case)');
      await checkExtraCases(t, 'PAT-03');
    },
  },
  {
    id: 'PAT-04',
    area: 'patterns',
    title: 'patterns match UTF-8 bytes',
    spec: 'Matching works on the UTF-8 bytes of pattern and key: `?` matches one byte (so `??` matches "é"), and a class holds bytes, not characters.',
    hint: 'encode both pattern and key to UTF-8 before matching; matching UTF-16 code units or code points differs for non-ASCII keys.',
    requires: ['keys'],
    run: async (t) => {
      await checkCases(
        t,
        nonEmptyKeys.filter((key) => !isAscii(key)),
        () => true,
        'over non-ASCII keys',
      );
      await checkExtraCases(t, 'PAT-04');
    },
  },
  {
    id: 'PAT-05',
    area: 'patterns',
    title: 'the empty key is matched only by the empty and star-only patterns',
    spec: 'The empty key is matched by the empty pattern and by any pattern made only of `*`, and by no other pattern.',
    hint: 'Redis’s bare matcher rejects `**` for the empty key while `KEYS *` returns it; the contract takes the KEYS/SCAN behaviour for every star-only pattern.',
    requires: ['keys'],
    async run(t) {
      const s = await t.storage();
      await s.set('', 'empty key');
      await s.set('a', 'v');
      for (const pattern of ['', '*', '**', '***']) {
        const expected = pattern === '' ? [''] : ['', 'a'];
        expectSameKeys(await s.keys(pattern), expected, `keys(${JSON.stringify(pattern)}) with keys "" and "a"`);
      }
      for (const pattern of ['?', '*?', '?*', '[a]', '\\*', 'a*']) {
        const expected = pattern === '\\*' ? [] : ['a'];
        expectSameKeys(await s.keys(pattern), expected, `keys(${JSON.stringify(pattern)}) with keys "" and "a"`);
      }
    },
  },
  {
    id: 'PAT-06',
    area: 'patterns',
    title: 'keys lists each live key once, as the logical key',
    spec: '`keys(pattern)` returns each matching live key of this storage exactly once, without any backend prefix, in any order, and never an expired key.',
    hint: 'keys lists each live key once, as an array, exactly as written: strip exactly the namespace (not up to a separator), de-duplicate (SCAN may return a key twice) and skip expired entries.',
    requires: ['keys'],
    async run(t) {
      const s = await t.storage();
      const many = Array.from({ length: 300 }, (_, i) => [`user:${i}`, 'v'] as const);
      await s.mset(many);
      await s.set('other', 'v');
      expectSameKeys(
        await s.keys('user:*'),
        many.map(([key]) => key),
        'keys("user:*") over 300 user keys',
      );
      await t.liveThenGone({
        write: (ttl) => s.set('user:temp', 'v', ttl),
        whileLive: async () =>
          expectSameKeys(await s.keys('user:t*'), ['user:temp'], 'keys("user:t*") before user:temp expires'),
        afterDeadline: async () =>
          expectSameKeys(await s.keys('user:t*'), [], 'keys("user:t*") after user:temp expired'),
      });
    },
  },
  {
    id: 'PAT-07',
    area: 'patterns',
    title: 'keys agrees with the reference glob on random keys and patterns',
    spec: 'For any set of keys and any pattern, `keys(pattern)` returns exactly the stored keys that the Redis glob matches.',
    hint: 'the counterexample shows the keys, the pattern and the difference; compare your matcher with matchesPattern from sa-storage-kit.',
    requires: ['keys'],
    async run(t) {
      const s = await t.storage();
      const arbitrary = fc.record({
        keys: fc.uniqueArray(fc.string({ unit: keyChar, maxLength: 5 }), { maxLength: 8 }),
        patterns: fc.array(fc.string({ unit: globChar, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
      });
      await runProperty(t, 'PAT-07', arbitrary, async ({ keys, patterns }) => {
        await s.clear();
        expectSameKeys(await s.keys('*'), [], checking('NS-01', 'clear', 'keys("*") right after clear()'));
        await s.mset(keys.map((key) => [key, 'v'] as const));
        for (const pattern of patterns) {
          const matches = compilePattern(pattern);
          expectSameKeys(
            await s.keys(pattern),
            keys.filter((key) => matches(key)),
            `keys(${JSON.stringify(pattern)}) over ${JSON.stringify(keys)}`,
          );
        }
      });
    },
  },
];
