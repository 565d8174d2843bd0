/**
 * The command-line parser on its own (scripts/cli/arguments.ts): argv → Command, or a UsageError
 * that names what to fix. test/cli.test.ts runs the whole CLI as a child process; this file is
 * the fast judge of the parser itself (the `cli-arguments` mutation scope).
 */
import { describe, expect, test } from 'vitest';
import { type CheckArguments, type Command, parseCommandLine, wantsVerbose } from '../scripts/cli/arguments.js';
import { UsageError } from '../scripts/cli/errors.js';

const DEFAULTS: CheckArguments = {
  module: undefined,
  backend: undefined,
  exportName: undefined,
  clock: undefined,
  seed: undefined,
  path: undefined,
  replayPath: undefined,
  runs: undefined,
  only: [],
  json: undefined,
  junit: undefined,
  markdown: undefined,
  expect: 'conformant',
  callTimeoutMs: undefined,
  timeBudgetMs: undefined,
  exec: undefined,
  verbose: false,
};

function check(...argv: string[]): CheckArguments {
  const command = parseCommandLine(['check', ...argv]);
  if (command.kind !== 'check') throw new Error(`expected a check command, got ${JSON.stringify(command)}`);
  return command.args;
}

/** The UsageError message argv is refused with (fails when it is accepted or throws something else). */
function refusal(argv: string[]): string {
  let caught: unknown;
  try {
    parseCommandLine(argv);
  } catch (error) {
    caught = error;
  }
  expect(caught, `${argv.join(' ')} was accepted`).toBeInstanceOf(UsageError);
  return (caught as UsageError).message;
}

describe('commands', () => {
  test.each<[string[], Command]>([
    [['help'], { kind: 'help' }],
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['help', 'check'], { kind: 'help', topic: 'check' }],
    [['help', 'spec'], { kind: 'help', topic: 'spec' }],
    [['--help', 'spec'], { kind: 'help', topic: 'spec' }],
    [['help', 'other'], { kind: 'help' }],
    [['version'], { kind: 'version' }],
    [['--version'], { kind: 'version' }],
    [['check', '--help'], { kind: 'help', topic: 'check' }],
    [['check', '-h'], { kind: 'help', topic: 'check' }],
    [['check', 'not-a-module', '--help'], { kind: 'help', topic: 'check' }],
    [['spec', '--help'], { kind: 'help', topic: 'spec' }],
    [['spec', '-h'], { kind: 'help', topic: 'spec' }],
    [['spec'], { kind: 'spec', args: { out: undefined, check: undefined } }],
    [['spec', '--out', 'SPEC.md'], { kind: 'spec', args: { out: 'SPEC.md', check: undefined } }],
    [['spec', '--check=SPEC.md'], { kind: 'spec', args: { out: undefined, check: 'SPEC.md' } }],
  ])('%j', (argv, expected) => {
    expect(parseCommandLine(argv)).toEqual(expected);
  });

  test('no command, an unknown command', () => {
    expect(refusal([])).toBe('no command given');
    expect(refusal(['chek'])).toBe('unknown command "chek" (commands: check, spec, serve, vectors)');
  });
});

describe('check: options', () => {
  test('nothing given: every default (memory backend, every rule, expect conformant)', () => {
    expect(check()).toEqual(DEFAULTS);
  });

  test('every option, --name value form', () => {
    expect(
      check(
        './my-storage.ts',
        '--export',
        'makeStorage',
        '--clock',
        'real',
        '--seed',
        '-42',
        '--path',
        '3:1:0',
        '--replay-path',
        'AAAB',
        '--runs',
        '7',
        '--only',
        'ttl-01, ctr',
        '--json',
        'out.json',
        '--junit',
        'out.xml',
        '--markdown',
        'out.md',
        '--expect',
        'unimplemented',
        '--call-timeout',
        '250',
        '--verbose',
      ),
    ).toEqual({
      ...DEFAULTS,
      module: './my-storage.ts',
      exportName: 'makeStorage',
      clock: 'real',
      seed: -42,
      path: '3:1:0',
      replayPath: 'AAAB',
      runs: 7,
      only: ['TTL-01', 'CTR'],
      json: 'out.json',
      junit: 'out.xml',
      markdown: 'out.md',
      expect: 'unimplemented',
      callTimeoutMs: 250,
      verbose: true,
    } satisfies CheckArguments);
  });

  test('--name=value form, and a value that itself contains = or starts with one dash', () => {
    expect(check('--backend=redis', '--clock=virtual', '--seed=7', '--json=a=b.json', '--junit', '-')).toEqual({
      ...DEFAULTS,
      backend: 'redis',
      clock: 'virtual',
      seed: 7,
      json: 'a=b.json',
      junit: '-',
    });
  });

  test('--exec and --time-budget (added with the process protocol and the time budgets)', () => {
    expect(check('--exec', 'python3 b.py', '--time-budget', '1500')).toEqual({
      ...DEFAULTS,
      exec: 'python3 b.py',
      timeBudgetMs: 1500,
    });
    expect(refusal(['check', '--time-budjet', '1'])).toBe(
      'unknown option --time-budjet for "check"; did you mean --time-budget?',
    );
    expect(refusal(['check', '--exec', 'x', '--backend', 'memory'])).toBe(
      'give one backend: --exec "x", a module or --backend, not several',
    );
  });

  test('a repeated single-valued option keeps its last value; --only adds up', () => {
    const args = check('--seed', '1', '--seed', '2', '--backend', 'redis', '--backend', 'memory', '--only', 'a');
    expect(args.seed).toBe(2);
    expect(args.backend).toBe('memory');
    expect(check('--only', 'ttl', '--only', 'ctr-01,,  , glob').only).toEqual(['TTL', 'CTR-01', 'GLOB']);
  });

  test('-- ends the options: what follows is the module, even when it looks like an option', () => {
    expect(check('--', '--verbose').module).toBe('--verbose');
    expect(check('--verbose', '--', './m.ts').module).toBe('./m.ts');
    expect(check('--verbose', '--', './m.ts').verbose).toBe(true);
    // A lone "-" is a positional (stdin-style name), not an option.
    expect(check('-').module).toBe('-');
  });

  test('a value may be a bare "--" but not another option', () => {
    expect(check('--json', '--').json).toBe('--');
    expect(refusal(['check', '--json', '--verbose'])).toBe('--json needs a value');
  });

  test.each([
    ['-1', -1],
    ['0', 0],
    ['2147483647', 2 ** 31 - 1],
    ['-2147483648', -(2 ** 31)],
  ])('--seed %s', (value, seed) => {
    expect(check('--seed', value).seed).toBe(seed);
  });

  test.each([
    ['1', 1],
    ['1000000', 1_000_000],
  ])('--runs %s', (value, runs) => {
    expect(check('--runs', value).runs).toBe(runs);
  });

  test.each([
    ['1', 1],
    ['3600000', 3_600_000],
  ])('--call-timeout %s', (value, ms) => {
    expect(check('--call-timeout', value).callTimeoutMs).toBe(ms);
  });

  test.each(['0', '3', '3:1:0', '12:0', '3:10:2'])('--path %s', (path) => {
    expect(check('--path', path).path).toBe(path);
  });
});

