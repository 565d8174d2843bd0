/** The reference backend against the whole suite, as a backend author would run it. */
import { runSaStorageSuite } from '../conformance/index.js';
import { MemoryStorage } from '../implementations/memory/index.js';

runSaStorageSuite((ctx) => new MemoryStorage({ clock: ctx.clock }), { name: 'MemoryStorage' });
runSaStorageSuite(() => new MemoryStorage(), { name: 'MemoryStorage', clock: 'real' });
