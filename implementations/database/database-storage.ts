/**
 * DatabaseStorage: the stub the sa-token seed ships. It exists so that code written
 * against a database backend compiles and fails loudly; every call rejects with
 * InternalError. The conformance suite checks exactly that (its stub mode).
 */
import { type Entry, SaStorageBase, StorageError, type Ttl } from '../../conformance/contract/index.js';

/** Kept so the constructor signature matches the real backend it stands in for. */
export type DatabaseStorageOptions = string;

function notImplemented(method: string): Promise<never> {
  return Promise.reject(new StorageError('InternalError', `Not implemented: DatabaseStorage.${method}`));
}

/**
 * The seed's unimplemented database backend: `connect()` and every method reject with
 * `InternalError`, as rejected promises. Check a stub like it with `expect: 'unimplemented'`.
 */
export class DatabaseStorage extends SaStorageBase {
  /** The connection URL it was given (unused). */
  readonly url: string;

  constructor(url: DatabaseStorageOptions) {
    super();
    this.url = url;
  }

  /** Always rejects: the database backend is not written yet. */
  static connect(_url: DatabaseStorageOptions): Promise<DatabaseStorage> {
    return Promise.reject(
      new StorageError('InternalError', 'DatabaseStorage is not implemented yet; use memory or redis storage'),
    );
  }

  get(_key: string): Promise<string | null> {
    return notImplemented('get');
  }
  set(_key: string, _value: string, _ttl?: Ttl): Promise<void> {
    return notImplemented('set');
  }
  delete(_key: string): Promise<void> {
    return notImplemented('delete');
  }
  exists(_key: string): Promise<boolean> {
    return notImplemented('exists');
  }
  expire(_key: string, _ttl: number): Promise<void> {
    return notImplemented('expire');
  }
  ttl(_key: string): Promise<number | null> {
    return notImplemented('ttl');
  }
  clear(): Promise<void> {
    return notImplemented('clear');
  }
  override mget(_keys: readonly string[]): Promise<(string | null)[]> {
    return notImplemented('mget');
  }
  override mset(_items: readonly Entry[], _ttl?: Ttl): Promise<void> {
    return notImplemented('mset');
  }
  override mdel(_keys: readonly string[]): Promise<void> {
    return notImplemented('mdel');
  }
  override incr(_key: string): Promise<number> {
    return notImplemented('incr');
  }
  override decr(_key: string): Promise<number> {
    return notImplemented('decr');
  }
  override keys(_pattern: string): Promise<string[]> {
    return notImplemented('keys');
  }
}
