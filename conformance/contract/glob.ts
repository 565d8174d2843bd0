/**
 * Redis `KEYS` glob matching, applied to the UTF-8 bytes of pattern and key.
 *
 * A faithful port of `stringmatchlen_impl` from Redis 7.0 (src/util.c), quirks
 * included: unclosed `[`, `[a-]`, reversed ranges, signed-char range comparison of
 * bytes >= 0x80, a trailing `\`. It keeps Redis's defence against hostile patterns
 * (CVE-2022-36021): once the rest of the pattern fails after a `*` from every
 * position, no earlier `*` retries longer matches, so `*a*a*a…b` runs in polynomial time.
 *
 * The one deliberate difference (CONTRACT.md, Patterns): the empty key is matched by
 * the empty pattern and by any pattern made only of `*`, as `KEYS *` and `SCAN MATCH *`
 * return it, whereas Redis's bare matcher rejects `**` for the empty key.
 */
import { assertWellFormedString } from './validation.js';

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;
/** Redis gives up beyond this many nested `*` (its own abuse guard). */
const MAX_NESTING = 1000;

const encoder = new TextEncoder();

/** Redis compares range bounds as (signed) C chars. */
function signed(byte: number): number {
  return byte < 0x80 ? byte : byte - 0x100;
}

interface MatchState {
  skipLongerMatches: boolean;
}

/**
 * Port of stringmatchlen_impl. `p`/`s` are offsets; reads past the pattern's end see 0,
 * as C reads the NUL terminator of Redis's pattern buffer.
 */
function matchBytes(
  pattern: Uint8Array,
  pStart: number,
  key: Uint8Array,
  sStart: number,
  sEnd: number,
  state: MatchState,
  nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false;
  const pEnd = pattern.length;
  const at = (i: number): number => (i < pEnd ? (pattern[i] as number) : 0);
  let p = pStart;
  let s = sStart;

  while (p < pEnd && s < sEnd) {
    const c = pattern[p] as number;
    if (c === STAR) {
      while (p < pEnd && at(p + 1) === STAR) p++;
      if (pEnd - p === 1) return true;
      while (s < sEnd) {
        if (matchBytes(pattern, p + 1, key, s, sEnd, state, nesting + 1)) return true;
        if (state.skipLongerMatches) return false;
        s++;
      }
      state.skipLongerMatches = true;
      return false;
    }
    if (c === QUESTION) {
      s++;
    } else if (c === OPEN) {
      p++;
      const negate = at(p) === CARET;
      if (negate) p++;
      const k = key[s] as number;
      let matched = false;
      for (;;) {
        if (at(p) === BACKSLASH && pEnd - p >= 2) {
          p++;
          if (at(p) === k) matched = true;
        } else if (at(p) === CLOSE) {
          break;
        } else if (p >= pEnd) {
          p--;
          break;
        } else if (pEnd - p >= 3 && at(p + 1) === DASH) {
          let start = signed(at(p));
          let end = signed(at(p + 2));
          if (start > end) [start, end] = [end, start];
          p += 2;
          const sk = signed(k);
          if (sk >= start && sk <= end) matched = true;
        } else if (at(p) === k) {
          matched = true;
        }
        p++;
      }
      if (negate) matched = !matched;
      if (!matched) return false;
      s++;
    } else {
      if (c === BACKSLASH && pEnd - p >= 2) p++;
      if (at(p) !== key[s]) return false;
      s++;
    }
    p++;
    if (s === sEnd) {
      while (at(p) === STAR) p++;
      break;
    }
  }
  return p >= pEnd && s === sEnd;
}

function isOnlyStars(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) if (pattern.charCodeAt(i) !== STAR) return false;
  return true;
}

/** True when the pattern has no glob syntax at all (it can only match itself). */
function isLiteral(pattern: string): boolean {
  return !/[*?[\\]/.test(pattern);
}

/**
 * Compiles a pattern once for matching many keys (`keys()` over a large store).
 * Inputs must be well-formed strings; validation is the caller's job.
 */
export function compilePattern(pattern: string): (key: string) => boolean {
  if (isOnlyStars(pattern)) {
    return pattern.length === 0 ? (key) => key.length === 0 : () => true;
  }
  if (isLiteral(pattern)) return (key) => key === pattern;
  // "literal*": a UTF-8 byte prefix of whole code points is a string prefix too.
  const body = pattern.replace(/\*+$/, '');
  if (body.length < pattern.length && isLiteral(body)) return (key) => key.startsWith(body);

  const patternBytes = encoder.encode(pattern);
  let scratch = new Uint8Array(256);
  return (key) => {
    if (key.length === 0) return false; // only star-only patterns match the empty key (handled above)
    if (key.length * 3 > scratch.length) scratch = new Uint8Array(key.length * 3);
    const { written } = encoder.encodeInto(key, scratch);
    return matchBytes(patternBytes, 0, scratch, 0, written, { skipLongerMatches: false }, 0);
  };
}

/**
 * Does `key` match the Redis glob `pattern`? Both must be well-formed strings
 * (anything else throws a SerializationError StorageError).
 */
export function matchesPattern(pattern: string, key: string): boolean {
  assertWellFormedString(pattern, 'pattern');
  assertWellFormedString(key, 'key');
  return compilePattern(pattern)(key);
}

/** Escapes every glob metacharacter so the string matches only itself (for key prefixes). */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}
