/** Command-line parsing of `serve` and `vectors` (the process protocol's commands). */
import { integer, last, type OptionSpec, parseOptions } from './arguments.js';
import { UsageError } from './errors.js';

export const SERVED_BACKENDS = ['memory', 'database'] as const;

export interface ServeArguments {
  readonly help: boolean;
  readonly backend: (typeof SERVED_BACKENDS)[number];
}

export interface VectorsArguments {
  readonly help: boolean;
  /** Write here instead of stdout. */
  readonly out: string | undefined;
  readonly seed: number | undefined;
  readonly runs: number | undefined;
  readonly only: readonly string[];
}

const SERVE_OPTIONS: Record<string, OptionSpec> = { backend: { type: 'string' }, help: { type: 'boolean' } };
const VECTORS_OPTIONS: Record<string, OptionSpec> = {
  out: { type: 'string' },
  seed: { type: 'string' },
  runs: { type: 'string' },
  only: { type: 'string', multiple: true },
  help: { type: 'boolean' },
};

function noPositionals(command: string, positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`${command} takes no arguments, got: ${positionals.join(' ')}`);
}

export function parseServe(argv: readonly string[]): { readonly kind: 'serve'; readonly args: ServeArguments } {
  const parsed = parseOptions('serve', argv, SERVE_OPTIONS);
  noPositionals('serve', parsed.positionals);
  const backend = last(parsed, 'backend') ?? 'memory';
  if (!(SERVED_BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be ${SERVED_BACKENDS.join(' or ')} for serve, not "${backend}"`);
  }
  return { kind: 'serve', args: { help: parsed.flags.has('help'), backend: backend as ServeArguments['backend'] } };
}

export function parseVectors(argv: readonly string[]): { readonly kind: 'vectors'; readonly args: VectorsArguments } {
  const parsed = parseOptions('vectors', argv, VECTORS_OPTIONS);
  noPositionals('vectors', parsed.positionals);
  const only = (parsed.strings.get('only') ?? [])
    .flatMap((value) => value.split(','))
    .map((id) => id.trim().toUpperCase())
    .filter((id) => id !== '');
  return {
    kind: 'vectors',
    args: {
      help: parsed.flags.has('help'),
      out: last(parsed, 'out'),
      seed: integer('seed', last(parsed, 'seed'), -(2 ** 31), 2 ** 31 - 1, 'a 32-bit integer'),
      runs: integer('runs', last(parsed, 'runs'), 1, 100_000, 'a whole number of runs ≥ 1'),
      only,
    },
  };
}
