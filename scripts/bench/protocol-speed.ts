/**
 * The process protocol's cost (issue #17): the suite's time to verdict over the protocol
 * against in-process for MemoryStorage (aim: at most 3×), and the round trip of one call.
 * Standalone: `npm run bench:protocol` (add `-- --rounds N`). Measured, never asserted.
 *
 * Backends over the protocol: `sa-storage-kit serve --backend memory` (the same MemoryStorage,
 * so the difference is the protocol alone) both as the package installs it (compiled first with
 * tsc into node_modules/.cache: plain node, no TypeScript loader) and through tsx, whose start-up
 * alone takes about a second; the Python example and the Rust example (built with cargo first
 * when cargo is there). Times to verdict include starting the process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { checkConformance, VirtualClock } from '../../conformance/index.js';
import { checkProcessBackend, ProcessBackend } from '../../conformance/protocol/index.js';
import { MemoryStorage } from '../../implementations/memory/index.js';
import { median } from './stats.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SEED = 20_261_201;

export interface ProtocolRow {
  readonly name: string;
  /** Median time to verdict of the full default suite (ms). */
  readonly verdictMs: number;
  readonly verdict: string;
  /** Median µs per call: one call at a time, and 2000 calls in flight. */
  readonly sequentialUs?: number;
  readonly pipelinedUs?: number;
}

function rustBinary(): string | undefined {
  const binary = `${root}examples/rust/target/release/sa-storage-example`;
  try {
    execFileSync('cargo', [
      'build',
      '--release',
      '--offline',
      '--quiet',
      '--manifest-path',
      `${root}examples/rust/Cargo.toml`,
    ]);
  } catch {
    // No cargo: use a binary built before, if any.
  }
  return existsSync(binary) ? binary : undefined;
}

/** The CLI compiled as `npm pack` ships it; undefined when tsc fails (the tsx row still runs). */
function compiledCli(): string | undefined {
  // Under the project's node_modules, so the compiled files resolve fast-check as the package does.
  const out = `${root}node_modules/.cache/sa-storage-kit-bench`;
  try {
    execFileSync(
      `${root}node_modules/.bin/tsc`,
      [
        '-p',
        'tsconfig.build.json',
        '--outDir',
        out,
        '--declaration',
        'false',
        '--sourceMap',
        'false',
        '--inlineSources',
        'false',
      ],
      { cwd: root, stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return `${out}/scripts/cli/main.js`;
}

async function roundTrip(command: string): Promise<{ sequentialUs: number; pipelinedUs: number }> {
  const backend = new ProcessBackend(command);
  try {
    const { storage } = await backend.open({ clock: new VirtualClock(), namespace: 'bench', clockMode: 'virtual' });
    await storage.set('k', 'v');
    const sequential: number[] = [];
    const pipelined: number[] = [];
    for (let round = 0; round < 5; round++) {
      const n = 2000;
      let start = performance.now();
      for (let i = 0; i < n; i++) await storage.get('k');
      sequential.push(((performance.now() - start) * 1000) / n);
      start = performance.now();
      await Promise.all(Array.from({ length: n }, () => storage.get('k')));
      pipelined.push(((performance.now() - start) * 1000) / n);
    }
    return { sequentialUs: median(sequential), pipelinedUs: median(pipelined) };
  } finally {
    await backend.close();
  }
}

export async function measureProtocolSpeed(rounds = 3): Promise<ProtocolRow[]> {
  const rust = rustBinary();
  const compiled = compiledCli();
  const programs: (readonly [string, string])[] = [
    ...(compiled !== undefined
      ? [
          [
            'serve --backend memory (Node, compiled)',
            `"${process.execPath}" ${compiled} serve --backend memory`,
          ] as const,
        ]
      : []),
    [
      'serve --backend memory (Node, through tsx)',
      `"${process.execPath}" --import tsx ${root}scripts/cli/main.ts serve --backend memory`,
    ],
    ['Python example', `python3 ${root}examples/python/backend.py`],
    ...(rust !== undefined ? [['Rust example', rust] as const] : []),
  ];
  const runs: { name: string; command?: string; check: () => Promise<{ headline: string }> }[] = [
    {
      name: 'MemoryStorage in process',
      check: () => checkConformance((ctx) => new MemoryStorage({ clock: ctx.clock }), { seed: SEED }),
    },
    ...programs.map(([name, command]) => ({
      name: `${name} over the protocol`,
      command,
      check: () => checkProcessBackend(command, { seed: SEED }),
    })),
  ];
  // Untimed: the first check of a run pays for loading and compiling the suite, whichever row it is.
  await runs[0]?.check();
  // Rounds interleave the rows, so a burst of load on this shared machine hits them all alike.
  const times = runs.map(() => [] as number[]);
  const verdicts = runs.map(() => '');
  for (let round = 0; round < rounds; round++) {
    for (const [index, run] of runs.entries()) {
      const start = performance.now();
      verdicts[index] = (await run.check()).headline;
      times[index]?.push(performance.now() - start);
    }
  }
  const rows: ProtocolRow[] = [];
  for (const [index, run] of runs.entries()) {
    const row = { name: run.name, verdictMs: median(times[index] ?? []), verdict: verdicts[index] ?? '' };
    rows.push(run.command === undefined ? row : { ...row, ...(await roundTrip(run.command)) });
  }
  return rows;
}

export function renderProtocolTable(rows: readonly ProtocolRow[]): string {
  const base = rows[0]?.verdictMs ?? Number.NaN;
  const lines = [
    '| Backend | Time to verdict | × in-process | Round trip, one at a time | Round trip, 2000 in flight | Verdict |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const us = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} µs`);
    lines.push(
      `| ${row.name} | ${Math.round(row.verdictMs)} ms | ${(row.verdictMs / base).toFixed(1)}× | ${us(row.sequentialUs)} | ${us(row.pipelinedUs)} | ${row.verdict.split(' — ')[0]} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--rounds');
  const rounds = at === -1 ? 3 : Number(process.argv[at + 1]);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const rows = await measureProtocolSpeed(rounds);
  process.stdout.write(
    `Process protocol speed (${os.cpus().length} cores, load ${load} at start, ${os.loadavg()[0]?.toFixed(1)} at end; median of ${rounds}; seed ${SEED})\n\n${renderProtocolTable(rows)}\n`,
  );
}
