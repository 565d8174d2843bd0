/** `sa-storage-kit/redis` (needs the optional peer dependency `ioredis`). */
export { parseRedisUrl } from './config.js';
export {
  type RedisConfig,
  type RedisConnectOptions,
  type RedisFromClientOptions,
  RedisStorage,
  RedisStorageBuilder,
} from './redis-storage.js';
