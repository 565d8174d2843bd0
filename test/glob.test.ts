import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { escapeGlob, isStorageError, matchesPattern } from '../conformance/contract/index.js';

interface GlobCase {
  pattern: string;
  matches: string[];
}

const [header, ...cases] = readFileSync(new URL('./fixtures/glob-cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));
const storedKeys: string[] = header.keys;

/**
 * The hostile-pattern child's deadline: the polynomial matcher needs well under a second; the
 * rest is tsx start-up on a loaded machine.
 */
const DEADLINE_MS = 20_000;

const onlyStars = (pattern: string) => /^\**$/.test(pattern);

describe('matchesPattern against Redis 7.0.15 KEYS answers (fixtures/glob-cases.jsonl)', () => {
  test.each((cases as GlobCase[]).map((c) => [JSON.stringify(c.pattern), c] as const))('pattern %s', (_, c) => {
    const expected = new Set(c.matches);
    // The contract's one deliberate difference: star-only patterns also match the empty key.
    if (onlyStars(c.pattern)) expected.add('');
    const actual = storedKeys.filter((key) => matchesPattern(c.pattern, key));
    expect(new Set(actual)).toEqual(expected);
  });

  test('the empty key: matched by "" and star-only patterns, by nothing else', () => {
    for (const pattern of ['', '*', '**', '***']) expect(matchesPattern(pattern, '')).toBe(true);
    for (const pattern of ['?', 'a', '[a]', '*?', '\\*', '?*']) expect(matchesPattern(pattern, '')).toBe(false);
  });
});

describe('matchesPattern edge cases', () => {
  test('? matches one UTF-8 byte, not one character', () => {
    expect(matchesPattern('??', 'é')).toBe(true);
    expect(matchesPattern('?', 'é')).toBe(false);
    expect(matchesPattern('????', '🙂')).toBe(true);
  });

  test('ranges compare bytes >= 0x80 as signed chars, like Redis', () => {
    // 'é' is C3 A9; [\x01-é] spans from -61 (0xC3) .. 1 after the swap, so 'a' (0x61) is outside.
    expect(matchesPattern('[\u0001-é]*', 'a')).toBe(false);
  });

  test('is case-sensitive and anchored', () => {
    expect(matchesPattern('a', 'A')).toBe(false);
    expect(matchesPattern('b', 'ab')).toBe(false);
    expect(matchesPattern('a', 'ab')).toBe(false);
  });

  test('escapeGlob makes any string match only itself', () => {
    for (const literal of ['a*b', '[x]', 'a\\', '?', 'sa:{app}:', '^-]', '']) {
      expect(matchesPattern(escapeGlob(literal), literal)).toBe(true);
      expect(matchesPattern(`${escapeGlob(literal)}*`, `${literal}tail`)).toBe(true);
      expect(matchesPattern(escapeGlob(literal), `${literal}x`)).toBe(false);
    }
  });

  test('rejects ill-formed or non-string input with a SerializationError', () => {
    for (const call of [
      () => matchesPattern('\ud800', 'a'),
      () => matchesPattern('*', '\udc00'),
      () => matchesPattern(1 as never, 'a'),
    ]) {
      let caught: unknown;
      try {
        call();
      } catch (error) {
        caught = error;
      }
      expect(isStorageError(caught) && caught.kind).toBe('SerializationError');
    }
  });

  // Redis fixed CVE-2022-36021: exponential backtracking on patterns like *a*a*a…b. The
  // exponential version would not finish for years, and a synchronous loop cannot be interrupted
  // by a test timeout: the patterns run in a child process that is killed at the deadline.
  test('hostile patterns stay polynomial (CVE-2022-36021), under a deadline the test enforces', async () => {
    const glob = new URL('../conformance/contract/glob.ts', import.meta.url).href;
    const script = `
      const { matchesPattern } = await import(${JSON.stringify(glob)});
      const key = 'a'.repeat(20_000);
      console.log(JSON.stringify([
        matchesPattern(${JSON.stringify(`${'*a'.repeat(100)}b`)}, key),
        matchesPattern(${JSON.stringify(`${'*a'.repeat(100)}*`)}, key),
        matchesPattern(${JSON.stringify(`${'*?'.repeat(500)}b`)}, key),
      ]));`;
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env,
      timeout: DEADLINE_MS, // SIGTERM at the deadline: a hang becomes a failure, not a stuck run
    });
    expect(run.signal, `still matching after ${DEADLINE_MS} ms: exponential backtracking?`).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([false, true, false]);
  });
});
