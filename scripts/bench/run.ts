/**
 * `npm run bench`: our backends side by side with what users would pick instead, in one run,
 * as ratios against baselines measured in the same run. Writes docs/benchmarks.md and
 * docs/benchmarks.svg (a quick run writes to reports/bench-quick/ unless --out is given).
 *
 *   node --expose-gc --import tsx scripts/bench/run.ts [--quick] [--out DIR] [--only memory,footprint,redis,sql,suite,protocol]
 *
 * SQL rows use the machine's PostgreSQL (POSTGRES_URL) in tables of their own, and SQLite files in a
 * temporary folder. Redis rows use a throwaway redis-server on a free port (never a shared server); without a
 * redis-server binary they are skipped with a note. Aims are reported, never asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalRedis, startLocalRedis } from '../redis/local-server.js';
import { loadAverage, machineInfo } from './machine.js';
import { measureFootprint } from './memory-footprint.js';
import { measureMemoryThroughput } from './memory-throughput.js';
import { measureProtocolSpeed } from './protocol-speed.js';
import { measureRedis } from './redis-bench.js';
import { type BenchResults, evaluateAims, renderMarkdown, renderSvg } from './report.js';
import { type BenchSettings, FULL, QUICK } from './settings.js';
import { measureSql } from './sql-bench.js';
import { formatMs, hasGc, progress } from './stats.js';
import { measureSuiteSpeed } from './suite-speed.js';

const SECTIONS = ['memory', 'footprint', 'redis', 'sql', 'suite', 'protocol'] as const;
type Section = (typeof SECTIONS)[number];

interface Cli {
  readonly settings: BenchSettings;
  readonly out: string;
  readonly only: ReadonlySet<Section>;
}

function parseCli(argv: readonly string[]): Cli {
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  let settings = FULL;
  let out: string | undefined;
  let only: Set<Section> = new Set(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') settings = QUICK;
    else if (arg === '--out') out = argv[++i];
    else if (arg === '--only') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (unknown.length > 0)
        throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
      only = new Set(names as Section[]);
    } else throw new Error(`unknown argument ${arg}`);
  }
  const defaultOut = settings.mode === 'full' ? join(root, 'docs') : join(root, 'reports', 'bench-quick');
  return { settings, out: resolve(out ?? defaultOut), only };
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const { settings } = cli;
  if (!hasGc()) progress('warning: run node with --expose-gc (npm run bench does) — GC noise is not isolated');
  const startedAt = new Date();
  const start = performance.now();
  const machine = machineInfo();
  progress(
    `${settings.mode} run on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAtStart}`,
  );
  const skipped: string[] = [];
  const results: {
    -readonly [K in keyof BenchResults]?: BenchResults[K];
  } = {};

  if (cli.only.has('memory')) results.memory = await measureMemoryThroughput(settings);
  if (cli.only.has('footprint')) results.footprint = await measureFootprint(settings);

  let redis: LocalRedis | undefined;
  let reniced = false;
  if (cli.only.has('redis') || cli.only.has('suite')) {
    try {
      redis = await startLocalRedis();
      progress(`throwaway redis-server on ${redis.url}`);
      // Our own throwaway server only: a higher priority keeps this shared machine's other jobs
      // from descheduling Redis mid-command, which the stall columns would report as Redis stalls.
      try {
        if (redis.process.pid !== undefined) os.setPriority(redis.process.pid, -10);
        reniced = true;
      } catch {
        progress('could not raise redis-server priority (not root?); stall columns include more scheduling noise');
      }
    } catch (error) {
      const reason = `no throwaway redis-server could be started (${error instanceof Error ? error.message.split('\n')[0] : error})`;
      skipped.push(`Redis rows: ${reason}`);
      results.redis = { skipped: reason };
    }
  }
  try {
    if (cli.only.has('redis') && redis) results.redis = await measureRedis(redis, settings);
    if (cli.only.has('sql')) {
      results.sql = await measureSql(settings);
      skipped.push(...results.sql.skipped);
    }
    if (cli.only.has('suite')) {
      results.suite = await measureSuiteSpeed({
        rounds: settings.suiteRounds,
        slowRounds: settings.suiteSlowRounds,
        redisUrl: redis?.url,
      });
      for (const row of results.suite)
        if (row.verdict.startsWith('skipped')) skipped.push(`${row.name}: ${row.verdict}`);
    }
  } finally {
    await redis?.stop();
  }
  if (cli.only.has('protocol')) results.protocol = await measureProtocolSpeed(settings.suiteRounds);

  const complete: BenchResults = {
    ...results,
    settings,
    startedAt,
    durationMs: performance.now() - start,
    machine,
    loadAtEnd: loadAverage(),
    redisNice: reniced ? -10 : 0,
    skipped,
  };
  mkdirSync(cli.out, { recursive: true });
  const mdPath = join(cli.out, 'benchmarks.md');
  const svgPath = join(cli.out, 'benchmarks.svg');
  writeFileSync(svgPath, renderSvg(complete));
  const markdown = renderMarkdown(complete, 'benchmarks.svg');
  writeFileSync(mdPath, markdown);
  console.log(markdown);
  for (const aim of evaluateAims(complete)) {
    progress(`aim ${aim.met === undefined ? 'n/a ' : aim.met ? 'MET ' : 'MISS'}: ${aim.aim} — ${aim.measured}`);
  }
  progress(
    `wrote ${relative(process.cwd(), mdPath)} and ${relative(process.cwd(), svgPath)} in ${formatMs(complete.durationMs)}`,
  );
}

await main();
// Sweep timers are unref'd and connections closed; exit explicitly so a stray handle in a peer library cannot hold the run.
process.exit(0);
