/**
 * The kit's side of the process protocol (docs/protocol.md): a storage factory over a spawned
 * program that reads JSON request lines on stdin and writes JSON response lines on stdout.
 *
 * What the program does wrong becomes a finding, never a hung kit: an exit, a line that is not
 * a response, an answer to an id nobody asked, or silence while requests wait. Each rejects the
 * waiting calls with a ConnectionError that says what happened (exit code and the last stderr
 * lines, the offending line quoted), is recorded as an incident against the running rule, and
 * the process group is killed; the next storage the suite asks for starts a fresh process, up
 * to a bound. Every child is reaped: on close(), on failure, and when the kit itself exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type SaStorage, type SaStorageMethod, StorageError } from '../contract/index.js';
import type { DisposableStorage, FactoryContext, StorageFactory } from '../suite/types.js';
import { decodeResult, encodeOperation, PROTOCOL_VERSION, parseResponse, quoteLine } from './messages.js';

/** How a ProcessBackend spawns the program and when it gives up on it. */
export interface ProcessBackendOptions {
  /** Working directory of the program (default: the kit's). */
  readonly cwd?: string;
  /** Environment of the program (default: the kit's). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * A program that writes nothing for this long while requests wait is declared hung and killed
   * (default 5000 ms, the suite's call timeout, so the suite's own time-out finding comes first).
   */
  readonly silenceTimeoutMs?: number;
  /** How long the program may take to answer its first request, hello (default 10000 ms: runtimes start slowly). */
  readonly startupTimeoutMs?: number;
  /** Give up (fail every later storage at once) after this many process failures (default 10). */
  readonly maxFailures?: number;
  /** Give up after this many failures in a row with no answer in between (default 3). */
  readonly maxConsecutiveFailures?: number;
  /** Called with each line the program writes on stderr (its log). */
  readonly onStderr?: (line: string) => void;
}

/**
 * What a program did that breaks the protocol: could not be started (`spawn`), exited (`exit`),
 * went silent while requests waited (`hang`), wrote a line that is not a response (`garbage`),
 * answered an id no request has (`unknown-id`), answered with a malformed result or error
 * (`invalid-response`), or answered hello with another protocol version (`handshake`).
 */
export type IncidentKind = 'spawn' | 'exit' | 'hang' | 'garbage' | 'unknown-id' | 'invalid-response' | 'handshake';

/** Something the program did that breaks the protocol, with the rule that was running. */
export interface ProcessIncident {
  /** Which protocol breach it was. */
  readonly kind: IncidentKind;
  /** One sentence, with the evidence (exit code, quoted line, stderr tail). */
  readonly message: string;
  /** What the kit was doing: the label last given to `during()` (a rule id in a check). */
  readonly during: string | undefined;
}

const STDERR_RING = 200;
const STDERR_IN_MESSAGES = 8;
/** A stdout line longer than this without a newline is garbage (values are at most a few MiB). */
const MAX_LINE_CHARS = 64 * 1024 * 1024;

/** Process groups still alive, killed if the kit exits without closing them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone (ESRCH): nothing to reap.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid);
  });
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly id: number;
  /** The request, described only when a finding needs it. */
  readonly fields: Readonly<Record<string, unknown>>;
}

function what(pending: Pending | undefined): string {
  return pending === undefined ? '(none)' : describeRequest(pending.id, pending.fields);
}

/** One spawned program and the requests waiting for its answers. */
class Connection {
  readonly child: ChildProcess;
  /** Resolves once the program has exited and its pipes are closed. */
  readonly closed: Promise<void>;
  readonly ready: Promise<void>;
  /** Why this connection is unusable, once it is. */
  failure: string | undefined;
  /** The program answered hello. */
  greeted = false;
  /** The program answered a request other than hello. */
  answered = false;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #partial = '';
  #outbox: string[] = [];
  #lastProgress = performance.now();
  #closing = false;
  readonly #watchdog: ReturnType<typeof setInterval>;
  readonly #owner: ProcessBackend;

