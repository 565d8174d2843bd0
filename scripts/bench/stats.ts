/**
 * Small measurement helpers shared by the benchmark sections: medians, interleaved rounds,
 * calibrated samples and number formatting. Nothing here asserts anything.
 */

/** Keeps results alive so the JIT cannot drop the work that produced them. */
export const sink = { value: 0 };

export function consume(value: unknown): void {
  if (value !== undefined && value !== null) sink.value++;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1
    ? (finite[mid] as number)
    : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
}

/** `items` rotated by `by` positions, so no contender always runs first (or right after a GC-heavy one). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a full GC when node was started with --expose-gc (no-op otherwise). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

export const hasGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

export type Work = (n: number) => unknown;

/** Runs `work(n)` once and returns the elapsed milliseconds. */
export async function timeWork(work: Work, n: number): Promise<number> {
  const start = performance.now();
  await work(n);
  return performance.now() - start;
}

/**
 * Finds an operation count whose sample takes about `targetMs` (also warms the JIT up).
 * Starts at `startN` and grows until a sample lasts at least a quarter of the target.
 */
export async function calibrate(work: Work, targetMs: number, startN = 64, maxN = 50_000_000): Promise<number> {
  let n = startN;
  for (;;) {
    const ms = await timeWork(work, n);
    if (ms >= targetMs / 4 || n >= maxN) {
      const scaled = Math.round((n * targetMs) / Math.max(ms, 0.001));
      return Math.max(1, Math.min(maxN, scaled));
    }
    n *= 4;
  }
}

/** Paired comparison result: per-round ratios against the baseline measured in the same round. */
export interface Comparison {
  /** Median of the contender's own per-round rates (ops/s, or 1/s for one-shot jobs). */
  readonly rate: number;
  /** Median over rounds of (contender rate ÷ baseline rate in that round). */
  readonly ratio: number;
  /** Per-round ratios, for spread. */
  readonly ratios: readonly number[];
}

export function compare(rates: readonly number[], baselineRates: readonly number[]): Comparison {
  const ratios = rates.map((rate, i) => rate / (baselineRates[i] as number));
  return { rate: median(rates), ratio: median(ratios), ratios };
}

/** Spread of per-round ratios: half the interquartile range as ±% of the median (robust to a stray hiccup). */
export function spreadPercent(ratios: readonly number[]): number {
  const sorted = ratios.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length < 2) return 0;
  const at = (q: number) => {
    const pos = (sorted.length - 1) * q;
    const low = Math.floor(pos);
    const high = Math.ceil(pos);
    return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (pos - low);
  };
  return ((at(0.75) - at(0.25)) / 2 / median(sorted)) * 100;
}

export function formatRate(opsPerSecond: number): string {
  if (!Number.isFinite(opsPerSecond)) return '—';
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)} M/s`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(1)} k/s`;
  return `${opsPerSecond.toFixed(1)} /s`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  if (ratio >= 10) return `${ratio.toFixed(0)}×`;
  if (ratio >= 0.095) return `${ratio.toFixed(2)}×`;
  return `${ratio.toFixed(3)}×`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

const started = performance.now();

/** Logs a progress line on stderr (stdout carries the final table), with the seconds since start. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}
