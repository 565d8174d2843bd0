/**
 * The process protocol's cost (issue #17): the suite's time to verdict over the protocol
 * against in-process for MemoryStorage (aim: at most 3×), and the round trip of one call.
 * Standalone: `npm run bench:protocol` (add `-- --rounds N`). Measured, never asserted.
 *
 * Backends over the protocol: `sa-storage-kit serve --backend memory` (the same MemoryStorage,
 * so the difference is the protocol alone), the Python example and the Rust example (built
 * with cargo first when cargo is there). Times to verdict include starting the process.
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
  const rows: ProtocolRow[] = [];
  const inProcess: number[] = [];
  let verdict = '';
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const report = await checkConformance((ctx) => new MemoryStorage({ clock: ctx.clock }), { seed: SEED });
    inProcess.push(performance.now() - start);
    verdict = report.headline;
  }
  rows.push({ name: 'MemoryStorage in process', verdictMs: median(inProcess), verdict });

  const rust = rustBinary();
  const programs: [string, string][] = [
    [
      'serve --backend memory (Node)',
      `"${process.execPath}" --import tsx ${root}scripts/cli/main.ts serve --backend memory`,
    ],
    ['Python example', `python3 ${root}examples/python/backend.py`],
    ...(rust !== undefined ? [['Rust example', rust] as [string, string]] : []),
  ];
  for (const [name, command] of programs) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      const report = await checkProcessBackend(command, { seed: SEED });
      times.push(performance.now() - start);
      verdict = report.headline;
    }
    rows.push({ name: `${name} over the protocol`, verdictMs: median(times), verdict, ...(await roundTrip(command)) });
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
