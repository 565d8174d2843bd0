// Run by test/jest.test.ts in a real Jest 30 process: the suite registered through Jest's own
// describe/test/beforeAll, against MemoryStorage (must pass) and a defect (must fail).
import { afterAll, beforeAll, describe, test } from '@jest/globals';

const kit = process.env.SA_KIT_DIST;
const { runSaStorageSuite } = await import(`${kit}/conformance/index.js`);
const { MemoryStorage } = await import(`${kit}/implementations/memory/index.js`);
const { defects } = await import(`${kit}/conformance/defects/index.js`);

runSaStorageSuite((ctx) => new MemoryStorage({ clock: ctx.clock }), {
  runner: { describe, test, beforeAll, afterAll },
  name: 'MemoryStorage',
  only: ['KV-01', 'TTL-01', 'CTR-01'],
  seed: 1,
});

const defect = defects.find((d) => d.id === process.env.SA_KIT_DEFECT);
runSaStorageSuite(defect.create, {
  runner: { describe, test, beforeAll, afterAll },
  name: `defect ${defect.id}`,
  only: defect.targets,
  seed: 1,
});
