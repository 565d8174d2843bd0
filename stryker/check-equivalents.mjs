#!/usr/bin/env node
/**
 * Holds the mutation report to stryker/equivalent-mutants.md: every surviving or uncovered mutant
 * must be listed there with a reason, and every listed mutant must still survive (a killed or
 * moved one makes its line stale). Prints Stryker's score and the score over the mutants that
 * are not listed as equivalent or outside the contract.
 *
 *   node stryker/check-equivalents.mjs            check (exit 1 on an unexplained or stale line)
 *   node stryker/check-equivalents.mjs --draft    also print draft lines for unexplained mutants
 *   node stryker/check-equivalents.mjs --scope redis   another scope's report and list (equivalent-mutants.<scope>.md)
 *
 * A line of the list: `- <file>:<line>:<column> <Mutator> "<original>" → "<replacement>" — <reason>`
 * (original and replacement as JSON strings, whitespace collapsed, cut at 60 characters).
 */
import { existsSync, readFileSync } from 'node:fs';

const scopeAt = process.argv.indexOf('--scope');
const scopeName = scopeAt >= 0 ? process.argv[scopeAt + 1] : 'memory';
const REPORT =
  scopeName === 'memory' ? 'reports/mutation/mutation.json' : `reports/mutation/${scopeName}/mutation.json`;
const LIST = scopeName === 'memory' ? 'stryker/equivalent-mutants.md' : `stryker/equivalent-mutants.${scopeName}.md`;
const draft = process.argv.includes('--draft');

const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const listText = existsSync(LIST) ? readFileSync(LIST, 'utf8') : '';

/** How the list shows a piece of code: one line, at most 60 characters, as a JSON string. */
export function show(code) {
  const flat = code.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 60 ? `${flat.slice(0, 59)}…` : flat);
}

const LINE = /^- (\S+):(\d+):(\d+) (\w+) ("(?:[^"\\]|\\.)*") → ("(?:[^"\\]|\\.)*") — (.+)$/;
const listed = new Map();
let section = '';
for (const text of listText.split('\n')) {
  if (text.startsWith('## ')) section = text.slice(3).trim();
  if (!text.startsWith('- ')) continue;
  const match = LINE.exec(text);
  if (!match) {
    if (/^- \S+:\d+:\d+ /.test(text)) console.error(`unreadable line in ${LIST}: ${text}`);
    continue;
  }
  const [, file, line, column, mutator, original, replacement] = match;
  const key = [file, line, column, mutator, original, replacement].join(' ');
  // Two mutants can print alike (long originals are cut): a line then stands for as many as it repeats.
  const entry = listed.get(key) ?? { section, text, count: 0, used: 0 };
  entry.count++;
  listed.set(key, entry);
}

const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 };
const unexplained = [];
/** Listed mutants that timed out this time: detected after all (a slow machine can tip one over). */
const timedOut = [];
const bySection = new Map();
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  const offset = (p) => lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
  for (const m of mutants) {
    if (m.status in counts) counts[m.status]++;
    else counts.other++;
    if (m.status !== 'Survived' && m.status !== 'NoCoverage' && m.status !== 'Timeout') continue;
    const { start, end } = m.location;
    const original = show(source.slice(offset(start), offset(end)));
    const key = [file, start.line, start.column, m.mutatorName, original, show(m.replacement ?? '')].join(' ');
    const entry = listed.get(key);
    if (m.status === 'Timeout') {
      if (entry && entry.used < entry.count) {
        entry.used++;
        timedOut.push(entry.text);
      }
      continue;
    }
    if (entry && entry.used < entry.count) {
      entry.used++;
      bySection.set(entry.section, (bySection.get(entry.section) ?? 0) + 1);
    } else {
      unexplained.push(
        `- ${file}:${start.line}:${start.column} ${m.mutatorName} ${original} → ${show(m.replacement ?? '')} — TODO (${m.status})`,
      );
    }
  }
}

const detected = counts.Killed + counts.Timeout;
const valid = detected + counts.Survived + counts.NoCoverage;
const excused = counts.Survived + counts.NoCoverage - unexplained.length;
const pct = (n, d) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(2)} %`);
console.log(
  `mutants: ${valid + counts.other} (valid ${valid}) · killed ${counts.Killed} · timeout ${counts.Timeout} · survived ${counts.Survived} · no coverage ${counts.NoCoverage}` +
    (counts.other ? ` · other (errors/ignored) ${counts.other}` : ''),
);
console.log(`mutation score (Stryker): ${pct(detected, valid)}`);
console.log(`listed in ${LIST}: ${excused}`);
for (const [name, n] of bySection) console.log(`  ${n.toString().padStart(4)}  ${name}`);
console.log(
  `score over the mutants not listed as equivalent / outside the contract: ${pct(detected, valid - excused)}`,
);

const stale = [...listed.values()].filter((entry) => entry.used < entry.count);
if (unexplained.length > 0) {
  console.log(`\n${unexplained.length} surviving mutant(s) are not explained in ${LIST}:`);
  if (draft) for (const line of unexplained) console.log(line);
  else console.log('  (run with --draft to print draft lines)');
}
if (timedOut.length > 0) {
  console.log(
    `\n${timedOut.length} listed mutant(s) timed out this run (counted as detected; check for a slow machine):`,
  );
  for (const text of timedOut) console.log(`  ${text}`);
}
if (stale.length > 0) {
  console.log(`\n${stale.length} line(s) of ${LIST} match no surviving mutant (killed now, or the code moved):`);
  for (const entry of stale) console.log(`  ${entry.text}`);
}
process.exitCode = unexplained.length > 0 || stale.length > 0 ? 1 : 0;
