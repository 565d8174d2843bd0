/**
 * fast-check commands over all 13 methods plus clock moves, for the model-based rule.
 * Each command runs the call on the backend, checks the answer against the reference
 * model, and updates the model. `toString` renders the call so a shrunk failing
 * sequence reads as a script.
 */
import fc from 'fast-check';
import { isStorageError, type SaStorage } from '../contract/index.js';
import type { TimeControl } from '../suite/context.js';
import { expectRejection, isNotChecked } from '../suite/expect.js';
import { describeValue, RuleFailure } from '../suite/failures.js';
import { type CounterOutcome, ReferenceModel, type Window } from './reference-model.js';

export interface ModelWorld {
  readonly model: ReferenceModel;
  readonly time: TimeControl;
  /** How many state checks ran; picks the method of the next one. */
  stateChecks: number;
}
export interface BackendUnderTest {
  readonly storage: SaStorage;
  /** Keys read back with `get` after every command, to compare the whole state. */
  readonly probeKeys: readonly string[];
}
type ModelCommand = fc.AsyncCommand<ModelWorld, BackendUnderTest, false>;

/** A small key pool so operations collide; includes the empty key and non-ASCII. */
export const KEY_POOL = ['a', 'b', 'sa:1', '', 'é'] as const;
const VALUE_POOL = ['', 'v', '0', '1', '-1', '41', '9223372036854775807', '-9223372036854775808', '01', 'x y', '🙂'];
const PATTERN_POOL = ['*', '', 'a', '?', '??', 'sa:*', '[ab]', '[^a]', '\\*', '*1', 'é'];
const INVALID_TTLS = [0, -1, Number.NaN];

const show = (value: unknown) => describeValue(value);

async function observe<T>(time: TimeControl, call: () => Promise<T>): Promise<{ value: T; window: Window }> {
  const start = time.now();
  const value = await call();
  return { value, window: { start, end: time.now() } };
}

/** Reads every probe key with `get` and checks the model (the state comparison after each command). */
/**
 * Reads every probe key back and checks the model: the state comparison after each command.
 * The reading method rotates (get, exists, ttl, none): a lazy-expiry backend reclaims an entry
 * when the first method meets it, so always probing with get would hide an expiry bug in the
 * others; and a command followed by no probe lets the next command meet the entry first.
 */
async function probe(world: ModelWorld, backend: BackendUnderTest): Promise<void> {
  const method = (['get', 'exists', 'ttl', 'none'] as const)[world.stateChecks++ % 4];
  for (const key of backend.probeKeys) {
    const shown = JSON.stringify(key);
    if (method === 'get') {
      const { value, window } = await observe(world.time, () => backend.storage.get(key));
      world.model.get(key, window, value, `get(${shown}) [state check]`);
    } else if (method === 'exists') {
      const { value, window } = await observe(world.time, () => backend.storage.exists(key));
      world.model.exists(key, window, value);
    } else if (method === 'ttl') {
      const { value, window } = await observe(world.time, () => backend.storage.ttl(key));
      if (!isNotChecked(value)) world.model.ttl(key, window, value);
    }
  }
}

abstract class Command implements ModelCommand {
  check(): true {
    return true;
  }
  async run(world: ModelWorld, backend: BackendUnderTest): Promise<void> {
    await this.apply(world, backend.storage);
    await probe(world, backend);
  }
  abstract apply(world: ModelWorld, storage: SaStorage): Promise<void>;
  abstract toString(): string;
}

class SetCommand extends Command {
  constructor(
    readonly key: string,
    readonly value: string,
    readonly ttl: number | null,
  ) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    if (this.ttl !== null && !(this.ttl > 0)) {
      await expectRejection(() => s.set(this.key, this.value, this.ttl), 'OperationFailed', this.toString());
      return;
    }
    const { window } = await observe(time, () => s.set(this.key, this.value, this.ttl));
    model.set(this.key, this.value, this.ttl === null ? null : Math.ceil(this.ttl), window);
  }
  toString() {
    return `set(${show(this.key)}, ${show(this.value)}${this.ttl === null ? '' : `, ${show(this.ttl)}`})`;
  }
}

class GetCommand extends Command {
  constructor(readonly key: string) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    const { value, window } = await observe(time, () => s.get(this.key));
    model.get(this.key, window, value);
  }
  toString() {
    return `get(${show(this.key)})`;
  }
}

