/** `sa-storage-kit/database` */
export { DatabaseStorage, type DatabaseStorageOptions } from './database-storage.js';
