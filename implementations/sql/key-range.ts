/**
 * Key ranges for SQL backends. Keys are compared as UTF-8 bytes (PostgreSQL bytea, SQLite text
 * under the BINARY collation), where "starts with P" is exactly the range [P, successor(P)):
 * an index range scan, with no LIKE/GLOB escaping to get wrong for prefixes holding `% _ \ * ? [ ]`.
 */

const MAX_CODE_POINT = 0x10ffff;

/** The next code point that is a Unicode scalar value (surrogates are skipped); undefined after U+10FFFF. */
function nextScalar(codePoint: number): number | undefined {
  if (codePoint >= MAX_CODE_POINT) return undefined;
  return codePoint === 0xd7ff ? 0xe000 : codePoint + 1;
}

/**
 * The smallest string greater than every string that starts with `prefix`, or null when there is
 * none (empty prefix, or only U+10FFFF). UTF-8 byte order is code point order, so replacing the
 * last code point by the next one bounds every extension of the prefix and nothing else.
 */
export function prefixUpperBound(prefix: string): string | null {
  const codePoints = Array.from(prefix, (char) => char.codePointAt(0) as number);
  while (codePoints.length > 0) {
    const last = codePoints.pop() as number;
    const next = nextScalar(last);
    if (next !== undefined) return String.fromCodePoint(...codePoints, next);
  }
  return null;
}

/** The literal start of a Redis glob (up to its first `* ? [ \`): every key it matches begins with it. */
export function literalHead(pattern: string): string {
  const end = pattern.search(/[*?[\\]/);
  return end === -1 ? pattern : pattern.slice(0, end);
}

/** Rows whose key starts with `start`: `low <= k` and, when `high` is not null, `k < high`. */
export interface KeyRange {
  readonly low: string;
  readonly high: string | null;
}

export function keyRange(start: string): KeyRange {
  return { low: start, high: prefixUpperBound(start) };
}
