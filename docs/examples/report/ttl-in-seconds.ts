/**
 * One bug, for the README's "reading a report": ttl() answers whole seconds, as a port of
 * a Redis `TTL` (instead of `PTTL`) call would. Everything else is MemoryStorage.
 */
import type { FactoryContext } from 'sa-storage-kit/conformance';
import { MemoryStorage } from 'sa-storage-kit/memory';

class SecondsTtlStorage extends MemoryStorage {
  override async ttl(key: string): Promise<number | null> {
    const remainingMs = await super.ttl(key);
    return remainingMs === null ? null : Math.ceil(remainingMs / 1000);
  }
}

export default (ctx: FactoryContext) => new SecondsTtlStorage({ clock: ctx.clock });
