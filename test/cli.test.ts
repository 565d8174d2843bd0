/**
 * The sa-storage-kit CLI as a user runs it: a child process (`node --import tsx
 * scripts/cli/main.ts …`), judged by exit code, output and the report files it writes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contractRules, rules } from '../conformance/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
let dir: string;

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The child must not believe it runs inside vitest (the suite imports vitest when VITEST is set). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name === 'FORCE_COLOR') delete env[name];
  return env;
}

function runCommand(command: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
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

const cli = (...args: string[]) => runCommand(process.execPath, ['--import', 'tsx', 'scripts/cli/main.ts', ...args]);
const file = (name: string) => join(dir, name);
const readJson = (name: string) => JSON.parse(readFileSync(file(name), 'utf8')) as Record<string, unknown> & JsonReport;

interface JsonReport {
  conformant: boolean;
  headline: string;
  diagnosis: { method: string; title: string; breaks: string[]; hint: string }[];
  seed: number;
  target: string;
  kit: { name: string; version: string };
  counts: { pass: number; fail: number; skip: number };
  results: {
    id: string;
    status: string;
    reason?: string;
    counterexample?: string;
    replay?: { seed: number; path?: string };
  }[];
  replayCommands: Record<string, string>;
}

const failingIds = (report: JsonReport) => report.results.filter((r) => r.status === 'fail').map((r) => r.id);
/** A one-line error: a single line on stderr, no stack frames. */
function expectOneLineError(run: CliRun, pattern: RegExp): void {
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/**
 * A small XML well-formedness check (no dependency): tags nest and close, attributes are
 * quoted, `&` only starts the five predefined entities or a character reference.
 */
function expectWellFormedXml(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const body = xml.replace(/^<\?xml[^?]*\?>/, '');
  expect(body).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<|>/g;
  let roots = 0;
  for (const match of body.matchAll(tag)) {
    const [whole, closing, name, , selfClosing] = match;
    if (whole === '>') continue; // allowed in text
    expect(whole, `malformed markup at ${match.index}`).not.toBe('<');
    if (closing) {
      expect(stack.pop(), `</${name}> closes the wrong element`).toBe(name);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name as string);
    } else if (stack.length === 0) {
      roots++;
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sa-storage-kit-cli-'));
  const memory = pathToFileURL(join(root, 'implementations/memory/index.ts')).href;
  const suite = pathToFileURL(join(root, 'conformance/index.ts')).href;
  writeFileSync(
    file('conformant.mjs'),
    `import { MemoryStorage } from '${memory}';\nexport default (ctx) => new MemoryStorage({ clock: ctx.clock });\n`,
  );
  writeFileSync(
    file('keys-always-empty.mjs'),
    [
      `import { MemoryStorage } from '${memory}';`,
      '/** A defective backend: keys() forgets to list anything (the trait default). */',
      'class KeysAlwaysEmpty extends MemoryStorage {',
      '  async keys() { return []; }',
      '}',
      'export const createStorage = (ctx) => new KeysAlwaysEmpty({ clock: ctx.clock });',
      '',
    ].join('\n'),
  );
  writeFileSync(
    file('typed.ts'),
    [
      `import type { FactoryContext } from '${suite}';`,
      `import { MemoryStorage } from '${memory}';`,
      'export const factory = (ctx: FactoryContext): MemoryStorage => new MemoryStorage({ clock: ctx.clock });',
      '',
    ].join('\n'),
  );
  writeFileSync(
    file('no-key-listing.mjs'),
    [
      `import { MemoryStorage } from '${memory}';`,
      'export default (ctx) => new MemoryStorage({ clock: ctx.clock });',
      "export const unsupported = { keys: 'this store cannot list keys' };",
      '',
    ].join('\n'),
  );
  for (const [name, unsupported] of [
    ['typo-capability', "{ kyes: 'typo of keys' }"],
    ['reason-not-string', '{ keys: true }'],
    ['unsupported-array', "['keys']"],
  ]) {
    writeFileSync(
      file(`${name}.mjs`),
      [
        `import { MemoryStorage } from '${memory}';`,
        'export default (ctx) => new MemoryStorage({ clock: ctx.clock });',
        `export const unsupported = ${unsupported};`,
        '',
      ].join('\n'),
    );
  }
  writeFileSync(file('no-factory.mjs'), 'export const answer = 42;\nexport class Thing {}\n');
  writeFileSync(
    file('throwing-factory.mjs'),
    "export default () => { throw new Error('cannot reach\\nthe database'); };\n",
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('sa-storage-kit check', () => {
  test('with no module it checks MemoryStorage: progress, table by area, verdict, exit 0', async () => {
    const run = await cli('check');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('checking MemoryStorage (--backend memory)');
    expect(run.stdout).toMatch(/^ {2}✓ KV-01 +set then get/m);
    expect(run.stdout).toContain('Results by area');
    const keysValues = contractRules.filter((rule) => rule.area === 'keys-values').length;
    expect(run.stdout).toMatch(new RegExp(`^ {2}Keys and values +${keysValues} +0 +0$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^ {2}Total +${contractRules.length} +0 +0$`, 'm'));
    expect(run.stdout).toContain(`CONFORMANT — ${contractRules.length} of ${contractRules.length} rules passed`);
    expect(run.stdout).toMatch(/^seed \d+ · virtual clock/m);
    expect(run.stderr).toBe('');
  });

  test('--backend database: not conformant, one headline, exit 1', async () => {
    const run = await cli('check', '--backend', 'database');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('NOT CONFORMANT — not implemented: every method rejects with InternalError');
    expect(run.stdout).toContain('failed for one reason');
    expect(run.stdout).toContain('--expect unimplemented');
    expect(run.stdout).not.toContain('Failures (');
  });

  test('--backend database --expect unimplemented: the stub contract holds, exit 0', async () => {
    const run = await cli('check', '--backend', 'database', '--expect', 'unimplemented');
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toContain('stub contract holds');
    expect(run.stdout).toMatch(/✓ STUB-01/);
  });

  test('a conformant custom module passes and the JSON report says so', async () => {
    const run = await cli('check', file('conformant.mjs'), '--json', file('conformant.json'));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const report = readJson('conformant.json');
    expect(report.conformant).toBe(true);
    expect(report.counts).toEqual({ pass: contractRules.length, fail: 0, skip: 0, partial: 0 });
    expect(report.target).toContain('conformant.mjs (default export)');
    expect(report.kit).toEqual({ name: 'sa-storage-kit', version });
    expect(report.replayCommands).toEqual({});
  });

  test('a defective module fails with rule ids, details, replay commands and all three report files', async () => {
    const run = await cli(
      'check',
      file('keys-always-empty.mjs'),
      '--json',
      file('defective/report.json'),
      '--junit',
      file('defective/report.xml'),
      '--markdown',
      file('defective/report.md'),
    );
    expect(run.status).toBe(1);
    const report = readJson('defective/report.json');
    expect(report.conformant).toBe(false);
    const failing = failingIds(report);
    const patternIds = contractRules.filter((rule) => rule.area === 'patterns').map((rule) => rule.id);
    expect(failing).toEqual(expect.arrayContaining(patternIds));
    // The only defect is keys(): every failure must be about a keys() call.
    for (const result of report.results.filter((r) => r.status === 'fail')) {
      expect(result.reason, result.id).toContain('keys(');
    }
    expect(Object.keys(report.replayCommands).sort()).toEqual([...failing].sort());
    // One bug, one finding, and the text report leads with it.
    expect(report.diagnosis.map((finding) => finding.method)).toEqual(['keys']);
    expect(run.stdout.indexOf('Diagnosis: 1 probable root cause')).toBeGreaterThanOrEqual(0);
    expect(run.stdout.indexOf('Diagnosis: 1 probable root cause')).toBeLessThan(run.stdout.indexOf('Results by area'));
    for (const id of failing) expect(report.replayCommands[id]).toContain(`--only ${id} --seed `);

    expect(run.stdout).toContain(`Failures (${failing.length})`);
    expect(run.stdout).toContain('SPEC.md#pat-01');
    expect(run.stdout).toMatch(/counterexample: +\{"keys":/);
    expect(run.stdout).toMatch(new RegExp(`^NOT CONFORMANT — \\d+ of ${contractRules.length} rules failed`, 'm'));
    expect(run.stdout).toContain(`seed ${report.seed}`);

    const xml = readFileSync(file('defective/report.xml'), 'utf8');
    expectWellFormedXml(xml);
    expect(xml.match(/<testcase classname="sa-storage-kit\.(?!diagnosis)/g)).toHaveLength(contractRules.length);
    expect(xml.match(/<failure [^>]*type="NotConformant"/g)).toHaveLength(failing.length);
    // The diagnosis leads the XML: one failed testcase per probable root cause, before the rules.
    expect(xml.match(/<failure [^>]*type="ProbableRootCause"/g)).toHaveLength(report.diagnosis.length);
    expect(xml.indexOf('ProbableRootCause')).toBeLessThan(xml.indexOf('NotConformant'));
    expect(xml).toContain(`failures="${failing.length}"`);

    const markdown = readFileSync(file('defective/report.md'), 'utf8');
    expect(markdown).toMatch(/^# SaStorage conformance: ❌ NOT CONFORMANT/);
    expect(markdown).toContain('### ❌ PAT-07 — ');
  });

  test('the replay command of a property failure reproduces its counterexample', async () => {
    const first = await cli('check', file('keys-always-empty.mjs'), '--only', 'PAT-07', '--json', file('pat07.json'));
    expect(first.status).toBe(1);
    const original = readJson('pat07.json');
    const failure = original.results.find((r) => r.id === 'PAT-07');
    expect(failure?.replay?.path).toBeDefined();
    const replay = original.replayCommands['PAT-07'] as string;
    const args = replay.replace(/^npm start -- /, '').split(' ');
    expect(args).toEqual(expect.arrayContaining(['--only', 'PAT-07', '--path', failure?.replay?.path]));
    const again = await cli('check', ...args, '--json', file('pat07-replay.json'));
    expect(again.status).toBe(1);
    const replayed = readJson('pat07-replay.json').results.find((r) => r.id === 'PAT-07');
    expect(replayed?.counterexample).toBe(failure?.counterexample);
  });

  test('--only takes ids and prefixes, repeated or comma-separated, in any case', async () => {
    const run = await cli('check', '--only', 'KV-01,ttl-02', '--only', 'CTR', '--json', file('only.json'));
    expect(run.status, run.stderr).toBe(0);
    const ids = readJson('only.json').results.map((r) => r.id);
    expect(ids).toEqual(['KV-01', 'TTL-02', 'CTR-01', 'CTR-02', 'CTR-03', 'CTR-04', 'CTR-05', 'CTR-06']);
    expect(run.stdout).toContain('8 rules');
  });

  test('a module may export `unsupported` capabilities: their rules are skipped with its reason', async () => {
    const run = await cli('check', file('no-key-listing.mjs'), '--only', 'PAT,KV-01', '--json', file('skips.json'));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const report = readJson('skips.json');
    expect(report.counts).toEqual({ pass: 1, fail: 0, skip: 7, partial: 0 });
    expect(run.stdout).toContain('Skipped (7)');
    expect(run.stdout).toMatch(/– PAT-01 .*: the backend declares no "keys" capability: this store cannot list keys/);
  });

  test.each([
    ["a typo'd capability", 'typo-capability', /unknown capability "kyes"; did you mean "keys"\?/],
    ['a reason that is not a string', 'reason-not-string', /\.keys must be the reason, a non-empty string .*not true/],
    ['an array', 'unsupported-array', /must map capabilities to reasons, .*not an array/],
  ] as const)('an `unsupported` export with %s is refused before any rule runs, exit 2', async (_, name, message) => {
    const run = await cli('check', file(`${name}.mjs`), '--only', 'KV-01');
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expectOneLineError(run, new RegExp(`export "unsupported" of .*${message.source}`));
    expect(run.stdout).not.toContain('KV-01');
  });

  test('a TypeScript module loads through tsx', async () => {
    const run = await cli('check', file('typed.ts'), '--only', 'KV');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('typed.ts (export factory)');
  });

  test('a missing module is one line, no stack, exit 2', async () => {
    const run = await cli('check', file('nope.mjs'));
    expect(run.status).toBe(2);
    expectOneLineError(run, /module not found: .*nope\.mjs/);
  });

  test('a module without a factory names the exports it has, exit 2', async () => {
    const run = await cli('check', file('no-factory.mjs'));
    expect(run.status).toBe(2);
    expectOneLineError(run, /exports no storage factory/);
    expect(run.stderr).toContain('answer (number)');
    expect(run.stderr).toContain('Thing (class)');
    const named = await cli('check', file('no-factory.mjs'), '--export', 'answer');
    expect(named.status).toBe(2);
    expectOneLineError(named, /export "answer" .* is number, not a storage factory function/);
  });

  test('a factory that throws becomes a one-line headline, exit 1', async () => {
    const run = await cli('check', file('throwing-factory.mjs'));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^NOT CONFORMANT — the storage factory failed: Error: cannot reach the database$/m);
  });

  test.each([
    [['check', '--clock', 'sideways'], /--clock must be virtual or real, not "sideways"/],
    [['check', '--seed', 'abc'], /--seed must be a 32-bit integer/],
    [['check', '--runs', '0'], /--runs must be a whole number/],
    [['check', '--only', 'NOPE'], /--only NOPE matches no rule/],
    [['check', '--backend', 'mongo'], /--backend must be memory or redis or database/],
    [['check', '--frobnicate'], /unknown option --frobnicate/],
    [['check', '--seed'], /--seed needs a value/],
    [['check', './a.mjs', '--backend', 'memory'], /either a module .* or --backend memory, not both/],
  ])('bad arguments %j: one line saying what to fix, exit 2', async (args, message) => {
    const run = await cli(...args);
    expect(run.status).toBe(2);
    expectOneLineError(run, message);
    expect(run.stdout).toBe('');
  });

  test('an unknown command prints the usage, exit 2; --help and --version exit 0', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: sa-storage-kit <command>');
    const help = await cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: sa-storage-kit <command>');
    const checkHelp = await cli('check', '--help');
    expect(checkHelp.status).toBe(0);
    expect(checkHelp.stdout).toContain('--expect conformant|unimplemented');
    const versionRun = await cli('--version');
    expect(versionRun.stdout.trim()).toBe(version);
  });
});

describe.concurrent('sa-storage-kit spec', () => {
  test('prints every rule with its anchor, heading, sentence and hint', async () => {
    const run = await cli('spec');
    expect(run.status).toBe(0);
    for (const rule of rules) {
      expect(run.stdout).toContain(`<a id="${rule.id.toLowerCase()}"></a>`);
      expect(run.stdout).toContain(`### ${rule.id} — `);
    }
    expect(run.stdout).toContain('SPEC.md#ttl-01');
    expect(run.stdout).toBe(readFileSync(join(root, 'SPEC.md'), 'utf8'));
  });

  test('npm run spec:check passes; --check on a stale copy fails, exit 1', async () => {
    const check = await runCommand('npm', ['run', '--silent', 'spec:check']);
    expect(check.status, check.stderr).toBe(0);
    writeFileSync(file('STALE.md'), readFileSync(join(root, 'SPEC.md'), 'utf8').replace('### TTL-01', '### TTL-1'));
    const stale = await cli('spec', '--check', file('STALE.md'));
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/STALE\.md is stale \(line \d+ should be "### TTL-01/);
  });
});
