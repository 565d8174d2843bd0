/**
 * `MyStorage`, the backend the README's five-line examples import as './my-storage.js': the
 * conformant Map backend of docs/writing-a-backend.md, taking `{ clock, prefix }` as a
 * typical backend's options do. (An in-process store needs no prefix: every storage the suite
 * asks for is a new Map.)
 */
import { type Clock, systemClock } from 'sa-storage-kit';
import { MapStorage } from './conformant/map-storage.js';

export interface MyStorageOptions {
  /** Where time comes from; the suite passes `ctx.clock`. Default: the system clock. */
  readonly clock?: Clock;
  /** Key prefix; the suite passes `ctx.namespace`. */
  readonly prefix?: string;
}

export class MyStorage extends MapStorage {
  constructor(options: MyStorageOptions = {}) {
    super(options.clock ?? systemClock);
  }
}
