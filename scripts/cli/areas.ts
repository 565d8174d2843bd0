/** Area names as the reports and the spec document show them, in spec order. */
import type { Area } from '../../conformance/index.js';

export const AREA_TITLES: Readonly<Record<Area, string>> = {
  wiring: 'Wiring: clock and namespace',
  'keys-values': 'Keys and values',
  ttl: 'Time and TTL',
  bulk: 'Bulk operations',
  counters: 'Counters',
  patterns: 'Patterns: keys(pattern)',
  namespaces: 'Namespaces and clear',
  failures: 'Failure discipline',
  concurrency: 'Concurrency',
  model: 'Model-based checking',
  stub: 'Unimplemented backends (stub profile)',
};

export const AREA_ORDER = Object.keys(AREA_TITLES) as Area[];
