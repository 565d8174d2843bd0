/**
 * The package as a stranger gets it: `npm pack`, install the tarball into an empty
 * folder, use it from plain Node ESM (no TypeScript, no test runner).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
});
