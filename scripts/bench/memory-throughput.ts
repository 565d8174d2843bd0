/** In-process throughput: each operation, every contender, interleaved rounds, ratios against the Map baseline. */
import {
  MEMORY_CONTENDERS,
  MEMORY_OPS,
  type MemoryContender,
  type MemoryOp,
  makeDataset,
  type Prepared,
} from './memory-contenders.js';
import type { BenchSettings } from './settings.js';
import {
  type Comparison,
  calibrate,
  collectGarbage,
  compare,
  formatRate,
  progress,
  rotate,
  timeWork,
} from './stats.js';

export interface ThroughputRow {
  readonly op: MemoryOp;
  readonly label: string;
  /** Median ops/s of the baseline. */
  readonly baselineRate: number;
  /** Per contender id (baseline included, ratio 1). */
  readonly cells: Readonly<Record<string, Comparison>>;
}

export interface MemoryThroughputResult {
  readonly contenders: readonly { id: string; label: string }[];
  readonly rows: readonly ThroughputRow[];
  readonly notes: readonly string[];
}

export async function measureMemoryThroughput(
  settings: BenchSettings,
  contenders: readonly MemoryContender[] = MEMORY_CONTENDERS,
  ops: readonly MemoryOp[] = MEMORY_OPS.map((o) => o.op),
): Promise<MemoryThroughputResult> {
  const data = makeDataset(settings.memoryWorkingSet, settings.memoryKeysStoreSize);
  const baseline = contenders[0] as MemoryContender;
  const rows: ThroughputRow[] = [];
  for (const op of ops) {
    const label = MEMORY_OPS.find((o) => o.op === op)?.label ?? op;
    progress(`memory ${label}: preparing ${contenders.length} stores`);
    const prepared = new Map<string, { store: Prepared; n: number }>();
    for (const contender of contenders) {
      const store = await contender.prepare(op, data);
      collectGarbage();
      const n = await calibrate(store.work, settings.memorySampleMs, op === 'keys' ? 1 : 64);
      prepared.set(contender.id, { store, n });
    }
    const rates = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
    for (let round = 0; round < settings.memoryRounds; round++) {
      for (const contender of rotate(contenders, round)) {
        const { store, n } = prepared.get(contender.id) as { store: Prepared; n: number };
        collectGarbage();
        const ms = await timeWork(store.work, n);
        rates.get(contender.id)?.push((n / ms) * 1000);
      }
    }
    for (const { store } of prepared.values()) await store.dispose();
    const baselineRates = rates.get(baseline.id) as number[];
    const cells: Record<string, Comparison> = {};
    for (const contender of contenders)
      cells[contender.id] = compare(rates.get(contender.id) as number[], baselineRates);
    const row: ThroughputRow = { op, label, baselineRate: cells[baseline.id]?.rate ?? Number.NaN, cells };
    rows.push(row);
    progress(
      `memory ${label}: ${contenders.map((c) => `${c.id} ${formatRate(cells[c.id]?.rate ?? Number.NaN)}`).join(', ')}`,
    );
    collectGarbage();
  }
  const notes = [...new Set(contenders.flatMap((c) => ops.map((op) => c.notes[op]).filter((n) => n !== undefined)))];
  return { contenders: contenders.map(({ id, label }) => ({ id, label })), rows, notes };
}
