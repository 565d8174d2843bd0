/**
 * The package as a stranger gets it: `npm pack` once, then one fresh project per way of using it,
 * each in its own temporary folder with `npm install <tarball> <runner>` (npm's cache, preferred
 * offline, makes the installs after the first quick). Everything runs on the Node that runs this
 * file; CI runs it on Node 20 and on Node 24 (docs/containers-and-versions.md):
 *   - plain Node ESM (no TypeScript, no test runner) and the CLI through `npx sa-storage-kit check`;
 *   - runSaStorageSuite under vitest (4 on Node < 22.12, 5 from 22.12: vitest 5 needs it), under
 *     node:test, and under Jest 30 (ESM, `runner: { describe, test, beforeAll, afterAll }`).
 * Each runner runs a conformant backend (every rule passes) and a broken one (PAT-01 fails).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contractRules } from '../conformance/index.js';

const root = new URL('..', import.meta.url).pathname;
const [nodeMajor = 0, nodeMinor = 0] = process.versions.node.split('.').map(Number);
const onNode = `Node ${process.versions.node}`;
/** vitest 5 declares node ^22.12 || ^24 || >=26; below that, its consumer is vitest 4. */
const vitestMajor = nodeMajor > 22 || (nodeMajor === 22 && nodeMinor >= 12) ? 5 : 4;
const INSTALL_TIMEOUT_MS = 300_000;
let workDir: string;
let tarball: string;

/** The environment of a consumer's commands: this file's Node first on PATH, nothing of vitest's own. */
function consumerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name === 'NODE_OPTIONS') delete env[name];
  if (extra.NODE_OPTIONS) env.NODE_OPTIONS = extra.NODE_OPTIONS;
  env.PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  return env;
}

/** A runner finishes the suite on MemoryStorage in seconds; past this it hangs (and is killed). */
const RUN_TIMEOUT_MS = 60_000;

/** Runs a command in a consumer project; a non-zero exit is a result here, not an error. */
function run(cwd: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: consumerEnv(extraEnv),
    timeout: RUN_TIMEOUT_MS,
  });
  const killed =
    result.status === null
      ? `\n[${command} ${args.join(' ')} was killed by ${result.signal} after ${Math.round(performance.now() - started)} ms: it hung]`
      : '';
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: result.stdout + result.stderr + killed,
  };
}

const execFileAsync = promisify(execFile);

/** A fresh project: package.json, the given files, then `npm install <tarball> ...dependencies`. */
async function project(name: string, dependencies: string[], files: Record<string, string>, extra: object = {}) {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', ...extra }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  await execFileAsync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...dependencies], {
    cwd: dir,
    env: consumerEnv(),
    timeout: INSTALL_TIMEOUT_MS,
  });
  return dir;
}

/** Backends a user would write: a conformant one, and one whose keys() always answers []. */
const BACKENDS = `import { MemoryStorage } from 'sa-storage-kit/memory';
export const createStorage = (ctx) => new MemoryStorage({ clock: ctx.clock });
class KeysAlwaysEmpty extends MemoryStorage {
  async keys() { return []; }
}
export const createBroken = (ctx) => new KeysAlwaysEmpty({ clock: ctx.clock });
`;

/** One conformant and one broken suite file, registering the suite with `options` (source text). */
function suiteFiles(options: string, prelude = ''): Record<string, string> {
  const file = (factory: string) =>
    `${prelude}import { runSaStorageSuite } from 'sa-storage-kit/conformance';\nimport { ${factory} } from './backends.mjs';\n\nrunSaStorageSuite(${factory}${options});\n`;
  return {
    'backends.mjs': BACKENDS,
    'conformant.test.mjs': file('createStorage'),
    'broken.test.mjs': file('createBroken'),
  };
}

