/**
 * Checks the fenced code blocks of the Markdown docs against the code, so the docs cannot drift:
 *
 * - ```ts / ```js blocks are type-checked (tsc, strict) against the package's own sources, with
 *   every `sa-storage-kit/…` import mapped through package.json `exports`;
 * - blocks preceded by `<!-- check: run -->` are also run (node + tsx) and must exit 0;
 * - ```sh blocks: `npm run X` / `npm start` / `npm test` must be scripts of package.json,
 *   `sa-storage-kit …` command lines must parse, `vitest run <path>` must name test files;
 * - ```sql blocks must be the DDL `postgresSchemaSql` or `sqliteSchemaSql` gives for the default table;
 * - ```text / ```console / ```json / ```xml / ```diff are output and not checked; a block of
 *   any other kind is skipped only with `<!-- check: skip <reason> -->` right above it; a fence
 *   without a language is an error (say what it is).
 *
 * A block inside `<!-- include: <file> … -->` is a copy of a checked example file, kept equal to
 * it by `npm run docs:outputs` (and test/docs.test.ts); it is not checked again here.
 *
 * A comment `<!-- check: prelude <code> -->` right above a block adds hidden lines before it
 * (declarations the reader does not need to see); `<!-- check: epilogue <code> -->` after it.
 * Every problem names the Markdown file and line of the block.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { postgresSchemaSql } from '../../implementations/postgres/index.js';
import { sqliteSchemaSql } from '../../implementations/sqlite/index.js';
import { parseCommandLine } from '../cli/arguments.js';

const root = new URL('../..', import.meta.url).pathname;

export type BlockKind = 'typescript' | 'javascript' | 'shell' | 'sql' | 'output' | 'skipped';

export interface CodeBlock {
  /** Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the block's first code line. */
  readonly line: number;
  readonly lang: string;
  readonly kind: BlockKind;
  readonly code: string;
  readonly prelude: string;
  readonly epilogue: string;
  readonly run: boolean;
}

export interface Problem {
  readonly where: string;
  readonly message: string;
}

const KINDS: Record<string, BlockKind> = {
  ts: 'typescript',
  typescript: 'typescript',
  js: 'javascript',
  javascript: 'javascript',
  mjs: 'javascript',
  sh: 'shell',
  bash: 'shell',
  shell: 'shell',
  sql: 'sql',
  text: 'output',
  console: 'output',
  json: 'output',
  xml: 'output',
  diff: 'output',
};

/** The `check:` directives in the HTML comments directly above line `index` (blank lines allowed). */
function directivesAbove(lines: readonly string[], index: number): Map<string, string> {
  const found = new Map<string, string>();
  for (let i = index - 1; i >= 0; i--) {
    const text = (lines[i] ?? '').trim();
    if (text === '') continue;
    const match = /^<!-- check: (\w+)\s*([\s\S]*?)\s*-->$/.exec(text);
    if (!match) break;
    found.set(match[1] as string, match[2] as string);
  }
  return found;
}

/** Every fenced block of one Markdown text. Unlabelled fences and unknown kinds become problems. */
export function parseBlocks(file: string, markdown: string, problems: Problem[]): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '```', lang = ''] = open;
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').trimStart().startsWith(fence)) end++;
    const code = lines
      .slice(i + 1, end)
      .map((text) => (text.startsWith(indent) ? text.slice(indent.length) : text))
      .join('\n');
    const directives = directivesAbove(lines, i);
    const where = `${file}:${i + 2}`;
    let kind = KINDS[lang.toLowerCase()];
    if ((lines[i - 1] ?? '').startsWith('<!-- include: ')) {
      kind = 'skipped';
    } else if (directives.has('skip')) {
      if ((directives.get('skip') ?? '') === '') problems.push({ where, message: 'check: skip needs a reason' });
      kind = 'skipped';
    } else if (lang === '') {
      problems.push({ where, message: 'fenced block without a language: label it (```ts, ```sh, ```text, …)' });
    } else if (kind === undefined) {
      problems.push({
        where,
        message: `unknown block language "${lang}": use a checked one or <!-- check: skip <reason> -->`,
      });
    }
    const epilogue = directivesAfter(lines, end);
    blocks.push({
      file,
      line: i + 2,
      lang,
      kind: kind ?? 'skipped',
      code,
      prelude: directives.get('prelude') ?? '',
      epilogue,
      run: directives.has('run'),
    });
    i = end;
  }
  return blocks;
}