  constructor(owner: ProcessBackend, command: string, options: ProcessBackendOptions) {
    this.#owner = owner;
    installExitHook();
    // A process group of its own, so a shell's children die with it.
    this.child = spawn(command, {
      shell: true,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: options.cwd,
      env: options.env,
    });
    const pid = this.child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    this.child.stdin?.on('error', () => undefined); // EPIPE after an exit: the 'close' handler reports it
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.#onStdout(chunk));
    this.child.stderr?.setEncoding('utf8');
    let stderrPartial = '';
    this.child.stderr?.on('data', (chunk: string) => {
      const lines = (stderrPartial + chunk).split('\n');
      stderrPartial = lines.pop() ?? '';
      for (const line of lines) owner.logStderr(line);
    });
    this.closed = new Promise<void>((resolve) => {
      this.child.once('error', (error) => {
        this.fail('spawn', `the backend command could not be started: ${error.message}`);
        resolve();
      });
      this.child.once('close', (code, signal) => {
        if (stderrPartial !== '') owner.logStderr(stderrPartial);
        if (pid !== undefined) liveGroups.delete(pid);
        clearInterval(this.#watchdog);
        if (!this.#closing) {
          const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
          const waiting = this.#pending.size > 0 ? ` while ${this.#describePending()} waited` : '';
          this.fail('exit', `the backend process ${how}${waiting}${owner.stderrSuffix()}`);
        }
        resolve();
      });
    });
    const silenceMs = options.silenceTimeoutMs ?? 5000;
    const startupMs = Math.max(silenceMs, options.startupTimeoutMs ?? 10_000);
    this.#watchdog = setInterval(
      () => {
        const limit = this.greeted ? silenceMs : startupMs;
        if (this.#pending.size === 0 || performance.now() - this.#lastProgress < limit) return;
        this.fail(
          'hang',
          `the backend process wrote nothing for ${limit} ms while ${this.#describePending()} waited; it was killed${owner.stderrSuffix()}`,
        );
      },
      Math.max(10, Math.min(500, silenceMs / 4)),
    );
    this.#watchdog.unref();
    this.ready = this.request({ op: 'hello', protocol: PROTOCOL_VERSION }).then((result) => {
      this.greeted = true;
      const version = (result as { protocol?: unknown } | null)?.protocol;
      if (version !== PROTOCOL_VERSION) {
        const message = `the backend answered hello with protocol ${JSON.stringify(version)}; the kit speaks protocol ${PROTOCOL_VERSION}`;
        this.fail('handshake', message);
        throw new StorageError('ConnectionError', message);
      }
    });
    // The factory reports a failed handshake; this keeps it from also being an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Sends one request; resolves with its `result`, rejects with its StorageError. */
  request(fields: Readonly<Record<string, unknown>>): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(new StorageError('ConnectionError', this.failure));
    const id = this.#nextId++;
    const line = `${JSON.stringify({ id, ...fields })}\n`;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#lastProgress = performance.now();
      this.#pending.set(id, { resolve, reject, id, fields });
      // Requests of one tick go out in one write.
      if (this.#outbox.push(line) === 1) process.nextTick(() => this.#flush());
    });
  }

