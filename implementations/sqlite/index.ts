/** `sa-storage-kit/sqlite` (needs the optional peer dependency `better-sqlite3`, version 12). */
export { classifySqliteError } from './errors.js';
export { SqliteStorage, type SqliteStorageOptions, sqliteSchemaSql } from './sqlite-storage.js';
