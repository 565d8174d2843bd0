/**
 * The process protocol from the kit's side: the reference server over a real pipe is
 * conformant, and every way a backend program can break the protocol (crash, hang, garbage on
 * stdout, an unknown id, an early exit, a silent start) ends in a clear finding and a prompt
 * verdict, with no process left behind.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { isStorageError } from '../conformance/contract/index.js';
import { VirtualClock } from '../conformance/index.js';
import { checkProcessBackend, ProcessBackend } from '../conformance/protocol/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const faulty = (mode: string, op = '') => `python3 ${root}test/fixtures/protocol/faulty_backend.py ${mode} ${op}`;
const serveMemory = `"${process.execPath}" --import tsx ${root}scripts/cli/main.ts serve --backend memory`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); /proc says whether it is one.
  try {
    return !/^\d+ \([^)]*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe('the reference server over the protocol', () => {
  test('sa-storage-kit serve --backend memory is conformant through a pipe', async () => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
    const report = await checkProcessBackend(serveMemory, { seed: 17, numRuns: 30, process: { env } });
    expect(report.results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(report.conformant).toBe(true);
    expect(report.process.incidents).toEqual([]);
    expect(report.process.stderrTail.join('\n')).toContain('serving memory');
  }, 120_000);
});

describe('what the kit validates before sending', () => {
  test('a lone surrogate, a non-string key and a NaN TTL are rejected by the kit, nothing is sent', async () => {
    const backend = new ProcessBackend(faulty('crash', 'set'));
    try {
      const { storage } = await backend.open({ clock: new VirtualClock(), namespace: 'n', clockMode: 'virtual' });
      const kinds = await Promise.all(
        [storage.set('\ud800', 'v'), storage.set(42 as never, 'v'), storage.set('k', 'v', Number.NaN)].map((p) =>
          p.then(
            () => 'resolved',
            (error: unknown) => (isStorageError(error) ? error.kind : 'not a StorageError'),
          ),
        ),
      );
      expect(kinds).toEqual(['SerializationError', 'SerializationError', 'OperationFailed']);
      // The backend crashes on any set it receives: none reached it.
      expect(backend.incidents).toEqual([]);
    } finally {
      await backend.close();
    }
  });
});

describe('a backend program that breaks the protocol gets a finding and a verdict', () => {
  const only = ['KV-01', 'CTR-01', 'KV-02'];

  test('a crash names the exit code and the last stderr lines; the next rule gets a fresh process', async () => {
    const report = await checkProcessBackend(faulty('crash', 'incr'), { seed: 1, only });
    const ctr = report.results.find((r) => r.id === 'CTR-01');
    expect(ctr?.status).toBe('fail');
    expect(ctr?.reason).toContain('exited with code 3');
    expect(ctr?.reason).toContain('panic: cannot handle incr');
    expect(report.results.find((r) => r.id === 'KV-02')?.status).toBe('pass');
    expect(report.headline).toMatch(
      /^NOT CONFORMANT — the backend process exited with code 3 .*\(during (before the first rule|CTR-01)\)/,
    );
  }, 60_000);

  test('garbage on stdout is quoted', async () => {
    const report = await checkProcessBackend(faulty('garbage', 'incr'), { seed: 1, only });
    const ctr = report.results.find((r) => r.id === 'CTR-01');
    expect(ctr?.status).toBe('fail');
    expect(ctr?.reason).toContain('not a protocol response (it is not JSON): "DEBUG handling incr"');
    expect(report.process.incidents.map((i) => [i.kind, i.during])).toContainEqual(['garbage', 'CTR-01']);
    expect(report.results.find((r) => r.id === 'KV-02')?.status).toBe('pass');
  }, 60_000);

  test('an answer to an unknown id is named', async () => {
    const report = await checkProcessBackend(faulty('unknown-id', 'incr'), { seed: 1, only });
    expect(report.results.find((r) => r.id === 'CTR-01')?.reason).toMatch(
      /answered id \d+, which no waiting request has/,
    );
    expect(report.conformant).toBe(false);
  }, 60_000);

  test('an error kind the contract does not have fails the rule, and the process goes on', async () => {
    const report = await checkProcessBackend(faulty('bad-kind', 'incr'), { seed: 1, only });
    const ctr = report.results.find((r) => r.id === 'CTR-01');
    expect(ctr?.status).toBe('fail');
    expect(ctr?.reason).toContain('breaks the protocol: its error kind "Oops" is not one of OperationFailed');
    expect(report.process.incidents.map((i) => [i.kind, i.during])).toContainEqual(['invalid-response', 'CTR-01']);
    expect(report.results.find((r) => r.id === 'KV-02')?.status).toBe('pass');
  }, 60_000);

  test('a process that never answers one op (and answers the rest) fails that rule by the call time-out', async () => {
    const started = performance.now();
    const report = await checkProcessBackend(faulty('hang', 'incr'), { seed: 1, only, callTimeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(20_000);
    const ctr = report.results.find((r) => r.id === 'CTR-01');
    expect(ctr?.status).toBe('fail');
    // The suite's probe meets the hang first; every later incr fails at once, naming it.
    expect(ctr?.reason).toMatch(/incr\("\w+"\) did not settle within 300 ms/);
    expect(report.results.find((r) => r.id === 'KV-02')?.status).toBe('pass');
  }, 60_000);

  test('a process that exits mid-run is reported with its exit code; later rules still run', async () => {
    const report = await checkProcessBackend(faulty('exit-after', '4'), { seed: 1, only });
    const failed = report.results.filter((r) => r.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.reason).toContain('exited with code 0');
    expect(failed[0]?.reason).toContain('exit-after: leaving now');
  }, 60_000);

  test('a process that never answers hello gives one verdict at once, not a time-out per rule', async () => {
    const started = performance.now();
    const report = await checkProcessBackend(faulty('silent-start'), {
      seed: 1,
      callTimeoutMs: 300,
      process: { startupTimeoutMs: 3000 },
    });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(report.conformant).toBe(false);
    expect(report.headline).toContain('wrote nothing for 3000 ms while request #1 "hello"');
    expect(report.counts.fail).toBe(report.results.length);
  }, 60_000);

  test('a command that does not exist is reported with the shell’s message', async () => {
    const report = await checkProcessBackend('/nonexistent/backend-program', { seed: 1, only });
    expect(report.headline).toContain('exited with code 127');
    expect(report.headline).toContain('not found');
  }, 30_000);
});

describe('no process is left behind', () => {
  test('close() kills the program and what it started', async () => {
    const backend = new ProcessBackend(faulty('grandchild'));
    await backend.open({ clock: new VirtualClock(), namespace: 'n', clockMode: 'virtual' });
    const pid = Number(/grandchild pid (\d+)/.exec(backend.stderrTail().join('\n'))?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    await backend.close();
    expect(await eventually(() => !alive(pid))).toBe(true);
  });

  test('a kit that exits without close() still takes the program and its children down', () => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', `${root}test/fixtures/protocol/exit-without-close.mts`],
      {
        encoding: 'utf8',
        env,
      },
    );
    const pid = Number(output.trim());
    expect(pid).toBeGreaterThan(0);
    return eventually(() => !alive(pid)).then((gone) => expect(gone).toBe(true));
  }, 30_000);

  test('a program frozen on a request is killed with its group when it goes silent', async () => {
    const backend = new ProcessBackend(faulty('freeze', 'get'), { silenceTimeoutMs: 1500 });
    try {
      const { storage } = await backend.open({ clock: new VirtualClock(), namespace: 'n', clockMode: 'virtual' });
      await expect(storage.get('k')).rejects.toMatchObject({ kind: 'ConnectionError' });
      expect(backend.incidents.map((i) => i.kind)).toEqual(['hang']);
    } finally {
      await backend.close();
    }
  });
});
