/**
 * Measures the supplementary glob cases (conformance/rules/redis-glob-extra-cases.ts) on a live
 * redis-server, the way redis-facts/glob-cases.jsonl was measured: store the key set in an empty
 * database, ask `KEYS <pattern>` for each pattern, record the answer.
 *
 * These cases pin Redis quirks the first fixture did not reach and that mutation testing showed
 * the suite could not see (NUL bytes read as the pattern's terminator, signed-char ranges with
 * bytes >= 0x80, unclosed classes ending in `\` or `x-`, the nesting guard, star runs, keys longer
 * than the matcher's first scratch buffer).
 *
 * Usage (the server must be Redis 7.0.15 and database 15 must be empty; nothing else is touched):
 *   redis-server --port 6399 --save '' --appendonly no &
 *   REDIS_URL=redis://127.0.0.1:6399 npx tsx stryker/measure-glob-cases.ts
 *   npx biome check --write conformance/rules/redis-glob-extra-cases.ts
 */
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';

const EXPECTED_VERSION = '7.0.15';
const DB = 15;

/** Byte-heavy keys: NUL, DEL, U+0080, multi-byte, and long keys. Never the empty key (PAT-05 owns it). */
export const EXTRA_KEYS: readonly string[] = [
  'a',
  'b',
  'c',
  'ab',
  'ba',
  'abc',
  'xab',
  'A',
  '^',
  '*',
  '?',
  '-',
  ':',
  '\\',
  ']',
  '[',
  '\u0000',
  'a\u0000',
  '^\u0000',
  ']\u0000',
  '\\\u0000',
  '\u007f',
  'c\u007f',
  '\u0080',
  'ÿ',
  'é',
  '日',
  '🙂',
  `${'x'.repeat(300)}end`,
  'a'.repeat(1000),
  'a'.repeat(1001),
];

type PatternRule = 'PAT-01' | 'PAT-02' | 'PAT-03' | 'PAT-04';

/** Each pattern with the rule whose sentence it illustrates. */
export const EXTRA_PATTERNS: readonly (readonly [PatternRule, string])[] = [
  // PAT-01: `*`, `?`, literals, anchored; bytes past the pattern's end are not NUL characters.
  ['PAT-01', '?'],
  ['PAT-01', 'a'],
  ['PAT-01', '^'],
  ['PAT-01', '??'],
  ['PAT-01', '**a'],
  ['PAT-01', '*?*b'],
  ['PAT-01', '*a*b'],
  ['PAT-01', 'a*b*'],
  ['PAT-01', '?*?'],
  ['PAT-01', '*end'],
  ['PAT-01', 'x*d'],
  ['PAT-01', '???*end'],
  ['PAT-01', `${'*'.repeat(1001)}a`],
  ['PAT-01', `a${'*'.repeat(20)}`],
  // PAT-02: classes, negation, ranges (reversed ones swapped, both ends included), escapes.
  ['PAT-02', '[a^-?]'],
  ['PAT-02', '[?-^]'],
  ['PAT-02', '[^a^-?]'],
  ['PAT-02', '[a-c]'],
  ['PAT-02', '[c-a]'],
  ['PAT-02', '[\\]]'],
  ['PAT-02', '[\\\\]'],
  ['PAT-02', '[a\\-]'],
  ['PAT-02', '[^\\\\]'],
  ['PAT-02', '\\?'],
  // PAT-03: malformed patterns: unclosed classes (also right after `\` or `x-`), a trailing `\`,
  // and the nesting guard (more than 1000 nested `*` never match).
  ['PAT-03', '['],
  ['PAT-03', '[^'],
  ['PAT-03', '[\\'],
  ['PAT-03', '[\\:'],
  ['PAT-03', '[c-'],
  ['PAT-03', '[z-'],
  ['PAT-03', '[a-'],
  ['PAT-03', 'a['],
  ['PAT-03', '\\'],
  ['PAT-03', 'a\\'],
  ['PAT-03', '*a'.repeat(1000)],
  ['PAT-03', '*a'.repeat(1001)],
  // PAT-04: UTF-8 bytes; range bounds compare as signed C chars, so bytes >= 0x80 sort below ASCII.
  ['PAT-04', '?'],
  ['PAT-04', '??'],
  ['PAT-04', '**🙂'],
  ['PAT-04', '*?*b'],
  ['PAT-04', '[\u0080-a]'],
  ['PAT-04', '[\u0080-a'],
  ['PAT-04', '[\u0080--'],
  ['PAT-04', '[日-?]'],
  ['PAT-04', '[日-?'],
  ['PAT-04', '?[\u0080-ÿ]'],
  ['PAT-04', '*[c-é]'],
  ['PAT-04', '[*-🙂]'],
  ['PAT-04', '[^*-🙂]'],
  ['PAT-04', '[a-ÿ]'],
  ['PAT-04', '[ÿ-a]?'],
];

