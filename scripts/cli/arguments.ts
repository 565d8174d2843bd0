/**
 * Command-line parsing: argv → a Command, or a UsageError that says what to fix.
 * A tiny parser of its own (long options only, `--name value` or `--name=value`, `--` ends
 * options) so every message can name the option and the accepted values.
 */
import type { ClockMode } from '../../conformance/index.js';
import { nearest } from '../../conformance/suite/options.js';
import { UsageError } from './errors.js';
import { parseServe, parseVectors, type ServeArguments, type VectorsArguments } from './protocol-arguments.js';

export const BACKENDS = ['memory', 'redis', 'database'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type Expectation = 'conformant' | 'unimplemented';

export interface CheckArguments {
  /** Path of a JS or TS module exporting a storage factory. */
  readonly module: string | undefined;
  /** A reference backend instead of a module. Neither given: memory. */
  readonly backend: BackendName | undefined;
  /** A backend program speaking the process protocol (docs/protocol.md), run through the shell. */
  readonly exec: string | undefined;
  readonly exportName: string | undefined;
  /** undefined: the target's default (virtual, or real for redis). */
  readonly clock: ClockMode | undefined;
  readonly seed: number | undefined;
  readonly path: string | undefined;
  /** fast-check command replay path of a model-based failure (with --seed and --path). */
  readonly replayPath: string | undefined;
  readonly runs: number | undefined;
  /** Rule ids or id prefixes, upper-cased. Empty: every rule. */
  readonly only: readonly string[];
  readonly json: string | undefined;
  readonly junit: string | undefined;
  readonly markdown: string | undefined;
  readonly expect: Expectation;
  readonly callTimeoutMs: number | undefined;
  /** Each rule's time budget in ms (--time-budget). */
  readonly timeBudgetMs: number | undefined;
  readonly verbose: boolean;
}

export interface SpecArguments {
  /** Write the document here instead of stdout. */
  readonly out: string | undefined;
  /** Compare the document with this file; exit 1 when it is stale. */
  readonly check: string | undefined;
}

export type Command =
  | { readonly kind: 'help'; readonly topic?: 'check' | 'spec' }
  | { readonly kind: 'version' }
  | { readonly kind: 'check'; readonly args: CheckArguments }
  | { readonly kind: 'spec'; readonly args: SpecArguments }
  | { readonly kind: 'serve'; readonly args: ServeArguments }
  | { readonly kind: 'vectors'; readonly args: VectorsArguments };

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
}

const CHECK_OPTIONS: Record<string, OptionSpec> = {
  backend: { type: 'string' },
  exec: { type: 'string' },
  export: { type: 'string' },
  clock: { type: 'string' },
  seed: { type: 'string' },
  path: { type: 'string' },
  'replay-path': { type: 'string' },
  runs: { type: 'string' },
  only: { type: 'string', multiple: true },
  json: { type: 'string' },
  junit: { type: 'string' },
  markdown: { type: 'string' },
  expect: { type: 'string' },
  'call-timeout': { type: 'string' },
  'time-budget': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean' },
};

const SPEC_OPTIONS: Record<string, OptionSpec> = {
  out: { type: 'string' },
  check: { type: 'string' },
  help: { type: 'boolean' },
};

export interface Parsed {
  readonly strings: Map<string, string[]>;
  readonly flags: Set<string>;
  readonly positionals: string[];
}

/** Splits argv by the option table. A repeated single-valued option keeps its last value. */
export function parseOptions(command: string, argv: readonly string[], specs: Record<string, OptionSpec>): Parsed {
  const strings = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      flags.add('help');
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') {
        throw new UsageError(`unknown option ${arg} for "${command}" (options are long, e.g. --seed 42)`);
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = specs[name];
    if (spec === undefined) {
      const near = nearest(name, Object.keys(specs));
      throw new UsageError(`unknown option --${name} for "${command}"${near ? `; did you mean --${near}?` : ''}`);
    }
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2))
        throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (value === '') throw new UsageError(`--${name} needs a value`);
    const previous = strings.get(name) ?? [];
    strings.set(name, spec.multiple ? [...previous, value] : [value]);
  }
  return { strings, flags, positionals };
}

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${option} must be ${allowed.join(' or ')}, not "${value}"`);
}

export function integer(
  option: string,
  value: string | undefined,
  min: number,
  max: number,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${option} must be ${what}, not "${value}"`);
  return n;
}

