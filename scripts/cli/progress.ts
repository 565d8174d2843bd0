/**
 * Live progress, one line per rule. On a terminal the running rule shows first and its line
 * is replaced when it ends; elsewhere (CI logs, pipes) each line is printed once, when the
 * rule ends.
 */
import type { RuleInfo, RuleResult, SuiteOptions } from '../../conformance/index.js';
import { formatDuration, type OutputStream, type Style, statusSymbol } from './terminal.js';

export type ProgressCallbacks = Required<Pick<SuiteOptions, 'onRuleStart' | 'onRuleEnd'>>;

export function createProgress(out: OutputStream, style: Style, idWidth: number): ProgressCallbacks {
  const live = out.isTTY === true;
  // Room for the text on one terminal line, after the "  ✓ " prefix and before the duration.
  const room = () => Math.max(30, (out.columns ?? 100) - 16);
  const clip = (text: string) => (text.length > room() ? `${text.slice(0, room() - 1)}…` : text);
  return {
    onRuleStart(rule: RuleInfo) {
      if (live) out.write(style.dim(clip(`  … ${rule.id.padEnd(idWidth)}  ${rule.title}`)));
    },
    onRuleEnd(result: RuleResult) {
      const text = `${result.id.padEnd(idWidth)}  ${result.title}`;
      const line = `  ${statusSymbol(result.status, style)} ${live ? clip(text) : text}  ${style.dim(formatDuration(result.durationMs))}`;
      out.write(`${live ? '\r\x1b[2K' : ''}${line}\n`);
    },
  };
}
