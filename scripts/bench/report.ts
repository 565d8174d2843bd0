/** Turns the measurements into docs/benchmarks.md (tables of ratios, aims, notes) and docs/benchmarks.svg. */
import type { MachineInfo } from './machine.js';
import type { FootprintResult } from './memory-footprint.js';
import type { ProbeResult } from './memory-probe.js';
import type { MemoryThroughputResult } from './memory-throughput.js';
import { type ProtocolRow, renderProtocolTable } from './protocol-speed.js';
import type { BulkCell, RedisResult, RedisSection } from './redis-bench.js';
import { type BenchSettings, POLL_MS } from './settings.js';
import { type SqlResult, sqlMarkdown } from './sql-bench.js';
import { formatBytes, formatMs, formatRate, formatRatio, median, spreadPercent } from './stats.js';
import type { SuiteRow } from './suite-speed.js';
import { barChartSvg, type ChartPanel, colorFor } from './svg.js';

export interface BenchResults {
  readonly settings: BenchSettings;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  readonly loadAtEnd: string;
  /** Nice value the throwaway redis-server ran at (0: unchanged). */
  readonly redisNice: number;
  readonly memory?: MemoryThroughputResult;
  readonly footprint?: FootprintResult;
  readonly redis?: RedisResult | { readonly skipped: string };
  readonly sql?: SqlResult;
  readonly suite?: readonly SuiteRow[];
  /** The suite over the process protocol against in process (issue #17, aim ≤ 3×). */
  readonly protocol?: readonly ProtocolRow[];
  readonly skipped: readonly string[];
}

