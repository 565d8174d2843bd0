/** The two ways the CLI stops early, each with the exit code it maps to. */

/** Exit code when every selected rule held. */
export const EXIT_CONFORMANT = 0;
/** Exit code when the backend is not conformant (or the stub contract is broken). */
export const EXIT_NOT_CONFORMANT = 1;
/** Exit code when no rule failed but some ran out of the suite's time budget: no verdict of conformance. */
export const EXIT_PARTIAL = 3;
/** Exit code when the check could not run as asked: bad arguments, a module that cannot be loaded. */
export const EXIT_USAGE = 2;

/** A mistake in the command line: one line saying what to fix, then a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The check could not run (module missing, no factory, backend unavailable). `message` is the
 * one line the user sees; `cause` is shown only with --verbose.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One line describing any thrown value, without a stack. */
export function oneLine(error: unknown): string {
  const text =
    error instanceof Error
      ? error.name && error.name !== 'Error'
        ? `${error.name}: ${error.message}`
        : error.message
      : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
