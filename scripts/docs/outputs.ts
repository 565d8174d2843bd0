/**
 * Regenerates the kit's real output shown in README.md and docs/*.md: runs the CLI on each
 * example backend under docs/examples/, writes the full output next to it (check-output.txt),
 * then refills every region of the Markdown marked
 *
 *   <!-- output: <example> blocks="<regex>|<regex>" -->
 *   ```text
 *   …
 *   ```
 *   <!-- /output -->
 *
 * with the blank-line-separated blocks of that output whose first line matches one of the
 * regexes (whole output when `blocks` is absent), and every region
 *
 *   <!-- include: docs/examples/x.ts from="<regex>" to="<regex>" -->
 *   ```ts
 *   ```
 *   <!-- /include -->
 *
 * with that file (or its lines from the first matching `from` to the next matching `to`), so
 * code shown in the docs is the checked example file itself. `npm run docs:outputs` runs it;
 * `--check` only reports regions that are stale (durations ignored) and exits 1.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** Each example backend and the exact command whose output the docs show. */
export const EXAMPLES: Record<string, { module: string; args: readonly string[] }> = {
  report: { module: 'docs/examples/report/ttl-in-seconds.ts', args: ['--seed', '1'] },
  'multi-bug': { module: 'docs/examples/multi-bug/four-bugs.ts', args: ['--seed', '1'] },
  'first-try': { module: 'docs/examples/first-try/map-storage.ts', args: ['--seed', '1'] },
  'with-clock': { module: 'docs/examples/with-clock/map-storage.ts', args: ['--seed', '1'] },
  conformant: { module: 'docs/examples/conformant/map-storage.ts', args: ['--seed', '1'] },
  'naive-counter': { module: 'docs/examples/naive-counter/naive-counter.mjs', args: ['--seed', '42'] },
};

/** The command as a reader in this repository types it (`npm start` runs the CLI from source). */
export function shownCommand(example: string): string {
  const { module, args } = EXAMPLES[example] ?? unknownExample(example);
  return ['npm start --', module, ...args].join(' ');
}

function unknownExample(name: string): never {
  throw new Error(`unknown example "${name}" (known: ${Object.keys(EXAMPLES).join(', ')})`);
}

/** Runs the CLI from source on one example; returns its output and exit code. */
export function runExample(example: string): { output: string; status: number | null } {
  const { module, args } = EXAMPLES[example] ?? unknownExample(example);
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli/main.ts', 'check', module, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { output: `${result.stdout}${result.stderr}`.replace(/\s+$/, '\n'), status: result.status };
}

const REGION = /<!-- output: ([\w-]+)(?: blocks="([^"]*)")? -->\n```text\n[\s\S]*?```\n<!-- \/output -->/g;

/** The blocks of `output` (separated by blank lines) whose first line matches `blocks`. */
export function selectBlocks(output: string, blocks: string | undefined): string {
  if (blocks === undefined) return output.trimEnd();
  const pattern = new RegExp(blocks, 'u');
  const chosen = output.split(/\n\s*\n/).filter((block) => pattern.test(block.split('\n')[0] ?? ''));
  return chosen.join('\n\n').trimEnd();
}

/**
 * Durations differ on every run; they never make a region stale. Nor do the remaining TTLs a
 * backend reading the wall clock reports (`ttl → 99993` in the first try's WIRE-01 finding).
 */
export function withoutDurations(text: string): string {
  return text.replace(/\b\d+(?:\.\d+)? (?:ms|s)\b/g, '<t>').replace(/(ttl → )\d+/g, '$1<n>');
}

/** Markdown files that may hold output regions. */
export function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', ...docs.map((name) => join('docs', name))];
}

const INCLUDE = /<!-- include: (\S+)((?: (?:from|to)="[^"]*")*) -->\n```(\w+)\n[\s\S]*?```\n<!-- \/include -->/g;

/** The lines of `file` from the first line matching `from` to the next line matching `to` (both kept). */
export function excerpt(file: string, from: string | undefined, to: string | undefined): string {
  const lines = readFileSync(join(root, file), 'utf8').trimEnd().split('\n');
  const start = from === undefined ? 0 : lines.findIndex((line) => new RegExp(from).test(line));
  if (start < 0) throw new Error(`${file}: no line matches from="${from}"`);
  const rest = lines.slice(start + 1);
  const end = to === undefined ? rest.length : rest.findIndex((line) => new RegExp(to).test(line));
  if (end < 0) throw new Error(`${file}: no line after from="${from}" matches to="${to}"`);
  return lines.slice(start, start + 1 + (to === undefined ? rest.length : end + 1)).join('\n');
}

function attribute(attributes: string, name: string): string | undefined {
  return new RegExp(` ${name}="([^"]*)"`).exec(attributes)?.[1];
}

export function fillRegions(markdown: string, outputs: ReadonlyMap<string, string>): string {
  const included = markdown.replace(INCLUDE, (_region, file: string, attributes: string, lang: string) => {
    const code = excerpt(file, attribute(attributes, 'from'), attribute(attributes, 'to'));
    return `<!-- include: ${file}${attributes} -->\n\`\`\`${lang}\n${code}\n\`\`\`\n<!-- /include -->`;
  });
  return included.replace(REGION, (_region, example: string, blocks: string | undefined) => {
    const output = outputs.get(example) ?? unknownExample(example);
    const head = `<!-- output: ${example}${blocks === undefined ? '' : ` blocks="${blocks}"`} -->`;
    return `${head}\n\`\`\`text\n$ ${shownCommand(example)}\n${selectBlocks(output, blocks)}\n\`\`\`\n<!-- /output -->`;
  });
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const outputs = new Map<string, string>();
  for (const example of Object.keys(EXAMPLES)) {
    const { output, status } = runExample(example);
    // 0 conformant, 1 not conformant, 3 partial: all verdicts worth showing; anything else is a broken run.
    if (status !== 0 && status !== 1 && status !== 3)
      throw new Error(`${shownCommand(example)} exited ${status}:\n${output}`);
    outputs.set(example, output);
    const file = join(root, EXAMPLES[example]?.module.replace(/[^/]+$/, '') ?? '', 'check-output.txt');
    if (!check) writeFileSync(file, `$ ${shownCommand(example)}\n${output}`);
  }
  const stale: string[] = [];
  for (const file of markdownFiles()) {
    const before = readFileSync(join(root, file), 'utf8');
    const after = fillRegions(before, outputs);
    if (withoutDurations(after) !== withoutDurations(before)) stale.push(file);
    if (!check && after !== before) writeFileSync(join(root, file), after);
  }
  if (check && stale.length > 0) {
    console.error(`stale kit output in ${stale.join(', ')}: run npm run docs:outputs`);
    process.exitCode = 1;
  } else {
    console.log(check ? 'kit output in the docs is current' : `regenerated: ${stale.join(', ') || 'nothing changed'}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