class DeleteCommand extends Command {
  constructor(readonly key: string) {
    super();
  }
  async apply({ model }: ModelWorld, s: SaStorage) {
    await s.delete(this.key);
    model.delete(this.key);
  }
  toString() {
    return `delete(${show(this.key)})`;
  }
}

class ExistsCommand extends Command {
  constructor(readonly key: string) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    const { value, window } = await observe(time, () => s.exists(this.key));
    model.exists(this.key, window, value);
  }
  toString() {
    return `exists(${show(this.key)})`;
  }
}

class ExpireCommand extends Command {
  constructor(
    readonly key: string,
    readonly ttl: number,
  ) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    if (!(this.ttl > 0)) {
      await expectRejection(() => s.expire(this.key, this.ttl), 'OperationFailed', this.toString());
      return;
    }
    const { window } = await observe(time, () => s.expire(this.key, this.ttl));
    model.expire(this.key, Math.ceil(this.ttl), window);
  }
  toString() {
    return `expire(${show(this.key)}, ${show(this.ttl)})`;
  }
}

class TtlCommand extends Command {
  constructor(readonly key: string) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    const { value, window } = await observe(time, () => s.ttl(this.key));
    model.ttl(this.key, window, value);
  }
  toString() {
    return `ttl(${show(this.key)})`;
  }
}

class ClearCommand extends Command {
  async apply({ model }: ModelWorld, s: SaStorage) {
    await s.clear();
    model.clear();
  }
  toString() {
    return 'clear()';
  }
}

class MgetCommand extends Command {
  constructor(readonly keys: readonly string[]) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    const { value, window } = await observe(time, () => s.mget(this.keys));
    if (!Array.isArray(value) || value.length !== this.keys.length) {
      throw new RuleFailure(`${this} resolved to ${show(value)}, expected an array of ${this.keys.length} [BULK-01]`);
    }
    for (const [i, key] of this.keys.entries()) {
      model.get(key, window, value[i] as string | null, `${this} at position ${i}`);
    }
  }
  toString() {
    return `mget(${show(this.keys)})`;
  }
}

class MsetCommand extends Command {
  constructor(
    readonly items: readonly (readonly [string, string])[],
    readonly ttl: number | null,
  ) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    if (this.ttl !== null && !(this.ttl > 0)) {
      await expectRejection(() => s.mset(this.items, this.ttl), 'OperationFailed', this.toString());
      return;
    }
    const { window } = await observe(time, () => s.mset(this.items, this.ttl));
    for (const [key, value] of this.items)
      model.set(key, value, this.ttl === null ? null : Math.ceil(this.ttl), window);
  }
  toString() {
    const items = this.items.map(([k, v]) => `[${show(k)}, ${show(v)}]`).join(', ');
    return `mset([${items}]${this.ttl === null ? '' : `, ${show(this.ttl)}`})`;
  }
}

class MdelCommand extends Command {
  constructor(readonly keys: readonly string[]) {
    super();
  }
  async apply({ model }: ModelWorld, s: SaStorage) {
    await s.mdel(this.keys);
    for (const key of this.keys) model.delete(key);
  }
  toString() {
    return `mdel(${show(this.keys)})`;
  }
}

class CounterCommand extends Command {
  constructor(
    readonly key: string,
    readonly delta: 1 | -1,
  ) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    const start = time.now();
    let got: CounterOutcome;
    try {
      got = await (this.delta > 0 ? s.incr(this.key) : s.decr(this.key));
    } catch (error) {
      if (!isStorageError(error)) throw error;
      got = error.kind;
    }
    model.counter(this.key, this.delta, { start, end: time.now() }, got);
  }
  toString() {
    return `${this.delta > 0 ? 'incr' : 'decr'}(${show(this.key)})`;
  }
}

class KeysCommand extends Command {
  constructor(readonly pattern: string) {
    super();
  }
  async apply({ model, time }: ModelWorld, s: SaStorage) {
    const { value, window } = await observe(time, () => s.keys(this.pattern));
    model.keys(this.pattern, window, value);
  }
  toString() {
    return `keys(${show(this.pattern)})`;
  }
}

/**
 * Moves the clock. Virtual: to a deadline the model holds, offset by -1/0/+1 ms (where the
 * off-by-one bugs live), or by a plain amount. Real: waits.
 */
