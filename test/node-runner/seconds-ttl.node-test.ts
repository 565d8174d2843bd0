// A backend that truncates TTLs to whole seconds (sa-token-rust's Redis backend did): TTL rules must fail.

import type { Ttl } from '../../conformance/contract/index.js';
import { runSaStorageSuite } from '../../conformance/index.js';
import { MemoryStorage } from '../../implementations/memory/index.js';

class SecondsTtlStorage extends MemoryStorage {
  override set(key: string, value: string, ttl?: Ttl) {
    return super.set(key, value, typeof ttl === 'number' && ttl >= 1000 ? Math.floor(ttl / 1000) * 1000 : ttl);
  }
}

runSaStorageSuite((ctx) => new SecondsTtlStorage({ clock: ctx.clock }), {
  runner: 'node:test',
  only: ['TTL-01'],
  seed: 5,
});
