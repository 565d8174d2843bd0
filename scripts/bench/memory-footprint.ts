/** Memory per million keys and memory returned after expiry: one fresh child process per store and mode. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MEMORY_CONTENDERS } from './memory-contenders.js';
import type { ProbeRequest, ProbeResult } from './memory-probe.js';
import type { BenchSettings } from './settings.js';
import { formatBytes, formatMs, progress } from './stats.js';

const PROBE = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));

export interface FootprintRow {
  readonly id: string;
  readonly label: string;
  readonly footprint: ProbeResult | { error: string };
  readonly reclaim: ProbeResult | { error: string };
}

export interface FootprintResult {
  readonly keys: number;
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly rows: readonly FootprintRow[];
}

function runProbe(request: ProbeRequest, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ProbeResult);
      else
        reject(new Error(`probe ${request.contender}/${request.mode} failed (${signal ?? code}): ${err.slice(-500)}`));
    });
  });
}

export async function measureFootprint(settings: BenchSettings): Promise<FootprintResult> {
  const rows: FootprintRow[] = [];
  const keys = settings.footprintKeys;
  const timeoutMs = 120_000 + settings.reclaimWaitMs;
  for (const { id, label } of MEMORY_CONTENDERS) {
    const attempt = async (mode: ProbeRequest['mode']) => {
      const ttlMs = mode === 'footprint' ? 3_600_000 : settings.reclaimTtlMs;
      try {
        return await runProbe({ contender: id, mode, keys, ttlMs, waitMs: settings.reclaimWaitMs }, timeoutMs);
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    };
    const footprint = await attempt('footprint');
    const reclaim = await attempt('reclaim');
    rows.push({ id, label, footprint, reclaim });
    const peak = 'peakBytes' in footprint ? formatBytes(footprint.peakBytes) : footprint.error;
    const kept = 'retainedBytes' in reclaim ? formatBytes(reclaim.retainedBytes ?? Number.NaN) : 'error';
    const after = 'reclaimMs' in reclaim && reclaim.reclaimMs != null ? formatMs(reclaim.reclaimMs) : 'never';
    progress(`footprint ${id}: ${peak} for ${keys} keys; after expiry ${kept} kept, 90% back after ${after}`);
  }
  return { keys, ttlMs: settings.reclaimTtlMs, waitMs: settings.reclaimWaitMs, rows };
}
