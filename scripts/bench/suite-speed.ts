/**
 * Time to verdict of the conformance suite: the full default suite on MemoryStorage (virtual
 * and real clock), on RedisStorage (real clock, when a Redis URL is given), the stub in both
 * modes, and the whole defect set. Part of `npm run bench`; also runs on its own
 * (`npx tsx scripts/bench/suite-speed.ts`, which starts a throwaway redis-server if it can).
 * Aims (issue #3): memory suite < 5 s, defect set < 60 s on 2 cores. Measured, never asserted.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SaStorage } from '../../conformance/contract/index.js';
import { checkConformance } from '../../conformance/index.js';
import type { ClockMode, DisposableStorage, FactoryContext, SuiteOptions } from '../../conformance/suite/types.js';
import { DatabaseStorage } from '../../implementations/database/index.js';
import { MemoryStorage } from '../../implementations/memory/index.js';
import { RedisStorage } from '../../implementations/redis/index.js';
import { measureSqlSuiteSpeed } from './sql-suite-speed.js';
import { median, progress } from './stats.js';

export interface SuiteRow {
  readonly name: string;
  /** Median time to verdict (ms); NaN when skipped. */
  readonly ms: number;
  readonly rounds: number;
  readonly verdict: string;
}

export interface SuiteSpeedOptions {
  /** Rounds for the fast rows (virtual clock, stub). */
  readonly rounds: number;
  /** Rounds for the real-clock rows and the defect set. */
  readonly slowRounds: number;
  /** A Redis server for the RedisStorage row; omitted: the row is skipped. */
  readonly redisUrl?: string;
  readonly seed?: number;
}

/** The shape of conformance/defects' `Defect` that this bench needs (imported dynamically). */
interface DefectLike {
  readonly id: string;
  readonly targets: readonly string[];
  readonly clock?: ClockMode;
  readonly options?: Partial<SuiteOptions>;
  create(ctx: FactoryContext): SaStorage | DisposableStorage;
}

/**
 * The defect set, if conformance/defects/index.ts exists and exports `defects`; otherwise a
 * reason. Imported dynamically: that module may be in progress while the bench runs.
 */
export async function loadDefects(): Promise<readonly DefectLike[] | string> {
  const specifier = new URL('../../conformance/defects/index.js', import.meta.url).href;
  try {
    const module = (await import(specifier)) as { defects?: unknown };
    if (!Array.isArray(module.defects)) return 'conformance/defects/index.ts does not export a `defects` array';
    return module.defects as readonly DefectLike[];
  } catch (error) {
    return `conformance/defects could not be loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

async function timed(name: string, rounds: number, run: () => Promise<string>): Promise<SuiteRow> {
  const times: number[] = [];
  let verdict = '';
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    verdict = await run();
    times.push(performance.now() - start);
  }
  progress(`suite: ${name}: ${(median(times) / 1000).toFixed(2)} s — ${verdict}`);
  return { name, ms: median(times), rounds, verdict };
}

export async function measureSuiteSpeed(options: SuiteSpeedOptions): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = [];
  const seed = options.seed ?? Number(process.env.SA_STORAGE_KIT_SEED ?? 1);
  rows.push(
    await timed('MemoryStorage, full suite, virtual clock', options.rounds, async () => {
      const report = await checkConformance((ctx) => new MemoryStorage({ clock: ctx.clock }), { seed });
      return report.headline;
    }),
  );
  rows.push(
    await timed('MemoryStorage, full suite, real clock', options.slowRounds, async () => {
      const report = await checkConformance(() => new MemoryStorage(), { seed, clock: 'real' });
      return report.headline;
    }),
  );
  const redisUrl = options.redisUrl;
  if (redisUrl === undefined) {
    rows.push({
      name: 'RedisStorage, full suite, real clock',
      ms: Number.NaN,
      rounds: 0,
      verdict: 'skipped: no Redis',
    });
  } else {
    rows.push(
      await timed('RedisStorage, full suite, real clock', options.slowRounds, async () => {
        const report = await checkConformance(
          async (ctx) => {
            const storage = await RedisStorage.connect(redisUrl, `sk-bench:${ctx.namespace}:`);
            return {
              storage,
              dispose: async () => {
                await storage.clear();
                await storage.close();
              },
            };
          },
          { seed, clock: 'real' },
        );
        return report.headline;
      }),
    );
  }
  rows.push(...(await measureSqlSuiteSpeed(seed, options.slowRounds, timed)));
  rows.push(
    await timed('DatabaseStorage stub, contract profile', options.rounds, async () => {
      const report = await checkConformance(() => new DatabaseStorage('postgres://localhost/none'), { seed });
      return report.headline;
    }),
  );
  rows.push(
    await timed('DatabaseStorage stub, stub profile', options.rounds, async () => {
      const report = await checkConformance(() => new DatabaseStorage('postgres://localhost/none'), {
        seed,
        expect: 'unimplemented',
      });
      return report.headline;
    }),
  );
  const defects = await loadDefects();
  if (typeof defects === 'string') {
    progress(`suite: defect set skipped: ${defects}`);
    rows.push({ name: 'whole defect set', ms: Number.NaN, rounds: 0, verdict: `skipped: ${defects}` });
  } else {
    rows.push(
      await timed(`whole defect set (${defects.length} defects, full suite each)`, options.slowRounds, async () => {
        let caught = 0;
        for (const defect of defects) {
          const report = await checkConformance(defect.create, {
            seed,
            clock: defect.clock ?? 'virtual',
            ...defect.options,
          });
          const failed = new Set(report.results.filter((r) => r.status === 'fail').map((r) => r.id));
          if (defect.targets.every((id) => failed.has(id))) caught++;
        }
        return `${caught}/${defects.length} caught on every target rule`;
      }),
    );
  }
  return rows;
}

export function suiteTable(rows: readonly SuiteRow[]): string {
  const lines = ['| run | time to verdict | rounds | verdict |', '|---|---:|---:|---|'];
  for (const row of rows) {
    const time = Number.isFinite(row.ms) ? `${(row.ms / 1000).toFixed(2)} s` : '—';
    lines.push(`| ${row.name} | ${time} | ${row.rounds} | ${row.verdict.replaceAll('|', '\\|')} |`);
  }
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) {
  const { startLocalRedis } = await import('../redis/local-server.js');
  const redis = await startLocalRedis().catch((error: unknown) => {
    progress(`no local redis-server, RedisStorage row skipped: ${error instanceof Error ? error.message : error}`);
    return undefined;
  });
  try {
    const rows = await measureSuiteSpeed({ rounds: 1, slowRounds: 1, redisUrl: redis?.url });
    console.log(suiteTable(rows));
  } finally {
    await redis?.stop();
  }
}
