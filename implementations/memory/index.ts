/** `sa-storage-kit/memory` */
export { MemoryStorage, type MemoryStorageOptions } from './memory-storage.js';