class AdvanceCommand extends Command {
  constructor(readonly target: { kind: 'deadline'; index: number; offset: -1 | 0 | 1 } | { kind: 'by'; ms: number }) {
    super();
  }
  #description = '';
  async apply({ model, time }: ModelWorld) {
    const target = this.target;
    if (target.kind === 'by') {
      await time.advance(target.ms);
      this.#description = `+${target.ms} ms`;
      return;
    }
    const deadlines = model.deadlines().filter((d) => d + target.offset > time.now());
    if (deadlines.length === 0) {
      await time.advance(1);
      this.#description = '+1 ms (no deadline ahead)';
      return;
    }
    const deadline = deadlines.sort((a, b) => a - b)[target.index % deadlines.length] as number;
    const step = deadline + target.offset - time.now();
    await time.advance(step);
    this.#description = `+${step} ms (to deadline${target.offset === 0 ? '' : target.offset > 0 ? '+1' : '-1'})`;
  }
  toString() {
    if (this.target.kind === 'by') return `advance(${this.target.ms} ms)`;
    const offset = this.target.offset === 0 ? '' : this.target.offset > 0 ? ' + 1' : ' - 1';
    return `advanceTo(deadline #${this.target.index}${offset})${this.#description ? ` /* ${this.#description} */` : ''}`;
  }
}

/** The command arbitraries for one clock mode. */
export function modelCommands(
  time: TimeControl,
  capabilities: { keys: boolean; ttl?: boolean; expire?: boolean },
  replayPath?: string,
): fc.Arbitrary<Iterable<ModelCommand>> {
  const key = fc.constantFrom(...KEY_POOL);
  const value = fc.constantFrom(...VALUE_POOL);
  const validTtls =
    time.mode === 'virtual' ? [1, 2, 5, 100, 1000, 0.5, 2.5] : [time.shortTtlMs, 2 * time.shortTtlMs, 600_000];
  const ttl = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...validTtls) },
    { weight: 1, arbitrary: fc.constantFrom(...INVALID_TTLS) },
  );
  const optionalTtl = fc.option(ttl, { nil: null, freq: 3 });
  const advance =
    time.mode === 'virtual'
      ? fc.oneof(
          fc
            .record({
              kind: fc.constant('deadline' as const),
              index: fc.nat(4),
              offset: fc.constantFrom(-1 as const, 0 as const, 1 as const),
            })
            .map((t) => new AdvanceCommand(t)),
          fc.constantFrom(1, 10, 1000).map((ms) => new AdvanceCommand({ kind: 'by', ms })),
        )
      : fc
          .constantFrom(Math.ceil(time.shortTtlMs / 2), time.shortTtlMs + 2 * Math.ceil(time.toleranceMs))
          .map((ms) => new AdvanceCommand({ kind: 'by', ms }));
  const keyList = fc.array(key, { maxLength: 4 });
  const commands: fc.Arbitrary<ModelCommand>[] = [
    fc.tuple(key, value, optionalTtl).map(([k, v, t]) => new SetCommand(k, v, t)),
    key.map((k) => new GetCommand(k)),
    key.map((k) => new DeleteCommand(k)),
    key.map((k) => new ExistsCommand(k)),
    ...(capabilities.expire !== false ? [fc.tuple(key, ttl).map(([k, t]) => new ExpireCommand(k, t))] : []),
    ...(capabilities.ttl !== false ? [key.map((k) => new TtlCommand(k))] : []),
    fc.constant(null).map(() => new ClearCommand()),
    keyList.map((ks) => new MgetCommand(ks)),
    fc
      .tuple(fc.array(fc.tuple(key, value), { maxLength: 4 }), optionalTtl)
      .map(([items, t]) => new MsetCommand(items, t)),
    keyList.map((ks) => new MdelCommand(ks)),
    key.map((k) => new CounterCommand(k, 1)),
    key.map((k) => new CounterCommand(k, -1)),
    ...(capabilities.keys ? [fc.constantFrom(...PATTERN_POOL).map((p) => new KeysCommand(p))] : []),
    advance,
    advance,
  ];
  return fc.commands(commands, {
    maxCommands: time.mode === 'virtual' ? 50 : 20,
    size: 'max',
    ...(replayPath ? { replayPath } : {}),
  });
}

export function newModelWorld(time: TimeControl): ModelWorld {
  return { model: new ReferenceModel(time.toleranceMs), time, stateChecks: 0 };
}
