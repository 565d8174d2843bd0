/** The protocol's commands as a user runs them: check --exec, serve and vectors, as child processes. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sa-kit-protocol-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The child must not believe it runs inside vitest (the suite imports vitest when VITEST is set). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name === 'FORCE_COLOR') delete env[name];
  return env;
}

function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli/main.ts', ...args], {
      cwd: root,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('sa-storage-kit check --exec', () => {
  test('checks a Python program and shows its log', async () => {
    const run = await cli(
      'check',
      '--exec',
      'python3 examples/python/backend.py',
      '--only',
      'TTL-01,KV-01',
      '--seed',
      '1',
    );
    expect(run.stdout).toContain('checking the program `python3 examples/python/backend.py` (process protocol 1)');
    expect(run.stdout).toContain('CONFORMANT — 2 of 2 rules passed');
    expect(run.stdout).toContain('Backend log (stderr, last 1 lines):\n  | python example backend: ready');
    expect(run.stdout).toContain("replay this run: npm start -- --exec 'python3 examples/python/backend.py'");
    expect(run.status).toBe(0);
  }, 60_000);

  test('a crashing program: the verdict names the crash, the epilogue lists it', async () => {
    const run = await cli(
      'check',
      '--exec',
      'python3 test/fixtures/protocol/faulty_backend.py crash incr',
      '--only',
      'CTR-01',
    );
    expect(run.stdout).toContain('NOT CONFORMANT — the backend process exited with code 3');
    expect(run.stdout).toMatch(
      /The backend process broke the protocol \d time\(s\):\n {2}\[before the first rule\] the backend process exited/,
    );
    expect(run.stdout).toContain('[CTR-01] the backend process exited');
    expect(run.stdout).toContain('panic: cannot handle incr');
    expect(run.status).toBe(1);
  }, 60_000);

  test('the JSON, JUnit and Markdown reports carry the breaches and the log the epilogue shows', async () => {
    const [json, junit, markdown] = ['report.json', 'report.xml', 'report.md'].map((name) => join(dir, name));
    const run = await cli(
      'check',
      '--exec',
      'python3 test/fixtures/protocol/faulty_backend.py crash incr',
      '--only',
      'CTR-01',
      '--json',
      json as string,
      '--junit',
      junit as string,
      '--markdown',
      markdown as string,
    );
    expect(run.status).toBe(1);
    const document = JSON.parse(readFileSync(json as string, 'utf8'));
    expect(document.process.command).toBe('python3 test/fixtures/protocol/faulty_backend.py crash incr');
    expect(document.process.incidents.map((incident: { kind: string }) => incident.kind)).toContain('exit');
    expect(document.process.incidents.map((incident: { during: string }) => incident.during)).toContain('CTR-01');
    expect(document.process.stderrTail).toContain('panic: cannot handle incr');
    const xml = readFileSync(junit as string, 'utf8');
    expect(xml).toMatch(/<testcase [^>]*name="protocol breach 1: exit \(during [^)]+\)"/);
    expect(xml).toContain('type="ProtocolBreach"');
    expect(xml).toMatch(/<system-err>[^<]*panic: cannot handle incr[^<]*<\/system-err>/);
    const md = readFileSync(markdown as string, 'utf8');
    expect(md).toContain('## Backend process');
    expect(md).toMatch(/- \*\*CTR-01\*\*: exit/);
    expect(md).toMatch(/Backend log \(stderr, last \d+ lines\):\n\n```text\n(.*\n)*panic: cannot handle incr/);
  }, 60_000);

  test('--exec with a module or --backend is a usage error', async () => {
    const run = await cli('check', '--exec', 'x', '--backend', 'memory');
    expect(run.stderr).toContain('give one backend: --exec "x", a module or --backend, not several');
    expect(run.status).toBe(2);
  }, 30_000);
});

describe('sa-storage-kit serve and vectors', () => {
  test('check --exec "sa-storage-kit serve" passes', async () => {
    const serve = `"${process.execPath}" --import tsx scripts/cli/main.ts serve --backend memory`;
    const run = await cli('check', '--exec', serve, '--only', 'KV,TTL-01', '--seed', '2');
    expect(run.stdout).toContain('CONFORMANT — 11 of 11 rules passed');
    expect(run.stdout).toContain('serve: serving memory on stdin/stdout (process protocol 1)');
    expect(run.status).toBe(0);
  }, 60_000);

  test('serve --backend database speaks for the stub: check --expect unimplemented holds', async () => {
    const serve = `"${process.execPath}" --import tsx scripts/cli/main.ts serve --backend database`;
    const run = await cli('check', '--exec', serve, '--expect', 'unimplemented');
    expect(run.stdout).toContain('stub contract holds');
    expect(run.status).toBe(0);
  }, 60_000);

  test('vectors --out writes the chosen rules as JSON', async () => {
    const out = join(dir, 'vectors.json');
    const run = await cli('vectors', '--only', 'TTL-01,CTR-05', '--out', out);
    expect(run.stderr).toContain('test vectors:');
    const vectors = JSON.parse(readFileSync(out, 'utf8')) as { format: string; cases: { rule: string }[] };
    expect(vectors.format).toBe('sa-storage-kit/vectors');
    expect(vectors.cases.map((c) => c.rule)).toEqual(['TTL-01', 'CTR-05']);
    expect(readFileSync(out, 'utf8')).toContain('"result":9223372036854775807');
    expect(run.status).toBe(0);
  }, 60_000);
});
