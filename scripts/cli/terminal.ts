/** Colours and symbols for the text output: colour only on a terminal, never with NO_COLOR. */
import type { RuleStatus } from '../../conformance/index.js';

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Style {
  readonly color: boolean;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function colorWanted(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

export function createStyle(color: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) => (color ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { color, green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export const STATUS_SYMBOL: Readonly<Record<RuleStatus, string>> = { pass: '✓', fail: '✗', skip: '–', partial: '◐' };

export function statusSymbol(status: RuleStatus, style: Style): string {
  const symbol = STATUS_SYMBOL[status];
  return status === 'pass' ? style.green(symbol) : status === 'fail' ? style.red(symbol) : style.yellow(symbol);
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
