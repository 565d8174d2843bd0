/** The reference backend against the whole suite, as a backend author would run it. */

import { MemoryStorage } from '../implementations/memory/index.js';
import { runStrictSuite } from './helpers.js';

runStrictSuite((ctx) => new MemoryStorage({ clock: ctx.clock }), { name: 'MemoryStorage' });
runStrictSuite(() => new MemoryStorage(), { name: 'MemoryStorage', clock: 'real' });
