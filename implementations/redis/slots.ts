/**
 * Redis Cluster hash slots, computed exactly as Redis does (cluster.c `keyHashSlot`):
 * CRC16-XMODEM of the key's UTF-8 bytes (or of its hash tag) modulo 16384.
 *
 * A hash tag is the part between the FIRST `{` and the first `}` after it, when that part is not
 * empty; `{` and `}` are ASCII, and UTF-8 never uses ASCII bytes inside multi-byte characters, so
 * searching the JS string finds the same positions as searching the bytes.
 *
 * Implemented here (a few lines) instead of importing `cluster-key-slot`, which is only a
 * transitive dependency of ioredis; test/redis-cluster.test.ts checks both agree with
 * `CLUSTER KEYSLOT`.
 */

export const SLOT_COUNT = 16384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/** CRC16-XMODEM (polynomial 0x1021, initial value 0, no reflection), the checksum Redis Cluster uses. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc;
}

/** The hash tag of a key (the text Redis hashes instead of the whole key), or undefined. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close <= open + 1) return undefined; // no `}`, or `{}`: the whole key is hashed
  return key.slice(open + 1, close);
}

/** The hash slot of a Redis key. */
export function keySlot(key: string): number {
  return crc16(Buffer.from(hashTag(key) ?? key, 'utf8')) % SLOT_COUNT;
}

/**
 * The slot of every key that starts with `prefix`, when the prefix alone decides it (it contains
 * a complete, non-empty hash tag such as `{app}:`); undefined when the slot depends on the key.
 */
export function prefixSlot(prefix: string): number | undefined {
  const tag = hashTag(prefix);
  return tag === undefined ? undefined : keySlot(prefix);
}

/**
 * Positions of `keys` grouped by hash slot, each group in the original order, groups in the
 * order of their first key. A multi-key command or MULTI/EXEC can take one group at a time.
 */
export function groupBySlot(keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const slot = keySlot(key);
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, [index]);
    else group.push(index);
  });
  return [...groups.values()];
}

/**
 * True when ioredis would compute another slot for this key than Redis does. ioredis uses
 * `cluster-key-slot` (1.1.1), which, when the first `{` is directly followed by `}`, keeps looking
 * for a later `}` and hashes what lies between, whereas Redis hashes the whole key (`foo{}{bar}`).
 * Single commands still arrive (Redis answers MOVED and ioredis follows), but ioredis refuses a
 * MULTI whose keys it believes to be on different nodes, so the storage writes such a slot group
 * with one Lua script instead (just as atomic).
 */
export function ioredisMisplaces(key: string): boolean {
  const open = key.indexOf('{');
  return open >= 0 && key.charCodeAt(open + 1) === 0x7d && key.indexOf('}', open + 2) >= 0;
}
