/**
 * The package as a stranger gets it: `npm pack`, install the tarball into an empty
 * folder, use it from plain Node ESM (no TypeScript, no test runner).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
let workDir: string;
let appDir: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'sa-storage-kit-pack-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workDir], root)) as {
    filename: string;
  }[];
  const tarball = join(workDir, (packed[0] as { filename: string }).filename);
  appDir = join(workDir, 'app');
  run('mkdir', ['-p', appDir], workDir);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], appDir);
}, 180_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('npm pack → install → import from plain Node ESM', () => {
  test('sa-storage-kit/memory works', () => {
    const script = `
      import { MemoryStorage } from 'sa-storage-kit/memory';
      const storage = new MemoryStorage();
      await storage.set('k', 'v', 1000);
      console.log(JSON.stringify([await storage.get('k'), await storage.incr('n'), (await storage.ttl('k')) > 0]));
      await storage.close();`;
    expect(run('node', ['--input-type=module', '-e', script], appDir).trim()).toBe('["v",1,true]');
  });

  test('the contract entry and the database stub work, with types shipped', () => {
    const script = `
      import { isStorageError, matchesPattern } from 'sa-storage-kit';
      import { DatabaseStorage } from 'sa-storage-kit/database';
      const error = await new DatabaseStorage('x').get('k').catch((e) => e);
      console.log(JSON.stringify([isStorageError(error), error.kind, matchesPattern('sa:*', 'sa:1')]));`;
    expect(run('node', ['--input-type=module', '-e', script], appDir).trim()).toBe('[true,"InternalError",true]');
    const listing = run('ls', ['node_modules/sa-storage-kit/dist/implementations/memory'], appDir);
    expect(listing).toContain('index.d.ts');
  });

  test('every source map carries its sources (stack frames and debuggers never name a missing file)', () => {
    const installed = join(appDir, 'node_modules/sa-storage-kit');
    const maps = run('find', [installed, '-name', '*.map'], appDir).trim().split('\n').filter(Boolean);
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

describe('the SQL backends from the tarball', () => {
  test('sa-storage-kit/sqlite and sa-storage-kit/postgres are exported, with types, and load their peer drivers', () => {
    // The drivers are optional peers: the app installs them (here linked from this repository's
    // node_modules; Node resolves their own dependencies from where the links point).
    for (const name of ['better-sqlite3', 'pg']) {
      run('ln', ['-sfn', join(root, 'node_modules', name), join(appDir, 'node_modules', name)], appDir);
    }
    const script = `
      import { SqliteStorage } from 'sa-storage-kit/sqlite';
      import { PostgresStorage, postgresSchemaSql } from 'sa-storage-kit/postgres';
      const storage = await SqliteStorage.open(':memory:', 'app:');
      await storage.set('k', 'v', 1000);
      console.log(JSON.stringify([await storage.get('k'), await storage.incr('n'), typeof PostgresStorage.connect, postgresSchemaSql().startsWith('CREATE TABLE')]));
      await storage.close();`;
    expect(run('node', ['--input-type=module', '-e', script], appDir).trim()).toBe('["v",1,"function",true]');
    for (const folder of ['sqlite', 'postgres', 'sql']) {
      expect(run('ls', [`node_modules/sa-storage-kit/dist/implementations/${folder}`], appDir)).toContain('.d.ts');
    }
  });
});

describe('the installed sa-storage-kit CLI checks a backend module', () => {
  /** Runs node_modules/.bin/sa-storage-kit in the app folder; a non-zero exit is a result here, not an error. */
  function kit(args: string[]) {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
    const result = spawnSync(join(appDir, 'node_modules/.bin/sa-storage-kit'), args, {
      cwd: appDir,
      encoding: 'utf8',
      env,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }
  const readReport = (name: string) =>
    JSON.parse(readFileSync(join(appDir, name), 'utf8')) as {
      conformant: boolean;
      counts: { pass: number; fail: number; skip: number };
      results: { id: string; status: string }[];
      replayCommands: Record<string, string>;
    };

  test('a conformant backend: exit 0 and a conformant JSON report', () => {
    writeFileSync(
      join(appDir, 'backend.mjs'),
      "import { MemoryStorage } from 'sa-storage-kit/memory';\nexport default (ctx) => new MemoryStorage({ clock: ctx.clock });\n",
    );
    const run = kit(['check', './backend.mjs', '--json', 'out.json']);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('CONFORMANT');
    const report = readReport('out.json');
    expect(report.conformant).toBe(true);
    expect(report.counts.fail).toBe(0);
    expect(report.counts.pass).toBeGreaterThan(40);
  });

  test('a defective backend: exit 1, failing rule ids and npx replay commands in the JSON report', () => {
    writeFileSync(
      join(appDir, 'broken-backend.mjs'),
      [
        "import { MemoryStorage } from 'sa-storage-kit/memory';",
        'class KeysAlwaysEmpty extends MemoryStorage {',
        '  async keys() { return []; }',
        '}',
        'export const createStorage = (ctx) => new KeysAlwaysEmpty({ clock: ctx.clock });',
        '',
      ].join('\n'),
    );
    const run = kit(['check', './broken-backend.mjs', '--json', 'broken.json']);
    expect(run.status, run.stderr).toBe(1);
    const report = readReport('broken.json');
    expect(report.conformant).toBe(false);
    const failing = report.results.filter((r) => r.status === 'fail').map((r) => r.id);
    expect(failing).toEqual(expect.arrayContaining(['PAT-01', 'PAT-07']));
    expect(report.replayCommands['PAT-01']).toMatch(
      /^npx sa-storage-kit check \.\/broken-backend\.mjs --only PAT-01 --seed \d+$/,
    );
  });

  test('a TypeScript module without tsx installed: one line saying to install tsx, exit 2', () => {
    writeFileSync(join(appDir, 'backend.ts'), 'export default () => null;\n');
    const run = kit(['check', './backend.ts']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/install tsx to check TypeScript modules/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
