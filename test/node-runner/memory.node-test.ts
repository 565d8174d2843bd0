// Run by test/runners.test.ts with `node --import tsx --test`: the suite under node:test.
import { runSaStorageSuite } from '../../conformance/index.js';
import { MemoryStorage } from '../../implementations/memory/index.js';

runSaStorageSuite((ctx) => new MemoryStorage({ clock: ctx.clock }), {
  runner: 'node:test',
  name: 'MemoryStorage under node:test',
  unsupported: process.env.DECLARE_NO_KEYS ? { keys: 'declared by the test' } : {},
});
