/**
 * The defect set: deliberately broken backends, one small deviation each, with the rule ids that
 * must report it. test/defects.test.ts proves every rule of the registry catches at least one.
 */
import { bulkDefects } from './bulk.js';
import { concurrencyDefects } from './concurrency.js';
import { counterDefects } from './counters.js';
import type { Defect } from './defect.js';
import { failureDefects } from './failures.js';
import { formerHoleDefects } from './former-holes.js';
import { hazardDefects } from './hazards.js';
import { keysValuesDefects } from './keys-values.js';
import { modelDefects } from './model.js';
import { namespaceDefects } from './namespaces.js';
import { patternDefects } from './patterns.js';
import { saTokenRustDefects } from './sa-token-rust.js';
import { stubDefects } from './stub.js';
import { ttlDefects } from './ttl.js';
import { wiringDefects } from './wiring.js';

export type { Defect } from './defect.js';
export { type KnownHole, knownHoles } from './holes.js';
export { SharedMapStorage } from './shared-map-storage.js';

/** Every deliberately broken backend; each rule of the registry catches at least one. */
export const defects: readonly Defect[] = [
  ...wiringDefects,
  ...keysValuesDefects,
  ...ttlDefects,
  ...bulkDefects,
  ...counterDefects,
  ...patternDefects,
  ...namespaceDefects,
  ...failureDefects,
  ...concurrencyDefects,
  ...modelDefects,
  ...stubDefects,
  ...saTokenRustDefects,
  ...formerHoleDefects,
  ...hazardDefects,
];
