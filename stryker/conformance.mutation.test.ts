/**
 * The judge of `npm run mutate`: the conformance suite against MemoryStorage alone (never the
 * unit tests of test/). Virtual clock, a fixed fast-check seed and no time budget, so every run
 * does exactly the same work and no verdict depends on timing.
 *
 * MemoryStorage's background sweep runs on a real setInterval. It is faked here and never
 * advanced: a sweep firing at a wall-clock moment would make verdicts flaky. The suite then runs
 * twice, on the same factory:
 *  1. "sweeper idle": no sweep ever runs, so expired entries are met only by the lazy checks of
 *     each method;
 *  2. "sweep before every call": the sweep (what the timer runs, via MemoryStorage's
 *     `cleanupExpired()`) runs right before each contract call. A real timer may fire between any
 *     two calls, so this is a schedule production can produce; it makes a sweep that frees a live
 *     key, throws or never ends visible to the suite. (Alone it would hide lazy-expiry bugs, which
 *     run 1 sees.)
 *
 * An import that throws (a mutant of a module-level constant) is reported as a failing test:
 * without that, vitest collects no test and Stryker would count the mutant as survived.
 */
import { afterAll, test, vi } from 'vitest';

/** The fixed fast-check seed of both runs (also printed in each describe block's name). */
export const MUTATION_SEED = 20_261_125;

vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
afterAll(() => {
  vi.useRealTimers();
});

try {
  const [{ runSaStorageSuite }, { MemoryStorage }, { SA_STORAGE_METHODS }] = await Promise.all([
    import('../conformance/index.js'),
    import('../implementations/memory/index.js'),
    import('../conformance/contract/index.js'),
  ]);
  type Storage = InstanceType<typeof MemoryStorage>;

  /**
   * The storage with a full sweep right before each contract call. The call itself still happens
   * synchronously (a synchronous throw stays one); if the sweep fails, the call rejects with that
   * error, which the suite reports as a non-StorageError rejection.
   */
  const sweepBeforeEveryCall = (storage: Storage) => {
    const wrapped: Record<string, unknown> = {};
    for (const method of SA_STORAGE_METHODS) {
      wrapped[method] = (...args: unknown[]) => {
        const swept = storage.cleanupExpired();
        const result = (storage[method] as (...a: unknown[]) => unknown).apply(storage, args);
        if (!(result instanceof Promise)) {
          swept.catch(() => undefined); // the method itself is broken (FAIL-02 reports it)
          return result;
        }
        return swept.then(
          () => result,
          (error: unknown) => {
            result.catch(() => undefined);
            throw error;
          },
        );
      };
    }
    return { storage: wrapped as unknown as Storage, dispose: () => storage.close() };
  };

  runSaStorageSuite((ctx) => new MemoryStorage({ clock: ctx.clock }), {
    name: 'MemoryStorage, sweeper idle',
    seed: MUTATION_SEED,
  });
  runSaStorageSuite((ctx) => sweepBeforeEveryCall(new MemoryStorage({ clock: ctx.clock })), {
    name: 'MemoryStorage, sweep before every call',
    seed: MUTATION_SEED,
  });
} catch (error) {
  test('the conformance suite and MemoryStorage load', () => {
    throw error;
  });
}
