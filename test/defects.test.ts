/**
 * Tests of the tests: every deliberately broken backend of conformance/defects is reported by
 * each rule it targets, and every rule of the registry catches at least one defect.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { type Defect, defects, knownHoles, SharedMapStorage } from '../conformance/defects/index.js';
import { type ConformanceReport, checkConformance, contractRules, stubRules } from '../conformance/index.js';

/**
 * The deviations of sa-token-rust listed at the end of CONTRACT.md, each with the defect that
 * emulates it. (`ttl` not telling missing from persistent is kept by the contract: no defect.)
 */
const SA_TOKEN_RUST_DEVIATIONS: Readonly<Record<string, string>> = {
  'rust-memory-keys-regex': 'memory keys is an unanchored, unescaped regex',
  'rust-memory-expire-revives': 'memory expire revives expired entries',
  'rust-memory-exists-sees-expired': 'memory exists never reclaims expired entries',
  'rust-memory-keys-lists-expired': 'memory keys never reclaims expired entries',
  'rust-default-incr-drops-ttl': 'default incr drops the TTL',
  'rust-default-incr-non-integer-as-zero': 'default incr counts non-integers as 0',
  'rust-default-incr-not-atomic': 'default incr is not atomic',
  'rust-redis-ttl-whole-seconds': 'Redis truncates TTLs to whole seconds (sub-second set fails)',
  'rust-redis-ttl-reports-seconds': 'Redis ttl rounds to seconds',
  'rust-redis-clear-unescaped-prefix': 'Redis clear uses KEYS with an unescaped prefix',
  'rust-redis-mset-pipeline': 'Redis mset is a non-atomic pipeline',
  'rust-redis-empty-mget-fails': 'empty mget fails on Redis',
  'rust-redis-empty-mset-fails': 'empty mset fails on Redis',
  'rust-redis-empty-mdel-fails': 'empty mdel fails on Redis',
  'rust-redis-mget-single-missing-empty': 'old Redis mget([missing]) returned []',
};

const registry = [...contractRules, ...stubRules];
const stubIds = new Set(stubRules.map((rule) => rule.id));

/** Checks a defect on its target rules, or on the whole profile with `'all'`. */
function check(defect: Defect, only: readonly string[] | 'all' = defect.targets): Promise<ConformanceReport> {
  return checkConformance(defect.create, {
    seed: 1,
    ...(only === 'all' ? {} : { only }),
    clock: defect.clock ?? 'virtual',
    ...defect.options,
  });
}

/**
 * A rule crashed (its own code threw) rather than reporting: "unexpected error" with anything but a
 * StorageError, which is the backend rejecting a call the rule needs to succeed (a legitimate verdict).
 */
const CRASH = /^unexpected error: (?!StorageError:)|^the storage factory failed|^the rule did not finish/;

/** Target rules that did not report the defect, or failed only because the rule itself crashed. */
function escapes(report: ConformanceReport, targets: readonly string[]): string[] {
  return targets.flatMap((id) => {
    const result = report.results.find((r) => r.id === id);
    if (result === undefined) return [`${id} did not run`];
    if (result.status !== 'fail') return [`${id} ${result.status}${result.reason ? ` (${result.reason})` : ''}`];
    if (CRASH.test(result.reason ?? '')) return [`${id} crashed: ${result.reason}`];
    return [];
  });
}

describe('every defect is reported by each rule it targets', () => {
  let totalMs = 0;
  afterAll(() => {
    console.log(
      `defect set: ${defects.length} defects checked in ${(totalMs / 1000).toFixed(2)} s (target rules only)`,
    );
  });

  test.each(defects.map((defect) => [defect.id, defect.targets.join(', '), defect] as const))(
    '%s is caught by %s',
    async (_id, _targets, defect) => {
      const started = performance.now();
      const report = await check(defect);
      totalMs += performance.now() - started;
      const missed = escapes(report, defect.targets);
      expect(missed, `${defect.id} (${defect.description}) escaped:\n  ${missed.join('\n  ')}`).toEqual([]);
    },
  );
});

/** Several defects in one backend: each override is one bug, each bug must read as one finding. */
describe('a backend with several bugs reads as one finding per bug', () => {
  test('get → undefined, expire adds to the deadline, mset drops its TTL, keys is case-insensitive', async () => {
    const { MultiBugStorage } = await import('../conformance/defects/multi-bug.js');
    const report = await checkConformance((ctx) => new MultiBugStorage(ctx), { seed: 1 });
    expect(
      report.diagnosis.map((finding) => finding.method),
      report.diagnosis.map((finding) => finding.title).join('\n'),
    ).toEqual(['get', 'expire', 'mset', 'keys']);
  });
});