const projects: Record<'plain' | 'vitest' | 'nodeTest' | 'jest', Promise<string>> = {} as never;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'sa-storage-kit-pack-'));
  const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', workDir], {
    cwd: root,
    encoding: 'utf8',
    env: consumerEnv(),
  });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  tarball = join(workDir, (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename ?? '');
  // The installs run side by side (mostly waiting on npm); each test awaits its own project.
  projects.plain = project('plain', [], {});
  projects.vitest = project(`vitest${vitestMajor}`, [`vitest@${vitestMajor}`], suiteFiles(''));
  projects.nodeTest = project('node-test', [], suiteFiles(", { runner: 'node:test' }"));
  projects.jest = project(
    'jest30',
    ['jest@30'],
    suiteFiles(', { runner: { describe, test, beforeAll, afterAll } }', '// Jest globals, as in any Jest test file.\n'),
    { jest: { transform: {} } },
  );
  for (const pending of Object.values(projects)) pending.catch(() => {}); // awaited (and reported) by each test
}, 180_000);

afterAll(async () => {
  // Installs a filtered run (-t) never awaited may still be writing into workDir.
  await Promise.allSettled(Object.values(projects));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, INSTALL_TIMEOUT_MS);

const RULES = contractRules.length;

describe(`npm pack → install → import from plain Node ESM (${onNode})`, () => {
  test(
    'sa-storage-kit/memory works',
    async () => {
      const dir = await projects.plain;
      const script = `
      import { MemoryStorage } from 'sa-storage-kit/memory';
      const storage = new MemoryStorage();
      await storage.set('k', 'v', 1000);
      console.log(JSON.stringify([await storage.get('k'), await storage.incr('n'), (await storage.ttl('k')) > 0]));
      await storage.close();`;
      const result = run(dir, 'node', ['--input-type=module', '-e', script]);
      expect(result.stdout.trim(), result.stderr).toBe('["v",1,true]');
    },
    INSTALL_TIMEOUT_MS,
  );

  test('the contract entry and the database stub work, with types shipped', async () => {
    const dir = await projects.plain;
    const script = `
      import { isStorageError, matchesPattern } from 'sa-storage-kit';
      import { DatabaseStorage } from 'sa-storage-kit/database';
      const error = await new DatabaseStorage('x').get('k').catch((e) => e);
      console.log(JSON.stringify([isStorageError(error), error.kind, matchesPattern('sa:*', 'sa:1')]));`;
    const result = run(dir, 'node', ['--input-type=module', '-e', script]);
    expect(result.stdout.trim(), result.stderr).toBe('[true,"InternalError",true]');
    expect(run(dir, 'ls', ['node_modules/sa-storage-kit/dist/implementations/memory']).stdout).toContain('index.d.ts');
  });

  test('sa-storage-kit/protocol loads, with types, and talks to the installed `serve`', async () => {
    const dir = await projects.plain;
    // The installed bin, compiled (no tsx): what a backend author compares their program against.
    const script = `
      import { ProcessBackend, PROTOCOL_VERSION } from 'sa-storage-kit/protocol';
      const backend = new ProcessBackend('node node_modules/sa-storage-kit/dist/scripts/cli/main.js serve');
      try {
        const { storage } = await backend.open({ namespace: 'n', clockMode: 'real', clock: { now: () => Date.now() } });
        await storage.set('k', 'v\\u0000é');
        console.log(JSON.stringify([PROTOCOL_VERSION, await storage.get('k'), backend.incidents.length]));
      } finally {
        await backend.close();
      }`;
    const result = run(dir, 'node', ['--input-type=module', '-e', script]);
    expect(result.stdout.trim(), result.stderr).toBe('[1,"v\\u0000é",0]');
    expect(run(dir, 'ls', ['node_modules/sa-storage-kit/dist/conformance/protocol']).stdout).toContain('index.d.ts');
  });

  test('every source map carries its sources (stack frames and debuggers never name a missing file)', async () => {
    const dir = await projects.plain;
    const installed = join(dir, 'node_modules/sa-storage-kit');
    const maps = run(dir, 'find', [installed, '-name', '*.map']).stdout.trim().split('\n').filter(Boolean);
    expect(maps.length).toBeGreaterThan(0);
    const orphans = maps.flatMap((file) => {
      const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      return map.sources
        .filter(
          (source, index) => typeof map.sourcesContent?.[index] !== 'string' && !existsSync(join(file, '..', source)),
        )
        .map((source) => `${file.slice(installed.length + 1)} → ${source}`);
    });
    expect(orphans).toEqual([]);
  });
});

/** better-sqlite3 is a native addon built for the Node that ran `npm ci`; another Node cannot load it. */
const sqliteLoads =
  spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root }).status ===
  0;