export interface Aim {
  readonly aim: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const OURS = new Set(['memory', 'rs']);

function cellText(id: string, ratio: number, ratios: readonly number[]): string {
  const text = formatRatio(ratio);
  if (!OURS.has(id) || ratios.length < 2) return text;
  return `**${text}** ±${spreadPercent(ratios).toFixed(0)}%`;
}

/** LATENCY monitor values are whole milliseconds, 0 when no command reached the 1 ms threshold. */
function commandMs(ms: number): string {
  return ms < 1 ? '< 1 ms' : `${Number.isInteger(ms) ? ms : ms.toFixed(1)} ms`;
}

function table(header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`, ...rows.map(line)].join('\n');
}

function isRedis(result: BenchResults['redis']): result is RedisResult {
  return result !== undefined && !('skipped' in result);
}

function isProbe(value: ProbeResult | { error: string }): value is ProbeResult {
  return !('error' in value);
}

// ---------------------------------------------------------------- aims

export function evaluateAims(results: BenchResults): Aim[] {
  const aims: Aim[] = [];
  const redis = results.redis;
  if (isRedis(redis)) {
    for (const section of redis.sections) {
      const ours = 'rs';
      const rows = section.rows.filter((r) => r.op === 'get' || r.op === 'set');
      const sameOptions = section.contenders.find((c) => c.id.endsWith('-ct'))?.id;
      const values = rows.map((r) => ({ r, ratio: r.cells[ours]?.ratio ?? Number.NaN }));
      const worst = Math.min(...values.map((v) => v.ratio));
      const vsSameOptions = (r: (typeof rows)[number]) => {
        const mine = r.cells[ours]?.ratios ?? [];
        const theirs = sameOptions ? (r.cells[sameOptions]?.ratios ?? []) : [];
        return median(mine.map((m, i) => m / (theirs[i] ?? Number.NaN)));
      };
      aims.push({
        aim: `RedisStorage ≥ 0.9× raw ioredis on get/set (${section.title})`,
        measured: `${values.map((v) => `${v.r.label} ×${v.r.concurrency}: ${formatRatio(v.ratio)}`).join('; ')}${sameOptions ? ` — against raw ioredis with an ioredis \`commandTimeout\` (a timer per command): ${rows.map((r) => formatRatio(vsSameOptions(r))).join(', ')}` : ''}`,
        met: Number.isFinite(worst) ? worst >= 0.9 : undefined,
      });
    }
    const behind: string[] = [];
    let compared = 0;
    for (const section of redis.sections) {
      const ours = 'rs';
      const peers = section.contenders
        .map((c) => c.id)
        .filter((id) => id.startsWith('keyv') || id.startsWith('unstorage'));
      for (const row of section.rows) {
        const mine = row.cells[ours]?.ratio ?? Number.NaN;
        for (const peer of peers) {
          compared++;
          const theirs = row.cells[peer]?.ratio ?? Number.NaN;
          if (!(mine > theirs)) {
            behind.push(
              `${row.label} ×${row.concurrency} (${section.title}): ${formatRatio(mine)} vs ${peer} ${formatRatio(theirs)}`,
            );
          }
        }
      }
    }
    for (const kind of ['keys', 'clear'] as const) {
      const cells = kind === 'keys' ? redis.bulk.keysOp : redis.bulk.clearOp;
      const mine = cells.rs?.ms ?? Number.NaN;
      for (const peer of ['keyv-redis', 'unstorage']) {
        compared++;
        const theirs = cells[peer]?.ms ?? Number.NaN;
        if (!(mine < theirs))
          behind.push(`${kind} over ${redis.bulk.keys} keys: ${formatMs(mine)} vs ${peer} ${formatMs(theirs)}`);
      }
    }
    aims.push({
      aim: 'RedisStorage ahead of @keyv/redis and unstorage on every row',
      measured:
        behind.length === 0
          ? `ahead in all ${compared} comparisons`
          : `behind in ${behind.length} of ${compared}: ${behind.join('; ')}`,
      met: behind.length === 0,
    });
    const clear = redis.bulk.clearOp.rs;
    const quiet = redis.bulk.clearOp.idle;
    if (clear) {
      aims.push({
        aim: `RedisStorage \`clear\` over ${redis.bulk.keys.toLocaleString('en-US')} keys never stalls Redis > 10 ms at a time (median over rounds of the longest PING and of the longest command inside Redis; the worst round is shown too)`,
        measured: `longest PING seen by another client ${formatMs(clear.medianStall)} (worst round ${formatMs(clear.maxStall)}); longest command inside Redis ${commandMs(clear.medianServerStall)} (worst round ${commandMs(clear.serverStall)})${quiet ? `; idle machine in the same run: PING ${formatMs(quiet.medianStall)} (worst ${formatMs(quiet.maxStall)}), command ${commandMs(quiet.serverStall)}` : ''}`,
        met: clear.medianServerStall <= 10 && clear.medianStall <= 10,
      });
    }
  }
  const memory = results.memory;
  if (memory) {
    for (const op of ['get', 'set'] as const) {
      const row = memory.rows.find((r) => r.op === op);
      if (!row) continue;
      const mine = row.cells.memory?.ratio ?? Number.NaN;
      const keyv = row.cells.keyv?.ratio ?? Number.NaN;
      const unstorage = row.cells.unstorage?.ratio ?? Number.NaN;
      aims.push({
        aim: `MemoryStorage ahead of keyv and unstorage (memory) on ${row.label}`,
        measured: `${formatRatio(mine)} vs keyv ${formatRatio(keyv)}, unstorage ${formatRatio(unstorage)}`,
        met: mine > keyv && mine > unstorage,
      });
      aims.push({
        aim: `MemoryStorage within 3× of the raw Map baseline on ${row.label} (ratio ≥ 0.33×)`,
        measured: formatRatio(mine),
        met: mine >= 1 / 3,
      });
    }
  }
  return aims;
}

// ---------------------------------------------------------------- sections

