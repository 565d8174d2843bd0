/** `sa-storage-kit/postgres` (needs the optional peer dependency `pg`). */
export { classifyPostgresError } from './errors.js';
export {
  type PostgresConnectOptions,
  PostgresStorage,
  type PostgresStorageOptions,
  postgresSchemaSql,
} from './postgres-storage.js';