describe('check: refusals name the option and what it accepts', () => {
  test.each<[string[], string]>([
    [['-v'], 'unknown option -v for "check" (options are long, e.g. --seed 42)'],
    [['--nope'], 'unknown option --nope for "check"'],
    [['--nope=1'], 'unknown option --nope for "check"'],
    [['--out', 'x'], 'unknown option --out for "check"'],
    [['--verbose=yes'], '--verbose takes no value'],
    [['--help=1'], '--help takes no value'],
    [['--seed'], '--seed needs a value'],
    [['--seed='], '--seed needs a value'],
    [['--seed', ''], '--seed needs a value'],
    [['--seed', '--runs', '3'], '--seed needs a value'],
    [['a.ts', 'b.ts'], 'check takes one module, got 2: a.ts b.ts'],
    [['--backend', 'mongo'], '--backend must be memory or redis or database, not "mongo"'],
    [['m.ts', '--backend', 'redis'], 'give either a module (m.ts) or --backend redis, not both'],
    [['--export', 'x'], '--export names an export of a module: give the module too'],
    [['--path', '3:1:'], '--path must be a fast-check replay path like 3:1:0, not "3:1:"'],
    [['--path', 'x3'], '--path must be a fast-check replay path like 3:1:0, not "x3"'],
    [['--path', '3x'], '--path must be a fast-check replay path like 3:1:0, not "3x"'],
    [['--only', ' , '], '--only needs rule ids, e.g. --only TTL-01,CTR'],
    [['--clock', 'fake'], '--clock must be virtual or real, not "fake"'],
    [['--expect', 'broken'], '--expect must be conformant or unimplemented, not "broken"'],
    [['--seed', '1.5'], '--seed must be a 32-bit integer, not "1.5"'],
    [['--seed', '2147483648'], '--seed must be a 32-bit integer, not "2147483648"'],
    [['--seed', '-2147483649'], '--seed must be a 32-bit integer, not "-2147483649"'],
    [['--seed', '1e3'], '--seed must be a 32-bit integer, not "1e3"'],
    [['--seed', ' 1'], '--seed must be a 32-bit integer, not " 1"'],
    [['--seed', '1 '], '--seed must be a 32-bit integer, not "1 "'],
    [['--runs', '0'], '--runs must be a whole number of runs ≥ 1, not "0"'],
    [['--runs', '1000001'], '--runs must be a whole number of runs ≥ 1, not "1000001"'],
    [['--runs', '99999999999999999999'], '--runs must be a whole number of runs ≥ 1, not "99999999999999999999"'],
    [['--call-timeout', '0'], '--call-timeout must be a whole number of milliseconds ≥ 1, not "0"'],
    [['--call-timeout', '3600001'], '--call-timeout must be a whole number of milliseconds ≥ 1, not "3600001"'],
  ])('check %j', (argv, message) => {
    expect(refusal(['check', ...argv])).toBe(message);
  });
});

describe('spec: refusals', () => {
  test.each<[string[], string]>([
    [['extra'], 'spec takes no arguments, got: extra'],
    [['a', 'b'], 'spec takes no arguments, got: a b'],
    [['--out', 'a', '--check', 'b'], 'give either --out or --check, not both'],
    [['--seed', '1'], 'unknown option --seed for "spec"'],
    [['-x'], 'unknown option -x for "spec" (options are long, e.g. --seed 42)'],
  ])('spec %j', (argv, message) => {
    expect(refusal(['spec', ...argv])).toBe(message);
  });
});

test('wantsVerbose looks for --verbose anywhere, even in argv that does not parse', () => {
  expect(wantsVerbose(['check', '--nope', '--verbose'])).toBe(true);
  expect(wantsVerbose(['check', '--verbose=1'])).toBe(false);
  expect(wantsVerbose(['check'])).toBe(false);
});