function memorySection(memory: MemoryThroughputResult, settings: BenchSettings): string {
  const [baseline, ...others] = memory.contenders;
  if (!baseline) return '';
  const header = ['operation', `${baseline.label} (ops/s)`, ...others.map((c) => c.label)];
  const rows = memory.rows.map((row) => [
    row.label,
    formatRate(row.baselineRate),
    ...others.map((c) => {
      const cell = row.cells[c.id];
      return cell ? cellText(c.id, cell.ratio, cell.ratios) : '—';
    }),
  ]);
  return [
    '## In-process stores',
    '',
    `Speed relative to **${baseline.label}** (= 1×): a \`Map\` of \`{ value, deadline }\` with lazy expiry behind the same async API — the least a TTL store must do. Each store is preloaded with ${settings.memoryWorkingSet.toLocaleString('en-US')} keys (get reads them, set overwrites them with a 60 s TTL, mget reads random batches of 100); incr cycles over 1,024 counters; \`keys('prefix:*')\` runs over a store of ${settings.memoryKeysStoreSize.toLocaleString('en-US')} keys, half of them matching.`,
    '',
    table(
      header,
      header.map((_, i) => (i === 0 ? 'l' : 'r')),
      rows,
    ),
    '',
    ...memory.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

function footprintSection(footprint: FootprintResult): string {
  const baseline = footprint.rows[0];
  const basePeak = baseline && isProbe(baseline.footprint) ? baseline.footprint.peakBytes : Number.NaN;
  const perMillion = (bytes: number) => (bytes / footprint.keys) * 1_000_000;
  const rows = footprint.rows.map((row) => {
    const f = row.footprint;
    const r = row.reclaim;
    const held = isProbe(f) ? f.peakBytes : Number.NaN;
    const retained = isProbe(r) ? (r.retainedBytes ?? Number.NaN) : Number.NaN;
    const peak = isProbe(r) ? r.peakBytes : Number.NaN;
    const back =
      isProbe(r) && r.reclaimMs !== undefined
        ? r.reclaimMs === null
          ? `not within ${formatMs(footprint.waitMs)}`
          : formatMs(r.reclaimMs)
        : '—';
    const notes = [isProbe(f) ? f.note : f.error, isProbe(r) ? r.note : r.error].filter(Boolean);
    return [
      row.label,
      formatBytes(perMillion(held)),
      `${(held / footprint.keys).toFixed(0)} B`,
      formatRatio(held / basePeak),
      Number.isFinite(retained)
        ? `${formatBytes(Math.max(0, retained))} (${((Math.max(0, retained) / peak) * 100).toFixed(0)}%)`
        : '—',
      back,
      [...new Set(notes)].join('; '),
    ];
  });
  return [
    '## Memory per million keys, and memory returned after expiry',
    '',
    `Heap + ArrayBuffers held by ${footprint.keys.toLocaleString('en-US')} keys (\`session:N\` → a ~25-character token, TTL 1 h), measured as the delta after a full GC in a fresh process per store, scaled to one million keys. "× baseline" is memory relative to the Map baseline (**lower is better**). Then, in another fresh process, the same keys with a ${footprint.ttlMs} ms TTL and no reads at all: how long after the last deadline 90% of the memory was back (real clock, polled every ${POLL_MS / 1000} s with a forced GC, for at most ${formatMs(footprint.waitMs)}), and what was still held at the end (once 99% was back, or when the wait ran out).`,
    '',
    table(
      [
        'store',
        'per million keys',
        'per key',
        '× baseline',
        'still held after expiry',
        '90% returned after',
        'configuration',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
      rows,
    ),
    '',
  ].join('\n');
}

function redisSectionTable(section: RedisSection): string {
  const [baseline, ...others] = section.contenders;
  if (!baseline) return '';
  const header = ['operation', 'in flight', `${baseline.label} (ops/s)`, ...others.map((c) => c.label)];
  const rows = section.rows.map((row) => [
    row.label,
    String(row.concurrency),
    formatRate(row.baselineRate),
    ...others.map((c) => {
      const cell = row.cells[c.id];
      return cell ? cellText(c.id, cell.ratio, cell.ratios) : '—';
    }),
  ]);
  return [
    `### Against ioredis ${section.autoPipelining ? 'with' : 'without'} autopipelining`,
    '',
    `Speed relative to **${baseline.label}** (= 1×) sending the same commands as RedisStorage (GET · SET PX · EVALSHA of INCRBY + GET · MGET · EVALSHA of 100 × SET PX). RedisStorage and @keyv/redis have no autopipelining switch (both batch a tick's writes themselves), so they are the same in both tables; the ioredis-based columns change.`,
    '',
    table(
      header,
      header.map((_, i) => (i === 0 ? 'l' : 'r')),
      rows,
    ),
    '',
  ].join('\n');
}

function bulkSection(redis: RedisResult): string {
  const { bulk } = redis;
  const cell = (id: string, c: BulkCell | undefined) =>
    c
      ? [
          id === 'idle' ? '—' : formatMs(c.ms),
          id === 'idle' ? '—' : formatRatio(c.ratio),
          `${formatMs(c.maxStall)} / ${formatMs(c.medianStall)}`,
          `${commandMs(c.serverStall)} / ${commandMs(c.medianServerStall)}`,
        ]
      : ['—', '—', '—', '—'];
  const rows = bulk.contenders.map((c) => [
    c.id === 'rs' ? `**${c.label}**` : c.label,
    ...cell(c.id, bulk.keysOp[c.id]),
    ...cell(c.id, bulk.clearOp[c.id]),
  ]);
  const baseline = bulk.contenders[0]?.label ?? 'baseline';
  return [
    `### \`keys\` and \`clear\` over ${bulk.keys.toLocaleString('en-US')} keys`,
    '',
    `Total time (median of ${bulk.rounds} rounds), speed relative to **${baseline}** (SCAN MATCH prefix* COUNT 1000, UNLINK per batch — RedisStorage's commands), the longest PING round trip a second connection saw meanwhile (a worker thread pinging every ~1 ms; max over all rounds / median of the per-round maxima), and the longest single command inside Redis (its LATENCY monitor, threshold 1 ms; same max / median). Both stall measures are wall-clock, so when the machine is busy they include the OS descheduling Redis or the pinger: the **idle** row measures exactly that, with nothing running, for ${formatMs(bulk.idleMs)} per round. \`keys\` lists every key of the namespace through each library's own API.`,
    '',
    table(
      [
        'contender',
        'keys: time',
        'keys: speed',
        'keys: longest PING (max / median)',
        'keys: longest command (max / median)',
        'clear: time',
        'clear: speed',
        'clear: longest PING (max / median)',
        'clear: longest command (max / median)',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      rows,
    ),
    '',
  ].join('\n');
}

function suiteSection(rows: readonly SuiteRow[]): string {
  return [
    '## Conformance suite: time to verdict',
    '',
    'Absolute times (no peer to compare with): the full default suite per backend, the stub in both profiles and the whole defect set (every defect through the full suite). Real-clock runs wait on real TTLs, so they are dominated by sleeping, not CPU.',
    '',
    table(
      ['run', 'time to verdict', 'rounds', 'verdict'],
      ['l', 'r', 'r', 'l'],
      rows.map((r) => [
        r.name,
        Number.isFinite(r.ms) ? `${(r.ms / 1000).toFixed(2)} s` : '—',
        String(r.rounds),
        r.verdict,
      ]),
    ),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- chart

export function renderSvg(results: BenchResults): string {
  const colors = new Map<string, string>();
  const panels: ChartPanel[] = [];
  const memory = results.memory;
  if (memory) {
    const [baseline, ...others] = memory.contenders;
    panels.push({
      title: `In-process, speed vs ${baseline?.label ?? 'baseline'}`,
      groups: memory.rows.map((row) => ({
        label: row.label,
        bars: others.map((c) => ({
          label: c.label,
          ratio: row.cells[c.id]?.ratio ?? Number.NaN,
          color: colorFor(c.label, colors),
        })),
      })),
    });
  }
  const redis = results.redis;
  if (isRedis(redis)) {
    for (const section of redis.sections) {
      const [baseline, ...others] = section.contenders;
      panels.push({
        title: `Redis, ${section.title}, speed vs ${baseline?.label ?? 'baseline'}`,
        groups: section.rows.map((row) => ({
          label: `${row.label}, ${row.concurrency} in flight`,
          bars: others.map((c) => ({
            label: c.label,
            ratio: row.cells[c.id]?.ratio ?? Number.NaN,
            color: colorFor(c.label, colors),
          })),
        })),
      });
    }
    const [baseline, ...others] = redis.bulk.contenders.filter((c) => c.id !== 'idle');
    panels.push({
      title: `Redis, ${redis.bulk.keys.toLocaleString('en-US')} keys, speed vs ${baseline?.label ?? 'baseline'}`,
      groups: (['keys', 'clear'] as const).map((kind) => ({
        label: kind,
        bars: others.map((c) => ({
          label: c.label,
          ratio: (kind === 'keys' ? redis.bulk.keysOp : redis.bulk.clearOp)[c.id]?.ratio ?? Number.NaN,
          color: colorFor(c.label, colors),
        })),
      })),
    });
  }
  for (const section of results.sql?.sections ?? []) {
    const [baseline, ...others] = section.contenders;
    panels.push({
      title: `${section.backend}, speed vs ${baseline?.label ?? 'baseline'}`,
      groups: section.rows.map((row) => ({
        label: `${row.label}, ${row.concurrency} in flight`,
        bars: others.map((c) => ({
          label: c.label,
          ratio: row.cells[c.id]?.ratio ?? Number.NaN,
          color: colorFor(c.label, colors),
        })),
      })),
    });
  }
  return barChartSvg(panels, {
    title: 'sa-storage-kit benchmarks — speed relative to a baseline measured in the same run',
    subtitle: `${results.startedAt.toISOString().slice(0, 10)} · Node ${results.machine.node} · ${results.machine.cores} cores · ${results.settings.mode} run · log scale, right of the 1× line = faster than the baseline`,
  });
}

// ---------------------------------------------------------------- document

export function renderMarkdown(results: BenchResults, svgName: string): string {
  const { machine, settings } = results;
  const aims = evaluateAims(results);
  const parts: string[] = [];
  parts.push(
    '# Benchmarks',
    '',
    `_Generated by \`npm run ${settings.mode === 'full' ? 'bench' : 'bench:quick'}\` on ${results.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} in ${formatMs(results.durationMs)} — do not edit by hand; re-run the benchmark instead._`,
    '',
    `![Speed relative to the baselines](${svgName})`,
    '',
    '## How to read',
    '',
    '- **Ratios, not ops/s.** Each ratio is the speed of a contender divided by the speed of the baseline measured in the same run: > 1× faster than the baseline, < 1× slower. Each round measures every contender back to back (the order rotates from round to round), the ratio is taken within the round, and the table shows the **median over rounds** — this machine runs other jobs while we measure, so absolute ops/s drift; ratios of neighbours in time drift much less. The baseline column gives the median absolute rate so a ratio can be turned back into ops/s.',
    '- **Bold** cells are our backends, with half the interquartile range of their per-round ratios (±%) as a noise indicator.',
    '- Each library is called through its own API the way its users would call it (awaited when async, plain calls when sync). Where a library lacks an operation, the emulation is named in the notes under the table.',
    '- Memory is heap + ArrayBuffers after a full GC (lower is better); Redis stalls are absolute milliseconds.',
    '- Aims are reported, never asserted: a missed aim is a finding, not a failed build.',
    '',
    '## Machine',
    '',
    table(
      ['', ''],
      ['l', 'l'],
      [
        ['CPU', `${machine.cpu} (${machine.cores} logical cores)`],
        ['memory', machine.memory],
        ['OS', machine.os],
        ['Node', `${machine.node} (V8 ${machine.v8}), run with \`--expose-gc\``],
        ['redis-server', machine.redisServer],
        ['load average (1/5/15 min)', `${machine.loadAtStart} at start, ${results.loadAtEnd} at end`],
        [
          'run',
          `${settings.mode}: ${settings.memoryRounds} in-process rounds (~${settings.memorySampleMs} ms samples), ${settings.redisRounds} Redis rounds (~${settings.redisSampleMs} ms samples), ${settings.redisBulkRounds} rounds over ${settings.redisBulkKeys.toLocaleString('en-US')} Redis keys, memory probes over ${settings.footprintKeys.toLocaleString('en-US')} keys`,
        ],
        [
          'packages',
          Object.entries(machine.packages)
            .map(([name, version]) => `${name} ${version}`)
            .join(', '),
        ],
      ],
    ),
    '',
  );
  if (aims.length > 0) {
    parts.push(
      '## Aims',
      '',
      table(
        ['aim', 'measured', 'met'],
        ['l', 'l', 'l'],
        aims.map((a) => [a.aim, a.measured, a.met === undefined ? 'n/a' : a.met ? 'yes' : '**no**']),
      ),
      '',
    );
  }
  if (results.memory) parts.push(memorySection(results.memory, settings));
  if (results.footprint) parts.push(footprintSection(results.footprint));
  const redis = results.redis;
  if (isRedis(redis)) {
    parts.push(
      '## Redis',
      '',
      `A throwaway local redis-server ${redis.serverVersion} (no persistence), one connection per contender.`,
      '',
    );
    for (const section of redis.sections) parts.push(redisSectionTable(section));
    parts.push(bulkSection(redis));
    parts.push(...redis.notes.map((n) => `- ${n}`), '');
  } else if (redis) {
    parts.push('## Redis', '', `Skipped: ${redis.skipped}`, '');
  }
  if (results.sql) parts.push('## PostgreSQL and SQLite', '', sqlMarkdown(results.sql), '');
  if (results.suite) parts.push(suiteSection(results.suite));
  if (results.protocol) {
    parts.push(
      '## Process protocol: time to verdict and round trip',
      '',
      'The full default suite over the process protocol (docs/protocol.md), process start included, against MemoryStorage in process; the aim is at most 3×. Round trips are one `get` at a time and 2000 in flight.',
      '',
      renderProtocolTable(results.protocol),
      '',
    );
  }
  if (results.skipped.length > 0) parts.push('## Skipped', '', ...results.skipped.map((s) => `- ${s}`), '');
  return `${parts
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
