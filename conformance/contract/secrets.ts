/**
 * Keeping connection secrets out of error messages and causes, for every backend: the password
 * is replaced wherever it appears (raw or URL-encoded), and a cause is a copy of the driver's
 * error that keeps only harmless fields (drivers attach command arguments, URLs, connection
 * parameters to their errors).
 */

const REDACTED = '[redacted]';

/**
 * Every form in which a credential might show up in a message (raw and URL-encoded): of the
 * password and of the user name (which says whose account it is). Longest first, so a variant
 * inside another is never left half-replaced.
 */
export function secretVariants(...credentials: (string | null | undefined)[]): string[] {
  const variants = new Set<string>();
  for (const secret of credentials) {
    if (typeof secret !== 'string' || secret.length === 0) continue;
    for (const variant of [secret, encodeURIComponent(secret), encodeURI(secret)]) variants.add(variant);
  }
  return [...variants].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of every secret. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length > 0) result = result.split(secret).join(REDACTED);
  return result;
}

function field(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

/**
 * A copy of `error` safe to expose as a cause: name, redacted message and stack, and the
 * socket/driver fields (code, errno, syscall, address, port) — never command arguments, a URL
 * `input` or connection parameters. ioredis's `command.name` and `lastNodeError` are kept (sanitized).
 */
export function sanitizeCause(error: unknown, secrets: readonly string[]): Error {
  if (!(error instanceof Error)) return new Error(redact(String(error), secrets));
  const copy = new Error(redact(error.message, secrets));
  copy.name = error.name;
  copy.stack = redact(error.stack ?? `${error.name}: ${error.message}`, secrets);
  for (const name of ['code', 'errno', 'syscall', 'address', 'port']) {
    const value = field(error, name);
    if (typeof value === 'string' || typeof value === 'number') {
      Object.defineProperty(copy, name, { value: typeof value === 'string' ? redact(value, secrets) : value });
    }
  }
  const command = field(error, 'command');
  if (typeof command === 'object' && command !== null && typeof field(command, 'name') === 'string') {
    Object.defineProperty(copy, 'command', { value: { name: field(command, 'name') }, enumerable: true });
  }
  const lastNodeError = field(error, 'lastNodeError'); // ioredis ClusterAllFailedError
  if (lastNodeError !== undefined && lastNodeError !== null) {
    Object.defineProperty(copy, 'lastNodeError', { value: sanitizeCause(lastNodeError, secrets), enumerable: true });
  }
  return copy;
}
