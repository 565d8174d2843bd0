/**
 * SqliteStorage across processes and locks: two real processes incrementing one key of one file
 * add up exactly (every returned value distinct), and a writer that finds the file locked by
 * another connection waits up to busyTimeoutMs, then rejects with ConnectionError and changes
 * nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, expect, test } from 'vitest';
import { isStorageError } from '../conformance/contract/index.js';
import { SqliteStorage } from '../implementations/sqlite/index.js';

const run = promisify(execFile);
const folder = mkdtempSync(join(tmpdir(), 'sa-storage-kit-sqlite-proc-'));
const root = new URL('..', import.meta.url).pathname;

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

test('two processes incrementing one key of one file add up exactly', async () => {
  const file = join(folder, 'shared.db');
  const worker = join(folder, 'worker.mts');
  writeFileSync(
    worker,
    [
      `import { SqliteStorage } from ${JSON.stringify(join(root, 'implementations/sqlite/index.ts'))};`,
      'const [file, count] = process.argv.slice(2);',
      "const storage = await SqliteStorage.open(file, 'shared:');",
      'const seen = [];',
      'await new Promise((resolve) => setTimeout(resolve, Number(process.env.START_AT) - Date.now()));',
      "for (let i = 0; i < Number(count); i++) seen.push(await storage.incr('n'));",
      'await storage.close();',
      'console.log(JSON.stringify(seen));',
    ].join('\n'),
  );
  await (await SqliteStorage.open(file, 'shared:')).close(); // create the file and table once
  const perProcess = 1_000;
  // Both start at the same wall-clock moment, after their (slow) tsx start-up.
  const env = { ...process.env, START_AT: String(Date.now() + 4_000) };
  const tsx = join(root, 'node_modules/.bin/tsx');
  const outputs = await Promise.all(
    [0, 1].map(() => run(tsx, [worker, file, String(perProcess)], { cwd: root, env, timeout: 60_000 })),
  );
  const returned = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as number[]);
  expect(new Set(returned).size).toBe(2 * perProcess);
  expect(Math.max(...returned)).toBe(2 * perProcess);
  const storage = await SqliteStorage.open(file, 'shared:');
  expect(await storage.get('n')).toBe(String(2 * perProcess));
  await storage.close();
}, 90_000);

test('a locked file: ConnectionError after busyTimeoutMs, nothing written, and it works once the lock is gone', async () => {
  const file = join(folder, 'locked.db');
  const storage = await SqliteStorage.open(file, 'l:', { busyTimeoutMs: 200 });
  await storage.set('k', 'before');
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE'); // another connection holds the write lock
  try {
    for (const write of [() => storage.set('k', 'after'), () => storage.incr('k2'), () => storage.mset([['k', 'x']])]) {
      const started = performance.now();
      const error = await write().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      const elapsedMs = performance.now() - started;
      expect(isStorageError(error), String(error)).toBe(true);
      expect((error as { kind: string }).kind).toBe('ConnectionError');
      expect((error as Error).message).toMatch(/locked/);
      expect(elapsedMs).toBeGreaterThanOrEqual(150);
      expect(elapsedMs).toBeLessThan(5_000);
    }
    expect(await storage.get('k')).toBe('before'); // readers are not blocked (WAL)
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  await storage.set('k', 'after');
  expect(await storage.get('k')).toBe('after');
  await storage.close();
  await expect(storage.get('k')).rejects.toMatchObject({ kind: 'ConnectionError' });
});
