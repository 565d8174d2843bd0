/** Reclaim probe polling period (ms): each poll forces a full GC, which also steals time from the sweepers being measured. */
export const POLL_MS = 1000;

/** Sizes and round counts of a full run (`npm run bench`) and of a smoke run (`npm run bench:quick`). */

export interface BenchSettings {
  readonly mode: 'full' | 'quick';
  /** Interleaved rounds for the in-process throughput rows. */
  readonly memoryRounds: number;
  /** Target duration of one in-process sample (ms). */
  readonly memorySampleMs: number;
  /** Keys preloaded for get/incr/mget (each store gets its own copy). */
  readonly memoryWorkingSet: number;
  /** Store size for the `keys('prefix:*')` row (half of them match). */
  readonly memoryKeysStoreSize: number;
  /** Keys for the memory-footprint and reclaim probes. */
  readonly footprintKeys: number;
  /** TTL of the keys in the reclaim probe (ms) and how long to wait for reclamation after it (ms). */
  readonly reclaimTtlMs: number;
  readonly reclaimWaitMs: number;
  /** Interleaved rounds for the Redis throughput rows. */
  readonly redisRounds: number;
  /** Target duration of one Redis sample (ms): its op count comes from the baseline's warm-up rate. */
  readonly redisSampleMs: number;
  /** Keys for the Redis `clear`/`keys` rows, and rounds of them. */
  readonly redisBulkKeys: number;
  readonly redisBulkRounds: number;
  /** Rounds for the conformance-suite rows (virtual clock, and the slower real-clock/defect rows). */
  readonly suiteRounds: number;
  readonly suiteSlowRounds: number;
  /** Interleaved rounds for the PostgreSQL/SQLite rows, and the target duration of one sample (ms). */
  readonly sqlRounds: number;
  readonly sqlSampleMs: number;
}

export const FULL: BenchSettings = {
  mode: 'full',
  memoryRounds: 11,
  memorySampleMs: 40,
  memoryWorkingSet: 10_000,
  memoryKeysStoreSize: 100_000,
  footprintKeys: 1_000_000,
  reclaimTtlMs: 1_000,
  reclaimWaitMs: 8_000,
  redisRounds: 21,
  redisSampleMs: 15,
  redisBulkKeys: 1_000_000,
  redisBulkRounds: 3,
  suiteRounds: 3,
  suiteSlowRounds: 1,
  sqlRounds: 11,
  sqlSampleMs: 40,
};

export const QUICK: BenchSettings = {
  mode: 'quick',
  memoryRounds: 3,
  memorySampleMs: 10,
  memoryWorkingSet: 2_000,
  memoryKeysStoreSize: 10_000,
  footprintKeys: 100_000,
  reclaimTtlMs: 300,
  reclaimWaitMs: 3_000,
  redisRounds: 5,
  redisSampleMs: 8,
  redisBulkKeys: 50_000,
  redisBulkRounds: 2,
  suiteRounds: 1,
  suiteSlowRounds: 1,
  sqlRounds: 3,
  sqlSampleMs: 15,
};