describe('the SQL backends from the tarball', () => {
  test.skipIf(!sqliteLoads)(
    `sa-storage-kit/sqlite and sa-storage-kit/postgres are exported, with types, and load their peer drivers${sqliteLoads ? '' : ` — skipped: this repository's better-sqlite3 was built for another Node than ${onNode}`}`,
    async () => {
      const dir = await projects.plain;
      // The drivers are optional peers: the app installs them (here linked from this repository's
      // node_modules; Node resolves their own dependencies from where the links point).
      for (const name of ['better-sqlite3', 'pg']) {
        run(dir, 'ln', ['-sfn', join(root, 'node_modules', name), join(dir, 'node_modules', name)]);
      }
      const script = `
      import { SqliteStorage } from 'sa-storage-kit/sqlite';
      import { PostgresStorage, postgresSchemaSql } from 'sa-storage-kit/postgres';
      const storage = await SqliteStorage.open(':memory:', 'app:');
      await storage.set('k', 'v', 1000);
      console.log(JSON.stringify([await storage.get('k'), await storage.incr('n'), typeof PostgresStorage.connect, postgresSchemaSql().startsWith('CREATE TABLE')]));
      await storage.close();`;
      const result = run(dir, 'node', ['--input-type=module', '-e', script]);
      expect(result.stdout.trim(), result.stderr).toBe('["v",1,"function",true]');
      for (const folder of ['sqlite', 'postgres', 'sql']) {
        expect(run(dir, 'ls', [`node_modules/sa-storage-kit/dist/implementations/${folder}`]).stdout).toContain(
          '.d.ts',
        );
      }
    },
  );
});