const utf8 = (text: string) => Buffer.from(text, 'utf8');

async function main(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = new Redis(url, { db: DB, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const info = await client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1];
    if (version !== EXPECTED_VERSION) throw new Error(`expected Redis ${EXPECTED_VERSION}, got ${version}`);
    if ((await client.dbsize()) !== 0) throw new Error(`database ${DB} of ${url} is not empty; refusing to touch it`);
    for (const key of EXTRA_KEYS) await client.set(utf8(key), 'v');
    const cases: { rule: PatternRule; pattern: string; matches: string[] }[] = [];
    for (const [rule, pattern] of EXTRA_PATTERNS) {
      const answer = (await client.keysBuffer(pattern)).map((key) => key.toString('utf8'));
      answer.sort((x, y) => Buffer.compare(utf8(x), utf8(y)));
      cases.push({ rule, pattern, matches: answer });
    }
    await client.flushdb();
    writeFileSync(new URL('../conformance/rules/redis-glob-extra-cases.ts', import.meta.url), render(version, cases));
    console.log(`measured ${cases.length} patterns over ${EXTRA_KEYS.length} keys on Redis ${version}`);
  } finally {
    client.disconnect();
  }
}

/** A string literal; long runs are written as `'x'.repeat(n)` and C1/DEL controls escaped. */
function literal(text: string): string {
  const quote = (part: string) =>
    JSON.stringify(part).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const unit of [1, 2]) {
    const head = text.slice(0, unit);
    let n = 0;
    while (head.length === unit && text.startsWith(head, n * unit)) n++;
    if (n >= 20) {
      const rest = text.slice(n * unit);
      if (rest === '') return `${quote(head)}.repeat(${n})`;
      const tail = quote(rest).slice(1, -1).replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
      return `\`\${${quote(head)}.repeat(${n})}${tail}\``;
    }
  }
  return quote(text);
}

function render(version: string, cases: readonly { rule: string; pattern: string; matches: string[] }[]): string {
  const lines = [
    '/**',
    ` * Supplementary \`KEYS\` answers measured on Redis ${version} by stryker/measure-glob-cases.ts (generated:`,
    ' * do not edit by hand; change the script and re-measure). Each case names the rule it illustrates;',
    ' * every key of GLOB_EXTRA_KEYS is stored and `matches` is exactly what KEYS returned.',
    ' */',
    `export const GLOB_EXTRA_KEYS: readonly string[] = [${EXTRA_KEYS.map(literal).join(', ')}];`,
    '',
    'export const GLOB_EXTRA_CASES: readonly {',
    "  readonly rule: 'PAT-01' | 'PAT-02' | 'PAT-03' | 'PAT-04';",
    '  readonly pattern: string;',
    '  readonly matches: readonly string[];',
    '}[] = [',
    ...cases.map(
      (c) =>
        `  { rule: '${c.rule}', pattern: ${literal(c.pattern)}, matches: [${c.matches.map(literal).join(', ')}] },`,
    ),
    '];',
    '',
  ];
  return lines.join('\n');
}

await main();
