/**
 * The diagnosis (conformance/suite/diagnosis.ts): how a failed check is attributed to a method and
 * a sentence, how failures become findings, and that every hint names only real kit helpers.
 */
import { describe, expect, test } from 'vitest';
import * as kit from '../conformance/contract/index.js';
import { defects } from '../conformance/defects/index.js';
import { checkConformance, rules } from '../conformance/index.js';
import { diagnose, methodUnderTest, observe } from '../conformance/suite/diagnosis.js';

const defect = (id: string) => {
  const found = defects.find((d) => d.id === id);
  if (found === undefined) throw new Error(`no defect ${id}`);
  return found;
};

describe('the method a check puts under test', () => {
  test.each([
    ['get("missing") on an empty storage', 'get'],
    ['ttl after expire("k", 500000) (extend)', 'expire'],
    ['ttl("i") of a counter created by incr', 'incr'],
    ['exists("e") of a key mset(…, ttl) wrote, past its deadline', 'exists'],
    ['mget of two 8 KiB keys differing in the last character, after set(…) of each', 'set'],
    ['get("p") after the deadline set by expire', 'expire'],
    ['a concurrent mget saw a partial mset', undefined],
  ])('%s → %s', (text, method) => {
    expect(methodUnderTest(text)).toBe(method);
  });
});

describe('findings', () => {
  const trace = { clockMoved: false, namespaces: 1 };
  test('a wrong kind of answer is about the method that answered, not the call before', () => {
    const o = observe({ id: 'KV-01' }, 'get("k") after set("k", "v"): expected null, got undefined', {}, trace);
    expect(o.method).toBe('get');
  });

  test('observations one method explains make one finding; a tag names the sentence broken elsewhere', () => {
    const observations = [
      observe(
        { id: 'TTL-04' },
        'ttl("k") 1000 ms after set("k", "v", 1234567): expected 1233567, got 1234000',
        { method: 'ttl' },
        trace,
      ),
      observe({ id: 'CTR-03' }, 'ttl("n") after incr: got 1234000', { breaks: 'TTL-04', method: 'ttl' }, trace),
      observe({ id: 'KV-01' }, 'get("missing") on an empty storage: expected null, got undefined', {}, trace),
    ];
    const findings = diagnose(observations, rules);
    expect(findings.map((f) => f.method)).toEqual(['get', 'ttl']);
    expect(findings[1]?.breaks).toEqual(['TTL-04']);
    expect(findings[1]?.evidence[1]).toMatch(/^breaks TTL-04 — seen while running CTR-03: /);
  });

  test('a failure seen in one rule is reported against the sentence it breaks', async () => {
    // clear leaves the empty key: PAT-07 clears between runs and sees it, but the sentence is NS-01's.
    const report = await checkConformance(defect('clear-skips-empty-key').create, { seed: 1 });
    const [first] = report.diagnosis;
    expect(first?.method).toBe('clear');
    expect(first?.evidence.join('\n')).toContain('breaks NS-01 — seen while running PAT-07');
    expect(report.results.find((r) => r.id === 'PAT-07')?.breaks).toBe('NS-01');
  });

  test('a wiring probe that fires is one finding that absorbs what its mistake explains', async () => {
    const report = await checkConformance(defect('clock-not-read').create, { seed: 1 });
    expect(report.diagnosis).toHaveLength(1);
    const [finding] = report.diagnosis;
    expect(finding?.method).toBe('clock');
    expect(finding?.hint).toContain('pass ctx.clock to your backend');
    expect(finding?.seenIn.length).toBeGreaterThan(5);
    expect(report.headline).toMatch(/1 probable cause \(first: the backend reads the clock/);
  });

  test('a namespace that is ignored is told so, once', async () => {
    const report = await checkConformance(defect('namespace-ignored').create, { seed: 1 });
    expect(report.diagnosis.map((f) => f.method)).toEqual(['namespace']);
    expect(report.diagnosis[0]?.hint).toContain('use ctx.namespace as your key prefix');
  });

  test('a cached clock is told so, not shown as keys that never expire', async () => {
    const report = await checkConformance(defect('clock-cached-per-millisecond').create, { seed: 1 });
    expect(report.diagnosis.map((f) => f.method)).toEqual(['clock']);
    expect(report.diagnosis[0]?.title).toContain('caches "now"');
  });
});

describe('hints', () => {
  // camelCase words a hint may use that are not helpers of the kit.
  const NOT_HELPERS = new Set(['isWellFormed', 'setTimeout', 'parseInt']);
  test('every helper a rule hint names is exported by sa-storage-kit', () => {
    for (const rule of rules) {
      for (const [name] of rule.hint.matchAll(/\b[a-z]+[A-Z][A-Za-z0-9]*\b/g)) {
        if (NOT_HELPERS.has(name)) continue;
        expect(Object.keys(kit), `${rule.id} names ${name}`).toContain(name);
      }
    }
  });
});