describe(`the installed CLI through npx sa-storage-kit check (${onNode})`, () => {
  const kit = async (args: string[]) => run(await projects.plain, 'npx', ['--no-install', 'sa-storage-kit', ...args]);
  const readReport = async (name: string) =>
    JSON.parse(readFileSync(join(await projects.plain, name), 'utf8')) as {
      conformant: boolean;
      counts: { pass: number; fail: number; skip: number };
      results: { id: string; status: string }[];
      replayCommands: Record<string, string>;
    };

  test('a conformant backend: exit 0 and a conformant JSON report', async () => {
    writeFileSync(
      join(await projects.plain, 'backend.mjs'),
      "import { MemoryStorage } from 'sa-storage-kit/memory';\nexport default (ctx) => new MemoryStorage({ clock: ctx.clock });\n",
    );
    const result = await kit(['check', './backend.mjs', '--json', 'out.json']);
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toContain('CONFORMANT');
    const report = await readReport('out.json');
    expect(report.conformant).toBe(true);
    expect(report.counts).toMatchObject({ pass: RULES, fail: 0 });
  });

  test('a defective backend: exit 1, failing rule ids and npx replay commands in the JSON report', async () => {
    writeFileSync(join(await projects.plain, 'backends.mjs'), BACKENDS);
    writeFileSync(
      join(await projects.plain, 'broken-backend.mjs'),
      "import { createBroken } from './backends.mjs';\nexport default createBroken;\n",
    );
    const result = await kit(['check', './broken-backend.mjs', '--json', 'broken.json']);
    expect(result.status, result.output).toBe(1);
    const report = await readReport('broken.json');
    expect(report.conformant).toBe(false);
    const failing = report.results.filter((r) => r.status === 'fail').map((r) => r.id);
    expect(failing).toEqual(expect.arrayContaining(['PAT-01', 'PAT-07']));
    expect(report.replayCommands['PAT-01']).toMatch(
      /^npx sa-storage-kit check \.\/broken-backend\.mjs --only PAT-01 --seed \d+$/,
    );
  });

  test('a TypeScript module without tsx installed: one line saying to install tsx, exit 2', async () => {
    writeFileSync(join(await projects.plain, 'backend.ts'), 'export default () => null;\n');
    const result = await kit(['check', './backend.ts']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/install tsx to check TypeScript modules/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

/**
 * How one runner is invoked on one file (its own bin, not through npx: a runner killed for hanging
 * must not leave its process behind), and how its summary reads.
 */
interface Runner {
  project: keyof typeof projects;
  command: (file: string) => [string, string[], NodeJS.ProcessEnv?];
  /** Passed and failed test counts from the runner's closing summary. */
  counts: (output: string) => { passed: number; failed: number };
}

const count = (output: string, pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? 0);

const runners: Record<string, Runner> = {
  [`vitest ${vitestMajor}`]: {
    project: 'vitest',
    command: (file) => ['node_modules/.bin/vitest', ['run', '--reporter=verbose', file]],
    counts: (output) => ({
      passed: count(output, /Tests\s+(?:\d+ failed \| )?(\d+) passed/),
      failed: count(output, /Tests\s+(\d+) failed/),
    }),
  },
  'node:test': {
    project: 'nodeTest',
    command: (file) => ['node', ['--test', '--test-reporter=spec', file]],
    counts: (output) => ({ passed: count(output, /ℹ pass (\d+)/), failed: count(output, /ℹ fail (\d+)/) }),
  },
  'Jest 30': {
    project: 'jest',
    // Jest runs ES modules with Node's VM modules (https://jestjs.io/docs/ecmascript-modules).
    command: (file) => ['node_modules/.bin/jest', [file], { NODE_OPTIONS: '--experimental-vm-modules' }],
    counts: (output) => ({
      passed: count(output, /Tests:\s+(?:\d+ failed, )?(\d+) passed/),
      failed: count(output, /Tests:\s+(\d+) failed/),
    }),
  },
};

for (const [name, runner] of Object.entries(runners)) {
  let hung = '';
  describe(`runSaStorageSuite under ${name} in a fresh project (${onNode})`, () => {
    test(
      'a conformant backend: the diagnosis test and one passing test per rule, exit 0',
      async () => {
        const dir = await projects[runner.project];
        const [command, args, env] = runner.command('conformant.test.mjs');
        const result = run(dir, command, args, env);
        if (result.status === null) hung = result.output;
        expect(result.status, result.output).toBe(0);
        expect(result.output).toContain('KV-01: set then get returns the value');
        expect(result.output).toContain('diagnosis: probable root causes');
        // The diagnosis leads: one test before the rules' own.
        expect(runner.counts(result.output), result.output).toEqual({ passed: RULES + 1, failed: 0 });
      },
      INSTALL_TIMEOUT_MS,
    );

    test('a backend whose keys() answers []: PAT-01 fails with its spec, exit 1', async () => {
      // One hang per runner is enough to report: a second would only cost another RUN_TIMEOUT_MS.
      if (hung !== '') throw new Error(`not run: ${name} hung on the conformant backend:\n${hung}`);
      const dir = await projects[runner.project];
      const [command, args, env] = runner.command('broken.test.mjs');
      const result = run(dir, command, args, env);
      expect(result.status, result.output).toBe(1);
      expect(result.output).toMatch(/PAT-01: /);
      expect(result.output).toMatch(/probable root cause[\s\S]*keys/);
      expect(result.output).toContain('if this fails, check:');
      expect(runner.counts(result.output).failed, result.output).toBeGreaterThan(0);
    });
  });
}

if (vitestMajor === 4) {
  test.skip(`runSaStorageSuite under vitest 5 — skipped: vitest 5 needs Node ≥ 22.12, this is ${onNode} (CI runs it in its Node 24 step)`, () => {});
}
