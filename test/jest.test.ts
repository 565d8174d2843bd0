/**
 * runSaStorageSuite under Jest 30, as a Jest user writes it: `{ describe, test, beforeAll }` from
 * @jest/globals. Jest waits for a `done` callback when a test function declares a parameter, so
 * this proves the suite's test bodies declare none (they did: every rule hung 300 s). The kit is
 * compiled to a scratch directory (tsc, as the published dist is) and Jest runs a plain .mjs
 * test file in a child process with Node's ESM support for Jest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository, so the compiled kit resolves fast-check from its node_modules.
let dist: string;

beforeAll(() => {
  dist = mkdtempSync(join(root, 'node_modules', '.sa-kit-jest-'));
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (build.status !== 0) throw new Error(`tsc failed: ${build.stdout}${build.stderr}`);
}, 120_000);
afterAll(() => rmSync(dist, { recursive: true, force: true }));

test('Jest 30 runs the suite: MemoryStorage passes, a defect fails its target rule with a Jest replay line', () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SA_KIT_DIST: dist,
    SA_KIT_DEFECT: 'empty-value-reads-as-null',
    NO_COLOR: '1',
  };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  const jest = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      join(root, 'node_modules/jest/bin/jest.js'),
      '--rootDir',
      join(root, 'test/jest-consumer'),
      '--testMatch',
      '**/*.test.mjs',
      '--transform',
      '{}',
      '--ci',
      '--testTimeout',
      '60000',
    ],
    { cwd: root, env, encoding: 'utf8', timeout: 120_000 },
  );
  const output = `${jest.stdout}${jest.stderr}`;
  expect(jest.status, output).toBe(1);
  expect(output).toMatch(/✓ KV-01: /);
  expect(output).toMatch(/MemoryStorage[\s\S]*✓ TTL-01/);
  expect(output).toMatch(/✕ KV-0\d/);
  expect(output).toMatch(/Tests:\s+\d+ failed, \d+ passed/);
}, 180_000);