export function last(parsed: Parsed, name: string): string | undefined {
  return parsed.strings.get(name)?.at(-1);
}

function parseCheck(argv: readonly string[]): Command {
  const parsed = parseOptions('check', argv, CHECK_OPTIONS);
  if (parsed.flags.has('help')) return { kind: 'help', topic: 'check' };
  if (parsed.positionals.length > 1) {
    throw new UsageError(`check takes one module, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`);
  }
  const module = parsed.positionals[0];
  const backend = oneOf('backend', last(parsed, 'backend'), BACKENDS);
  if (module !== undefined && backend !== undefined) {
    throw new UsageError(`give either a module (${module}) or --backend ${backend}, not both`);
  }
  const exec = last(parsed, 'exec');
  if (exec !== undefined && (module !== undefined || backend !== undefined)) {
    throw new UsageError(`give one backend: --exec "${exec}", a module or --backend, not several`);
  }
  const exportName = last(parsed, 'export');
  if (exportName !== undefined && module === undefined)
    throw new UsageError('--export names an export of a module: give the module too');
  const path = last(parsed, 'path');
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) {
    throw new UsageError(`--path must be a fast-check replay path like 3:1:0, not "${path}"`);
  }
  const only = (parsed.strings.get('only') ?? [])
    .flatMap((value) => value.split(','))
    .map((id) => id.trim().toUpperCase())
    .filter((id) => id !== '');
  if (parsed.strings.has('only') && only.length === 0)
    throw new UsageError('--only needs rule ids, e.g. --only TTL-01,CTR');
  return {
    kind: 'check',
    args: {
      module,
      backend,
      exec,
      exportName,
      clock: oneOf('clock', last(parsed, 'clock'), ['virtual', 'real'] as const),
      seed: integer('seed', last(parsed, 'seed'), -(2 ** 31), 2 ** 31 - 1, 'a 32-bit integer'),
      path,
      replayPath: last(parsed, 'replay-path'),
      runs: integer('runs', last(parsed, 'runs'), 1, 1_000_000, 'a whole number of runs ≥ 1'),
      only,
      json: last(parsed, 'json'),
      junit: last(parsed, 'junit'),
      markdown: last(parsed, 'markdown'),
      expect: oneOf('expect', last(parsed, 'expect'), ['conformant', 'unimplemented'] as const) ?? 'conformant',
      callTimeoutMs: integer(
        'call-timeout',
        last(parsed, 'call-timeout'),
        1,
        3_600_000,
        'a whole number of milliseconds ≥ 1',
      ),
      timeBudgetMs: integer(
        'time-budget',
        last(parsed, 'time-budget'),
        1,
        86_400_000,
        'a whole number of milliseconds ≥ 1',
      ),
      verbose: parsed.flags.has('verbose'),
    },
  };
}

function parseSpec(argv: readonly string[]): Command {
  const parsed = parseOptions('spec', argv, SPEC_OPTIONS);
  if (parsed.flags.has('help')) return { kind: 'help', topic: 'spec' };
  if (parsed.positionals.length > 0)
    throw new UsageError(`spec takes no arguments, got: ${parsed.positionals.join(' ')}`);
  const out = last(parsed, 'out');
  const check = last(parsed, 'check');
  if (out !== undefined && check !== undefined) throw new UsageError('give either --out or --check, not both');
  return { kind: 'spec', args: { out, check } };
}

export function parseCommandLine(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return parseCheck(rest);
    case 'spec':
      return parseSpec(rest);
    case 'serve':
      return parseServe(rest);
    case 'vectors':
      return parseVectors(rest);
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help', ...(rest[0] === 'check' || rest[0] === 'spec' ? { topic: rest[0] } : {}) };
    case '--version':
    case 'version':
      return { kind: 'version' };
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command "${command}" (commands: check, spec, serve, vectors)`);
  }
}

/** True when argv asks for stack traces, even if the rest of it does not parse. */
export function wantsVerbose(argv: readonly string[]): boolean {
  return argv.includes('--verbose');
}
