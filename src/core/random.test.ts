import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRng, cumulativeWeights, hashString } from './random.js';

const draw = (seed: number | string, n = 8): number[] => {
  const r = createRng(seed);
  return Array.from({ length: n }, () => r.next());
};

describe('createRng', () => {
  it('is reproducible for a seed, number or string, and differs between seeds', () => {
    assert.deepEqual(draw(42), draw(42));
    assert.deepEqual(draw('ward-7'), draw('ward-7'));
    assert.notDeepEqual(draw(42), draw(43));
    assert.notDeepEqual(draw('a'), draw('b'));
    assert.equal(createRng(42).seed, createRng(42).seed);
  });

  it('keeps seeds of 2^32 and above apart from small ones (the high word is mixed, not XORed in)', () => {
    assert.notDeepEqual(draw(2 ** 32), draw(0));
    assert.notDeepEqual(draw(2 ** 32 + 1), draw(1));
    assert.notDeepEqual(draw(2 ** 32 + 1), draw(0));
    assert.notDeepEqual(draw(2 ** 33 + 5), draw(2 ** 32 + 5));
    assert.deepEqual(draw(Number.MAX_SAFE_INTEGER), draw(Number.MAX_SAFE_INTEGER));
  });

  it('gives named streams that do not depend on what was drawn before or on other streams', () => {
    const a = createRng(7);
    const expected = Array.from({ length: 5 }, ((s) => () => s.next())(a.stream('admissions')));
    const b = createRng(7);
    for (let i = 0; i < 100; i++) b.next();
    b.stream('tests').next();
    const s = b.stream('admissions');
    assert.deepEqual(
      Array.from({ length: 5 }, () => s.next()),
      expected,
    );
    assert.notDeepEqual(
      Array.from({ length: 5 }, ((t) => () => t.next())(createRng(7).stream('tests'))),
      expected,
    );
    assert.notDeepEqual(
      Array.from({ length: 5 }, ((t) => () => t.next())(createRng(8).stream('admissions'))),
      expected,
    );
  });

  it('draws in range: next in [0,1), int in [lo,hi), uniform in [lo,hi), pick from the array', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (seed, lo, span) => {
        const r = createRng(seed);
        for (let i = 0; i < 20; i++) {
          const x = r.next();
          assert.ok(x >= 0 && x < 1);
          const k = r.int(lo, lo + span);
          assert.ok(Number.isInteger(k) && k >= lo && k < lo + span);
          const u = r.uniform(lo, lo + span);
          assert.ok(u >= lo && u < lo + span);
        }
        assert.ok(['x', 'y', 'z'].includes(r.pick(['x', 'y', 'z'])));
      }),
      { numRuns: 200 },
    );
    assert.throws(() => createRng(1).pick([]), RangeError);
  });

  it('has the right mean and spread for uniform, normal and chance', () => {
    const r = createRng('stats');
    const n = 20_000;
    let sum = 0;
    let sumN = 0;
    let sumN2 = 0;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      sum += r.next();
      const z = r.normal(10, 2);
      sumN += z;
      sumN2 += z * z;
      if (r.chance(0.3)) hits++;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    const mean = sumN / n;
    assert.ok(Math.abs(mean - 10) < 0.05);
    assert.ok(Math.abs(Math.sqrt(sumN2 / n - mean * mean) - 2) < 0.05);
    assert.ok(Math.abs(hits / n - 0.3) < 0.01);
  });

  it('draws weighted indices in proportion, never a zero weight', () => {
    const r = createRng(3);
    const cum = cumulativeWeights([1, 0, 3]);
    assert.deepEqual([...cum], [1, 1, 4]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[r.weighted(cum)]! += 1;
    assert.equal(counts[1], 0);
    assert.ok(Math.abs((counts[2] as number) / 20_000 - 0.75) < 0.015);
    assert.equal(r.weighted([5]), 0);
  });

  it('hashString is stable and spreads', () => {
    assert.equal(hashString('abc'), hashString('abc'));
    assert.notEqual(hashString('abc'), hashString('abd'));
    assert.ok(hashString('') >= 0 && hashString('') < 2 ** 32);
  });
});
