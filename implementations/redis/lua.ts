/**
 * The Lua scripts RedisStorage runs, sent as EVALSHA of their SHA1 (and as EVAL, which loads
 * them, to a server that answers NOSCRIPT: never loaded, restarted, SCRIPT FLUSH, another node).
 * A script is one command and runs atomically: cheaper than MULTI/EXEC (n + 2 commands), and
 * ioredis routes it on a cluster by its keys like any other command.
 */
import { createHash } from 'node:crypto';

export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

function luaScript(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * incr/decr (KEYS[1], ARGV[1] = 1 or -1): INCRBY and GET in one atomic step; INCRBY keeps the
 * TTL. The reply is GET's string because Lua numbers and ioredis's integer replies are both
 * doubles, which round beyond 2^53 (`tostring(redis.call('INCRBY', …))` answers
 * "9.2233720368548e+18").
 */
export const STEP_SCRIPT = luaScript(`redis.call('INCRBY', KEYS[1], ARGV[1])
return redis.call('GET', KEYS[1])`);

/**
 * mset of one slot group (KEYS, then ARGV = one value per key and the TTL in ms, or '' for
 * none): every SET in one atomic step, in order, so the last item of a duplicated key wins.
 * On a cluster, ioredis refuses a MULTI whose keys it wrongly believes to span nodes
 * (slots.ts, ioredisMisplaces); a script is redirected by MOVED like a single command.
 */
export const SET_ALL_SCRIPT = luaScript(`local ttl = ARGV[#ARGV]
for i, key in ipairs(KEYS) do
  if ttl == '' then redis.call('SET', key, ARGV[i]) else redis.call('SET', key, ARGV[i], 'PX', ttl) end
end
return #KEYS`);

/** The reply of EVALSHA for a script the server does not have. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