describe('coverage of the registry', () => {
  test('every contract and stub rule is the target of at least one defect', () => {
    const targeted = new Set(defects.flatMap((defect) => defect.targets));
    const untargeted = registry.map((rule) => rule.id).filter((id) => !targeted.has(id));
    expect(untargeted, 'rules no defect targets').toEqual([]);
  });

  test('every target is a rule id of the profile the defect is checked with', () => {
    const ids = new Set(registry.map((rule) => rule.id));
    for (const defect of [...defects, ...knownHoles]) {
      const stub = defect.options?.expect === 'unimplemented';
      for (const target of defect.targets) {
        expect(ids.has(target), `${defect.id} targets unknown rule ${target}`).toBe(true);
        expect(
          stubIds.has(target),
          `${defect.id} targets ${target} but checks the ${stub ? 'stub' : 'contract'} profile`,
        ).toBe(stub);
      }
    }
  });

  test('defect ids are unique and kebab-case; descriptions are one sentence', () => {
    const all = [...defects, ...knownHoles];
    const ids = all.map((defect) => defect.id);
    expect(new Set(ids).size, 'duplicate defect ids').toBe(ids.length);
    for (const defect of all) {
      expect(defect.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(defect.targets.length, `${defect.id} has no target`).toBeGreaterThan(0);
      expect(defect.description, defect.id).toMatch(/^\S.*\.$/s);
      expect(defect.description, `${defect.id}: more than one sentence`).not.toMatch(/[.!?]\s+[A-Z]/);
    }
  });

  test('every sa-token-rust deviation of CONTRACT.md has a defect with that origin', () => {
    const byId = new Map(defects.map((defect) => [defect.id, defect]));
    for (const [id, deviation] of Object.entries(SA_TOKEN_RUST_DEVIATIONS)) {
      expect(byId.get(id)?.origin, `no sa-token-rust defect "${id}" for: ${deviation}`).toBe('sa-token-rust');
    }
  });
});

describe('the helpers are conformant without their flaw', () => {
  test('SharedMapStorage (one shared key space, exact prefix ownership) passes every contract rule', async () => {
    const report = await checkConformance((ctx) => new SharedMapStorage(ctx), { seed: 1 });
    const failed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.status}: ${r.reason}`);
    expect(failed, report.headline).toEqual([]);
  });
});

describe.skipIf(knownHoles.length === 0)('known holes still escape their target rules (none known today)', () => {
  test.each(knownHoles.map((hole) => [hole.id, hole.targets.join(', '), hole] as const))(
    '%s still escapes %s',
    async (_id, _targets, hole) => {
      const report = await check(hole);
      const missed = escapes(report, hole.targets);
      expect(
        missed.length,
        `${hole.id} is now caught by ${hole.targets.join(', ')}: move it into the defect set`,
      ).toBeGreaterThan(0);
    },
  );
});

/**
 * Rules known to crash (their own code throws) on a defect instead of reporting it. The rule still
 * fails, but with "unexpected error" instead of its finding. Remove an entry once it is fixed.
 */
const KNOWN_CRASHES: Readonly<Record<string, readonly string[]>> = {};

/**
 * The whole profile against every defect, to catch rules that crash on odd answers (about 10 s,
 * most of it the one real-clock defect).
 */
describe('no rule crashes on a defect, and the report leads with its method', () => {
  test.each(defects.map((defect) => [defect.id, defect] as const))(
    'every rule gives a verdict on %s, and the first finding names its method',
    async (_id, defect) => {
      const report = await check(defect, 'all');
      const crashed = report.results.filter((r) => CRASH.test(r.reason ?? ''));
      expect(
        crashed.map((r) => r.id),
        crashed.map((r) => `${r.id}: ${r.reason}`).join('\n'),
      ).toEqual(KNOWN_CRASHES[defect.id] ?? []);
      // Caught for the right reason: the report's first finding (over the whole profile) names the
      // defect's method, not whatever rule happened to fail first.
      const methods = typeof defect.method === 'string' ? [defect.method] : defect.method;
      const first = report.diagnosis[0];
      expect(methods, `${defect.id}: the first finding is ${first?.method}: ${first?.title}`).toContain(first?.method);
    },
    60_000,
  );
});