  #flush(): void {
    const text = this.#outbox.join('');
    this.#outbox = [];
    if (this.failure === undefined) this.child.stdin?.write(text);
  }

  #describePending(): string {
    const first = this.#pending.values().next().value as Pending | undefined;
    const n = this.#pending.size;
    return n === 1 ? `request ${what(first)}` : `${n} requests (first: ${what(first)})`;
  }

  #onStdout(chunk: string): void {
    this.#lastProgress = performance.now();
    let newline = chunk.indexOf('\n');
    if (newline === -1) {
      // Part of a long line (a 1 MiB value comes in many chunks): only the new chunk is searched.
      this.#partial += chunk;
      if (this.#partial.length > MAX_LINE_CHARS) {
        this.fail('garbage', `the backend wrote ${this.#partial.length} characters on stdout without a newline`);
      }
      return;
    }
    let line = this.#partial + chunk.slice(0, newline);
    let start = newline + 1;
    for (;;) {
      this.#onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (this.failure !== undefined) return;
      newline = chunk.indexOf('\n', start);
      if (newline === -1) break;
      line = chunk.slice(start, newline);
      start = newline + 1;
    }
    this.#partial = chunk.slice(start);
  }

  #onLine(line: string): void {
    if (line.trim() === '') return;
    const response = parseResponse(line);
    if ('garbage' in response) {
      this.fail(
        'garbage',
        `the backend wrote a line on stdout that is not a protocol response (${response.garbage}): ${quoteLine(line)}; logs belong on stderr`,
      );
      return;
    }
    const pending = this.#pending.get(response.id);
    if (pending === undefined) {
      this.fail(
        'unknown-id',
        `the backend answered id ${response.id}, which no waiting request has (a duplicate or invented id): ${quoteLine(line)}`,
      );
      return;
    }
    this.#pending.delete(response.id);
    if ('invalid' in response) {
      const message = `the backend's answer to ${what(pending)} breaks the protocol: ${response.invalid}: ${quoteLine(line)}`;
      this.#owner.record('invalid-response', message);
      pending.reject(new StorageError('ConnectionError', message));
      return;
    }
    if (pending.fields.op !== 'hello') this.answered = true;
    if ('error' in response) pending.reject(response.error);
    else pending.resolve(response.result);
  }

  /** Marks the connection failed: records the incident, rejects every waiting request, kills the group. */
  fail(kind: IncidentKind, message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    this.#owner.record(kind, message, this);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of pending) reject(new StorageError('ConnectionError', message));
    this.#closing = true;
    killGroup(this.child.pid);
  }

  /** Ends the program politely (stdin closes), then by force if it lingers. */
  async close(graceMs = 1000): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.failure ??= 'the backend process was closed by the kit';
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      for (const { reject } of pending) reject(new StorageError('ConnectionError', this.failure));
      this.child.stdin?.end();
    }
    const timer = setTimeout(() => killGroup(this.child.pid), graceMs);
    await this.closed;
    clearTimeout(timer);
    // Whatever the program left behind in its group goes too.
    killGroup(this.child.pid);
  }
}

function describeRequest(id: number, fields: Readonly<Record<string, unknown>>): string {
  const { op, ...rest } = fields;
  const args = Object.entries(rest)
    .filter(([name]) => name !== 'store' && name !== 'now')
    .map(([name, value]) => `${name}: ${shorten(value)}`);
  return `#${id} ${JSON.stringify(op)}${args.length > 0 ? ` (${args.join(', ')})` : ''}`;
}

