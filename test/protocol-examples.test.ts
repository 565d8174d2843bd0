/**
 * Backends in other languages, checked over the process protocol: the Python and Rust examples
 * are conformant, each one's one-line bug is reported with the right rule, and the test vectors
 * replay in Python without Node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkProcessBackend, generateVectors, serializeVectors } from '../conformance/protocol/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = `python3 ${root}examples/python/backend.py`;
const rustBinary = `${root}examples/rust/target/release/sa-storage-example`;
const numRuns = 30;

function failedIds(report: { results: readonly { id: string; status: string }[] }): string[] {
  return report.results.filter((r) => r.status === 'fail').map((r) => r.id);
}

describe('the Python example (standard library only)', () => {
  test('is conformant over the protocol', async () => {
    const report = await checkProcessBackend(python, { seed: 7, numRuns });
    expect(report.results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(report.process.stderrTail).toContain('python example backend: ready');
  }, 180_000);

  test('keeps its own time when requests carry no now (real clock)', async () => {
    const report = await checkProcessBackend(python, { seed: 7, clock: 'real', only: ['TTL-01', 'TTL-04'] });
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['TTL-01', 'pass'],
      ['TTL-04', 'pass'],
    ]);
  }, 60_000);

  test('its ttl-boundary bug is reported as TTL-01, first', async () => {
    const report = await checkProcessBackend(python, {
      seed: 7,
      numRuns,
      process: { env: { ...process.env, SA_EXAMPLE_BUG: 'ttl-boundary' } },
    });
    expect(failedIds(report)[0]).toBe('TTL-01');
    expect(report.results.find((r) => r.id === 'TTL-01')?.reason).toContain('at (or before) its deadline');
    expect(report.process.incidents).toEqual([]);
  }, 180_000);
});

describe('the Rust example (std only, built with cargo)', () => {
  beforeAll(() => {
    // Cached in examples/rust/target (gitignored): a rebuild with no change takes well under a second.
    execFileSync(
      'cargo',
      ['build', '--release', '--offline', '--quiet', '--manifest-path', `${root}examples/rust/Cargo.toml`],
      {
        stdio: 'inherit',
      },
    );
  }, 300_000);

  test('is conformant over the protocol', async () => {
    const report = await checkProcessBackend(rustBinary, { seed: 7, numRuns });
    expect(report.results.filter((r) => r.status !== 'pass')).toEqual([]);
  }, 180_000);

  test('its incr-drops-ttl bug is reported as CTR-03', async () => {
    const report = await checkProcessBackend(rustBinary, {
      seed: 7,
      numRuns,
      process: { env: { ...process.env, SA_EXAMPLE_BUG: 'incr-drops-ttl' } },
    });
    expect(failedIds(report)[0]).toBe('CTR-03');
    expect(report.results.find((r) => r.id === 'CTR-03')?.reason).toContain('after incr');
  }, 180_000);
});

describe('test vectors', () => {
  const file = `${root}test/.tmp/protocol-vectors.json`;

  beforeAll(async () => {
    mkdirSync(`${root}test/.tmp`, { recursive: true });
    writeFileSync(file, serializeVectors(await generateVectors({ seed: 5, numRuns: 5 })));
  }, 120_000);

  test('are deterministic: the same seed writes the same file', async () => {
    const again = serializeVectors(await generateVectors({ seed: 5, numRuns: 5, only: ['TTL', 'CTR-06'] }));
    const once = serializeVectors(await generateVectors({ seed: 5, numRuns: 5, only: ['TTL', 'CTR-06'] }));
    expect(again).toBe(once);
    // Counters beyond 2^53 are written exactly.
    expect(once).toMatch(/"result":9223372036854774999\b/);
  }, 60_000);

  test('replay in Python without Node: every answer of the example agrees', () => {
    const run = spawnSync('python3', [`${root}examples/python/run_vectors.py`, file], { encoding: 'utf8' });
    expect(run.stdout).toContain('every answer agrees');
    expect(run.status).toBe(0);
  }, 60_000);

  test('replay in Rust without Node: every answer of the example agrees; its bug is caught', () => {
    const clean = spawnSync(rustBinary, ['--vectors', file], { encoding: 'utf8' });
    expect(clean.stdout).toContain('every answer agrees');
    expect(clean.status).toBe(0);
    const buggy = spawnSync(rustBinary, ['--vectors', file], {
      encoding: 'utf8',
      env: { ...process.env, SA_EXAMPLE_BUG: 'incr-drops-ttl' },
    });
    expect(buggy.stdout).toContain('FAIL "CTR-03"');
    expect(buggy.status).toBe(1);
  }, 60_000);

  test('replay in Python catches the example’s bug, in the rules that cover it', () => {
    const run = spawnSync('python3', [`${root}examples/python/run_vectors.py`, file], {
      encoding: 'utf8',
      env: { ...process.env, SA_EXAMPLE_BUG: 'ttl-boundary' },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL TTL-01');
    expect(run.stdout).not.toContain('FAIL KV-');
  }, 60_000);
});
