/** `sa-storage-kit/redis` (needs the optional peer dependency `ioredis`). */
export { parseRedisUrl } from './config.js';
export {
  type RedisClusterNode,
  type RedisClusterOptions,
  type RedisConfig,
  type RedisConnectOptions,
  type RedisFromClientOptions,
  RedisStorage,
  RedisStorageBuilder,
} from './redis-storage.js';
export { keySlot, prefixSlot } from './slots.js';