function shorten(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 50)}… (${text.length} chars)` : text;
}

/**
 * A backend program, started on demand: `factory` opens one store per namespace over it, and
 * starts a new process when the previous one failed. Close it when done.
 */
export class ProcessBackend {
  /** The command line spawned (through the shell) for each process. */
  readonly command: string;
  /** Every protocol breach so far, in order, each with the label of what was running. */
  readonly incidents: ProcessIncident[] = [];
  readonly #options: ProcessBackendOptions;
  readonly #stderr: string[] = [];
  #connection: Connection | undefined;
  #starting: Promise<Connection> | undefined;
  #failures = 0;
  #consecutiveFailures = 0;
  #gaveUp: string | undefined;
  /** Until a check names a rule: the suite's probe calls every method once before the first rule. */
  #during: string | undefined = 'before the first rule';
  #closed = false;
  readonly #connections = new Set<Connection>();

  constructor(command: string, options: ProcessBackendOptions = {}) {
    if (typeof command !== 'string' || command.trim() === '') {
      throw new TypeError('ProcessBackend: the command must be a non-empty string');
    }
    this.command = command;
    this.#options = options;
  }

  /** The suite's factory: one `open` per storage, `close` on dispose. */
  readonly factory: StorageFactory = async (context) => this.open(context);

  /** Labels what follows (incidents name it): the CLI passes each rule id. */
  during(label: string | undefined): void {
    this.#during = label;
  }

  /** The last `n` lines the program wrote on stderr. */
  stderrTail(n = 20): string[] {
    return this.#stderr.slice(-n);
  }

  /** @internal */
  logStderr(line: string): void {
    this.#stderr.push(line);
    if (this.#stderr.length > STDERR_RING) this.#stderr.splice(0, this.#stderr.length - STDERR_RING);
    this.#options.onStderr?.(line);
  }

  /** @internal "; last stderr lines: …" or "" */
  stderrSuffix(): string {
    const tail = this.stderrTail(STDERR_IN_MESSAGES).filter((line) => line.trim() !== '');
    return tail.length === 0 ? ' (it wrote nothing on stderr)' : `; its last stderr lines:\n  | ${tail.join('\n  | ')}`;
  }

  /** @internal */
  record(kind: IncidentKind, message: string, connection?: Connection): void {
    this.incidents.push({ kind, message, during: this.#during });
    if (connection === undefined) return;
    this.#failures += 1;
    this.#consecutiveFailures = connection.answered ? 1 : this.#consecutiveFailures + 1;
    const max = this.#options.maxFailures ?? 10;
    const maxInARow = this.#options.maxConsecutiveFailures ?? 3;
    // A program that fails before its handshake fails the same way every time: no restart.
    if (
      !connection.greeted ||
      kind === 'handshake' ||
      this.#failures >= max ||
      this.#consecutiveFailures >= maxInARow
    ) {
      this.#gaveUp ??= `the kit gave up on the backend process after ${this.#failures} failure${this.#failures === 1 ? '' : 's'}; the last: ${message}`;
    }
  }

  /** Opens a store for `context.namespace` on the running process (starting one if needed). */
  async open(context: FactoryContext): Promise<DisposableStorage> {
    const connection = await this.#running();
    const now = context.clockMode === 'virtual' ? { now: context.clock.now() } : {};
    const handle = await connection.request({ op: 'open', namespace: context.namespace, ...now });
    if (typeof handle !== 'string' && typeof handle !== 'number') {
      throw new StorageError(
        'ConnectionError',
        `the backend answered open with ${shorten(handle)}, not a store handle (a string or a number)`,
      );
    }
    const storage = new ProcessStorage(connection, handle, context);
    return {
      storage,
      dispose: async () => {
        if (connection.failure !== undefined) return;
        await connection.request({ op: 'close', store: handle }).catch(() => undefined);
      },
    };
  }

  async #running(): Promise<Connection> {
    if (this.#closed) throw new StorageError('ConnectionError', 'the process backend is closed');
    if (this.#connection !== undefined && this.#connection.failure === undefined) return this.#connection;
    if (this.#gaveUp !== undefined) throw new StorageError('ConnectionError', this.#gaveUp);
    this.#starting ??= (async () => {
      const connection = new Connection(this, this.command, this.#options);
      this.#connections.add(connection);
      void connection.closed.then(() => this.#connections.delete(connection));
      this.#connection = connection;
      try {
        await connection.ready;
      } finally {
        this.#starting = undefined;
      }
      return connection;
    })();
    return this.#starting;
  }

  /** Ends every process this backend started and waits until each one is reaped. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#connections].map((connection) => connection.close()));
  }
}

/** A SaStorage whose every call is one request on the protocol. */
class ProcessStorage implements SaStorage {
  readonly #connection: Connection;
  readonly #store: string | number;
  readonly #context: FactoryContext;

  constructor(connection: Connection, store: string | number, context: FactoryContext) {
    this.#connection = connection;
    this.#store = store;
    this.#context = context;
  }

  async #call(method: SaStorageMethod, args: readonly unknown[]): Promise<never> {
    const fields = encodeOperation(method, args);
    const now = this.#context.clockMode === 'virtual' ? { now: this.#context.clock.now() } : {};
    const { op, ...rest } = fields;
    const result = await this.#connection.request({ op, store: this.#store, ...now, ...rest });
    return decodeResult(method, result) as never;
  }

  get(key: string) {
    return this.#call('get', [key]);
  }
  set(key: string, value: string, ttl?: number | null) {
    return this.#call('set', [key, value, ttl]);
  }
  delete(key: string) {
    return this.#call('delete', [key]);
  }
  exists(key: string) {
    return this.#call('exists', [key]);
  }
  expire(key: string, ttl: number) {
    return this.#call('expire', [key, ttl]);
  }
  ttl(key: string) {
    return this.#call('ttl', [key]);
  }
  clear() {
    return this.#call('clear', []);
  }
  mget(keys: readonly string[]) {
    return this.#call('mget', [keys]);
  }
  mset(items: readonly (readonly [string, string])[], ttl?: number | null) {
    return this.#call('mset', [items, ttl]);
  }
  mdel(keys: readonly string[]) {
    return this.#call('mdel', [keys]);
  }
  incr(key: string) {
    return this.#call('incr', [key]);
  }
  decr(key: string) {
    return this.#call('decr', [key]);
  }
  keys(pattern: string) {
    return this.#call('keys', [pattern]);
  }
}