function directivesAfter(lines: readonly string[], end: number): string {
  const match = /^<!-- check: epilogue\s*([\s\S]*?)\s*-->$/.exec((lines[end + 1] ?? '').trim());
  return match?.[1] ?? '';
}

/** README.md and every docs/*.md. */
export function documentationFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort();
  return ['README.md', ...docs.map((name) => `docs/${name}`)];
}

export function loadBlocks(files: readonly string[], problems: Problem[], base = root): CodeBlock[] {
  return files.flatMap((file) => parseBlocks(file, readFileSync(join(base, file), 'utf8'), problems));
}

/** `sa-storage-kit/x` → the source file behind package.json `exports["./x"]`. */
export function sourcePaths(): Record<string, string[]> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const types = typeof target === 'string' ? target : target.types;
    if (types === undefined || !types.endsWith('.d.ts')) continue;
    const source = join(root, types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'));
    paths[subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`] = [source];
  }
  return paths;
}

function slug(block: CodeBlock): string {
  return `${block.file.replace(/[^\w]+/g, '_')}_L${block.line}`;
}

interface Emitted {
  readonly block: CodeBlock;
  /** Path of the generated file, relative to the work directory. */
  readonly path: string;
  /** Lines added above the block's first line. */
  readonly offset: number;
}

/** Writes the code blocks as modules into `workDir` with a tsconfig that maps the package to its sources. */
export function emitBlocks(blocks: readonly CodeBlock[], workDir: string): Emitted[] {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(join(workDir, 'blocks'), { recursive: true });
  const emitted: Emitted[] = [];
  for (const block of blocks) {
    if (block.kind !== 'typescript' && block.kind !== 'javascript') continue;
    const ext = block.kind === 'typescript' ? 'ts' : 'mjs';
    const path = `blocks/${slug(block)}.${ext}`;
    const prelude = block.prelude === '' ? [] : [block.prelude];
    const text = [...prelude, block.code, block.epilogue, 'export {};', ''].join('\n');
    writeFileSync(join(workDir, path), text);
    emitted.push({ block, path, offset: prelude.length });
  }
  // The backend the docs' five-line examples import as './my-storage.js', './src/my-storage.js'
  // (a module at the project root) or '../src/my-storage.js' (a test in test/).
  for (const path of ['blocks/my-storage.ts', 'blocks/src/my-storage.ts', 'src/my-storage.ts']) {
    mkdirSync(dirname(join(workDir, path)), { recursive: true });
    const fixture = relative(dirname(join(workDir, path)), join(root, 'docs/examples/my-storage.js'));
    writeFileSync(join(workDir, path), `export * from '${fixture}';\n`);
  }
  // Jest is not a dependency of the kit: its three functions are typed as the suite expects them.
  writeFileSync(
    join(workDir, 'blocks/jest-globals.d.ts'),
    `declare module '@jest/globals' {\n  import type { TestRunnerApi } from 'sa-storage-kit/conformance';\n` +
      `  export const describe: TestRunnerApi['describe'];\n  export const test: TestRunnerApi['test'];\n` +
      `  export const beforeAll: TestRunnerApi['beforeAll'];\n` +
      `  export const afterAll: NonNullable<TestRunnerApi['afterAll']>;\n}\n`,
  );
  const tsconfig = {
    extends: join(root, 'tsconfig.json'),
    compilerOptions: {
      noEmit: true,
      allowJs: true,
      checkJs: true,
      paths: sourcePaths(),
    },
    include: ['blocks'],
  };
  writeFileSync(join(workDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  // ESM, as the docs are written (a folder under node_modules would otherwise be CommonJS).
  writeFileSync(join(workDir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  return emitted;
}

/** Type-checks the emitted blocks in one tsc run; each error names the Markdown file and line. */
export function typeCheck(emitted: readonly Emitted[], workDir: string): Problem[] {
  const tsc = join(root, 'node_modules/.bin/tsc');
  const result = spawnSync(tsc, ['-p', join(workDir, 'tsconfig.json'), '--pretty', 'false'], {
    cwd: workDir,
    encoding: 'utf8',
  });
  if (result.status === 0) return [];
  const byPath = new Map(emitted.map((entry) => [entry.path, entry]));
  const problems: Problem[] = [];
  for (const line of `${result.stdout}${result.stderr}`.split('\n')) {
    const match = /^(.*?)\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
    if (!match) {
      if (line.trim() !== '' && !line.startsWith(' ')) problems.push({ where: 'tsc', message: line.trim() });
      continue;
    }
    const [, file = '', row = '0', , message = ''] = match;
    const entry = byPath.get(relative(workDir, join(workDir, file)));
    if (entry === undefined) {
      problems.push({ where: file, message });
      continue;
    }
    const codeLine = Number(row) - entry.offset;
    const where =
      codeLine >= 1 && codeLine <= entry.block.code.split('\n').length
        ? `${entry.block.file}:${entry.block.line + codeLine - 1}`
        : `${entry.block.file}:${entry.block.line} (hidden prelude/epilogue)`;
    problems.push({ where, message });
  }
  if (problems.length === 0) problems.push({ where: 'tsc', message: `exited ${result.status}` });
  return problems;
}

/** Runs one emitted block with node + tsx (package imports resolved to the sources); null when it passed. */
export function runBlock(entry: Emitted, workDir: string, timeoutMs = 60_000): Problem | null {
  const result = spawnSync(process.execPath, ['--import', 'tsx', entry.path], {
    cwd: workDir,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(workDir, 'tsconfig.json') },
  });
  if (result.status === 0) return null;
  const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
  const why = result.status === null ? `did not finish within ${timeoutMs} ms` : `exited ${result.status}`;
  return { where: `${entry.block.file}:${entry.block.line}`, message: `running the block ${why}:\n${output}` };
}

function testFiles(): string[] {
  return readdirSync(join(root, 'test')).map((name) => `test/${name}`);
}

/** Checks the command lines of a shell block against package.json, the CLI parser and the test folder. */
export function checkShell(block: CodeBlock): Problem[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const problems: Problem[] = [];
  const lines = block.code.split('\n');
  lines.forEach((raw, index) => {
    const where = `${block.file}:${block.line + index}`;
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    for (const part of line.split(/&&|\|\||;/).map((piece) => piece.trim())) {
      const words = shellWords(part).filter((word) => !/^[A-Z_]+=/.test(word));
      if (words.length === 0) continue;
      const [command, ...args] = words;
      if (command === 'npm' && (args[0] === 'run' || args[0] === 'run-script')) {
        if (!(args[1] ?? '') || manifest.scripts[args[1] ?? ''] === undefined) {
          problems.push({ where, message: `npm script "${args[1] ?? ''}" is not in package.json` });
        }
      } else if (command === 'npm' && (args[0] === 'start' || args[0] === 'test')) {
        if (manifest.scripts[args[0]] === undefined) problems.push({ where, message: `no npm ${args[0]} script` });
        if (args[0] === 'start' && args[1] === '--') problems.push(...checkCli(['check', ...args.slice(2)], where));
      } else if (command === 'npx' && args[0] === 'sa-storage-kit') {
        problems.push(...checkCli(args.slice(1), where));
      } else if (command === 'npx' && args[0] === 'vitest') {
        for (const filter of args.slice(args[1] === 'run' ? 2 : 1).filter((arg) => !arg.startsWith('-'))) {
          if (!testFiles().some((file) => file.startsWith(filter))) {
            problems.push({ where, message: `vitest filter "${filter}" matches no file under test/` });
          }
        }
      }
    }
  });
  return problems;
}

/** The words of one command, quotes removed, as a shell would pass them (`--exec "python3 b.py"` is two). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/(?:"[^"]*"|'[^']*'|[^\s"']+)+/g)) {
    words.push(match[0].replace(/"([^"]*)"|'([^']*)'/g, (_quoted, double, single) => double ?? single));
  }
  return words;
}

/** A schema shown in the docs is the one the SQL backends create (statements compared without `;` and spacing). */
export function checkSql(block: CodeBlock): Problem[] {
  const statements = (sql: string) =>
    sql
      .split(';')
      .map((statement) => statement.replace(/\s+/g, ' ').trim())
      .filter((statement) => statement !== '')
      .join(';\n');
  const shown = statements(block.code);
  const schemas = [postgresSchemaSql('sa_storage'), sqliteSchemaSql('sa_storage')].map(statements);
  if (schemas.includes(shown)) return [];
  return [
    {
      where: `${block.file}:${block.line}`,
      message: `this SQL is not what postgresSchemaSql('sa_storage') or sqliteSchemaSql('sa_storage') gives:\n${schemas.join('\n\n')}`,
    },
  ];
}

function checkCli(unquoted: readonly string[], where: string): Problem[] {
  try {
    parseCommandLine(unquoted);
  } catch (error) {
    return [{ where, message: `sa-storage-kit ${unquoted.join(' ')}: ${(error as Error).message}` }];
  }
  const module = unquoted[0] === 'check' ? unquoted[1] : undefined;
  if (module?.startsWith('docs/') && !existsSync(join(root, module))) {
    return [{ where, message: `${module} does not exist` }];
  }
  return [];
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  const headings = [...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => headingAnchor(match[1] ?? ''));
  const explicit = [...text.matchAll(/<a id="([^"]+)"/g)].map((match) => match[1] ?? '');
  return new Set([...headings, ...explicit]);
}

/** Relative links of the docs point at files that exist, and at headings that exist in them. */
export function checkLinks(files: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    let inFence = false;
    lines.forEach((line, index) => {
      if (/^\s*```/.test(line)) inFence = !inFence;
      if (inFence) return;
      for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = match[1] ?? '';
        if (/^[a-z]+:/.test(link)) continue;
        const [path = '', anchor] = link.split('#');
        const target = path === '' ? file : join(dirname(file), path);
        const where = `${file}:${index + 1}`;
        if (!existsSync(join(root, target))) {
          problems.push({ where, message: `link to missing ${target}` });
        } else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) {
          problems.push({ where, message: `no heading #${anchor} in ${target}` });
        }
      }
    });
  }
  return problems;
}

/** Everything at once (used by `npm run docs:check` and test/docs.test.ts). */
export function checkDocumentation(files = documentationFiles(), workDir = defaultWorkDir()): Problem[] {
  const problems: Problem[] = [];
  const blocks = loadBlocks(files, problems);
  problems.push(...checkLinks(files));
  for (const block of blocks) if (block.kind === 'shell') problems.push(...checkShell(block));
  for (const block of blocks) if (block.kind === 'sql') problems.push(...checkSql(block));
  const emitted = emitBlocks(blocks, workDir);
  problems.push(...typeCheck(emitted, workDir));
  for (const entry of emitted) {
    if (!entry.block.run) continue;
    const failed = runBlock(entry, workDir);
    if (failed) problems.push(failed);
  }
  return problems;
}

export function defaultWorkDir(): string {
  // Outside node_modules: tsx applies tsconfig paths only to files outside it (test/.tmp is git-ignored).
  return join(root, 'test/.tmp/docs-check');
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map(({ where, message }) => `${where}: ${message}`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = checkDocumentation();
  if (problems.length > 0) {
    console.error(formatProblems(problems));
    process.exitCode = 1;
  } else {
    console.log('every code block of README.md and docs/*.md checks');
  }
}
