/** Area: keys and values. */
import { checking, expectEqual, expectRejection } from '../suite/expect.js';
import type { Rule } from './rule.js';

/** Keys and values every backend must store exactly (CONTRACT: any well-formed string). */
export const AWKWARD_STRINGS: readonly string[] = [
  '',
  ' ',
  '  leading and trailing  ',
  'line\nbreak\r\n',
  'tab\there',
  '* ? [ ] \\ : ^ - !',
  'sa:token:{app}:1',
  'é日本語ü',
  '🙂👩‍💻',
  'nul\u0000inside',
  '"quoted" \'single\' `back`',
  'percent %s %d %%',
  '0',
  'null',
];

/** Pairs that naive backends merge: Unicode normalisation, case, trailing space, prefix relation. */
const LOOKALIKE_KEYS: readonly string[] = ['e\u0301', '\u00e9', 'KEY', 'key', 'key ', 'key\u0000', 'ke', 'key:'];

const ILL_FORMED: readonly string[] = ['\ud800', 'a\udc00b', '\udfff\ud800', 'x\ud83d'];
const NOT_STRINGS: readonly unknown[] = [42, undefined, null, { toString: () => 'k' }, ['k'], true, Symbol.for('k')];

export const keysValuesRules: readonly Rule[] = [
  {
    id: 'KV-01',
    area: 'keys-values',
    title: 'set then get returns the value; a missing key reads as null',
    spec: '`get(k)` resolves to the exact string last written by `set(k, v)`, and to `null` for a key that was never written or was deleted.',
    hint: 'check that get returns null (not undefined or "") for missing keys and that set overwrites an existing value.',
    async run(t) {
      const s = await t.storage();
      expectEqual(await s.get('missing'), null, 'get("missing") on an empty storage');
      await s.set('k', 'v1');
      expectEqual(await s.get('k'), 'v1', 'get("k") after set("k", "v1")');
      await s.set('k', 'v2');
      expectEqual(await s.get('k'), 'v2', 'get("k") after overwriting with "v2"');
    },
  },
  {
    id: 'KV-02',
    area: 'keys-values',
    title: 'the empty string is a value, not an absence',
    spec: '`set(k, "")` stores the empty string: `get(k)` resolves to `""` (not `null`) and `exists(k)` to `true`.',
    hint: 'check for a falsy test such as `value || null` or `if (!value)` in get/set.',
    async run(t) {
      const s = await t.storage();
      await s.set('empty', '');
      expectEqual(await s.get('empty'), '', checking(undefined, 'get', 'get("empty") after set("empty", "")'));
      expectEqual(await s.exists('empty'), true, 'exists("empty") after set("empty", "")');
      expectEqual(await s.mget(['empty']), [''], 'mget(["empty"]) after set("empty", "")');
    },
  },
  {
    id: 'KV-03',
    area: 'keys-values',
    title: 'any well-formed string is a valid key and value',
    spec: 'Every well-formed string, including `""`, spaces, newlines, NUL, `* ? [ ] \\ :`, non-ASCII and emoji, round-trips exactly as a key and as a value.',
    hint: 'check escaping, trimming, encoding (UTF-8 both ways) and that keys are not interpreted as patterns.',
    async run(t) {
      const s = await t.storage();
      for (const text of AWKWARD_STRINGS) {
        await s.set(text, `value of ${text}`);
        await s.set(`key of ${text}`, text);
      }
      for (const text of AWKWARD_STRINGS) {
        expectEqual(await s.get(text), `value of ${text}`, `get(${JSON.stringify(text)}) after set(…) of it`);
        expectEqual(await s.get(`key of ${text}`), text, `get(${JSON.stringify(`key of ${text}`)}) after set(…) of it`);
      }
    },
  },
  {
    id: 'KV-04',
    area: 'keys-values',
    title: 'large values and keys round-trip',
    spec: 'Values of at least 1 MiB and keys of at least 8 KiB round-trip exactly.',
    hint: 'check column sizes, request size limits and truncation in the backend.',
    requires: ['large-values'],
    async run(t) {
      const s = await t.storage();
      const value = 'v🙂é'.repeat(1 << 18).slice(0, 1 << 20);
      const key = 'k€'.repeat(4 << 10);
      await s.set(key, value);
      const back = await s.get(key);
      expectEqual(back?.length, value.length, 'length of get(<8 KiB key>) after set(<8 KiB key>, <1 MiB value>)');
      expectEqual(back === value, true, 'the 1 MiB value read back is identical');
      // Two long keys that differ only in their last character: truncation would merge them.
      await s.set(`${key}1`, 'one');
      await s.set(`${key}2`, 'two');
      expectEqual(
        await s.mget([`${key}1`, `${key}2`]),
        ['one', 'two'],
        'mget of two 8 KiB keys differing in the last character, after set(…) of each',
      );
    },
  },
  {
    id: 'KV-05',
    area: 'keys-values',
    title: 'delete removes a key; deleting a missing key resolves',
    spec: '`delete(k)` makes `get(k)` resolve to `null` and `exists(k)` to `false`; deleting a missing key resolves and changes nothing else.',
    hint: 'check that delete does not throw for missing keys and does not remove other keys.',
    async run(t) {
      const s = await t.storage();
      await s.set('a', '1');
      await s.set('b', '2', t.time.shortTtlMs * 100);
      await s.delete('a');
      await s.delete('b');
      await s.delete('never-written');
      expectEqual(await s.get('a'), null, 'get("a") after delete("a")');
      expectEqual(await s.exists('b'), false, 'exists("b") after delete of a key with a TTL');
      await s.set('c', '3');
      await s.delete('cc');
      expectEqual(await s.get('c'), '3', 'get("c") after delete("cc") of a missing key');
    },
  },
  {
    id: 'KV-06',
    area: 'keys-values',
    title: 'exists tells whether a live key is present',
    spec: '`exists(k)` resolves to `true` for a live key (whatever its value) and `false` for a missing key.',
    hint: 'check that exists returns a boolean (not 0/1 or the value) and handles the "" value.',
    async run(t) {
      const s = await t.storage();
      expectEqual(await s.exists('k'), false, 'exists("k") on an empty storage');
      await s.set('k', '0');
      expectEqual(await s.exists('k'), true, 'exists("k") after set("k", "0")');
    },
  },
  {
    id: 'KV-07',
    area: 'keys-values',
    title: 'ill-formed strings are rejected and change nothing',
    spec: 'A key, value or pattern that is an ill-formed string (a lone UTF-16 surrogate) rejects with `SerializationError` and changes nothing.',
    hint: 'check keys and values with assertWellFormedString (String.prototype.isWellFormed) before encoding; UTF-8 encoders silently replace lone surrogates with U+FFFD, so two distinct keys would collide.',
    async run(t) {
      const s = await t.storage();
      await s.set('\ufffd', 'replacement-char key');
      await s.set('k', 'kept');
      for (const bad of ILL_FORMED) {
        const shown = JSON.stringify(bad);
        await expectRejection(() => s.set(bad, 'v'), 'SerializationError', `set(${shown}, "v")`);
        await expectRejection(() => s.set('k', bad), 'SerializationError', `set("k", ${shown})`);
        await expectRejection(() => s.get(bad), 'SerializationError', `get(${shown})`);
        await expectRejection(() => s.delete(bad), 'SerializationError', `delete(${shown})`);
        await expectRejection(() => s.exists(bad), 'SerializationError', `exists(${shown})`);
        await expectRejection(() => s.expire(bad, 1000), 'SerializationError', `expire(${shown}, 1000)`);
        await expectRejection(() => s.ttl(bad), 'SerializationError', `ttl(${shown})`);
        await expectRejection(() => s.incr(bad), 'SerializationError', `incr(${shown})`);
        await expectRejection(() => s.decr(bad), 'SerializationError', `decr(${shown})`);
        await expectRejection(() => s.keys(bad), 'SerializationError', `keys(${shown})`);
      }
      expectEqual(await s.get('k'), 'kept', 'get("k") after the rejected calls');
      expectEqual(await s.get('\ufffd'), 'replacement-char key', 'get("\\ufffd") after the rejected calls');
    },
  },
  {
    id: 'KV-08',
    area: 'keys-values',
    title: 'keys, values and patterns that are not strings are rejected',
    spec: 'A key, value or pattern that is not a string (a number, `undefined`, `null`, an object…) rejects with `SerializationError` and changes nothing.',
    hint: 'check keys and values with assertWellFormedString before using them: no implicit String(x), so 42 and "42" never become the same key.',
    async run(t) {
      const s = await t.storage();
      await s.set('42', 'string key');
      for (const bad of NOT_STRINGS) {
        const shown = typeof bad === 'symbol' ? 'Symbol(k)' : (JSON.stringify(bad) ?? String(bad));
        const anyBad = bad as string;
        await expectRejection(() => s.set(anyBad, 'v'), 'SerializationError', `set(${shown}, "v")`);
        await expectRejection(() => s.set('42', anyBad), 'SerializationError', `set("42", ${shown})`);
        await expectRejection(() => s.get(anyBad), 'SerializationError', `get(${shown})`);
        await expectRejection(() => s.keys(anyBad), 'SerializationError', `keys(${shown})`);
      }
      await expectRejection(() => s.delete(42 as never), 'SerializationError', 'delete(42)');
      expectEqual(await s.get('42'), 'string key', 'get("42") after the rejected calls');
    },
  },
  {
    id: 'KV-09',
    area: 'keys-values',
    title: 'distinct strings are distinct keys',
    spec: 'Keys are compared as exact strings: keys that differ only in Unicode normalisation, case, trailing space or a trailing NUL are different keys.',
    hint: 'check for lower-casing, trimming, Unicode normalisation or C-string truncation of keys.',
    async run(t) {
      const s = await t.storage();
      for (const [i, key] of LOOKALIKE_KEYS.entries()) await s.set(key, `v${i}`);
      for (const [i, key] of LOOKALIKE_KEYS.entries()) {
        expectEqual(await s.get(key), `v${i}`, `get(${JSON.stringify(key)})`);
      }
    },
  },
  {
    id: 'KV-10',
    area: 'keys-values',
    title: 'a key is never read as a pattern',
    spec: 'Every single-key and bulk method treats its key literally: a key containing `* ? [ ] \\` names exactly that key and never the keys it would match as a glob.',
    hint: 'check for KEYS/SCAN MATCH or a glob or regex built from the key in exists, delete, ttl, expire, incr or mdel; only keys(pattern) takes a pattern.',
    async run(t) {
      const s = await t.storage();
      await s.mset([
        ['ab', '1'],
        ['a]', '2'],
      ]);
      for (const glob of ['a*', 'a?', '[a]b', 'a\\b', '*']) {
        const shown = JSON.stringify(glob);
        expectEqual(await s.exists(glob), false, `exists(${shown}) with only "ab" and "a]" stored`);
        expectEqual(await s.get(glob), null, `get(${shown}) with only "ab" and "a]" stored`);
        expectEqual(await s.ttl(glob), null, `ttl(${shown}) with only "ab" and "a]" stored`);
        await s.expire(glob, 1000);
        await s.delete(glob);
        await s.mdel([glob]);
      }
      expectEqual(
        await s.mget(['ab', 'a]']),
        ['1', '2'],
        'mget(["ab", "a]"]) after delete(…), mdel(…) and expire(…) of glob-like keys',
      );
      expectEqual(await s.ttl('ab'), null, 'ttl("ab") after expire("a*", 1000)');
      expectEqual(await s.incr('a*'), 1, 'incr("a*") with "ab" stored (a new key)');
      expectEqual(await s.get('ab'), '1', 'get("ab") after incr("a*")');
    },
  },
];
