import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileGbdt, gbdtScore, trainGbdt, type GbdtParams } from './gbdt.js';
import { createRng } from '../core/random.js';

describe('gbdt', () => {
  it('the compiled scorer equals the reference walk on trees of uneven depth', () => {
    const p: GbdtParams = {
      type: 'gbdt',
      features: [0, 1],
      base: -1,
      trees: [
        // depth 3 on the left, a leaf on the right
        { feature: [0, 1, -1, 0, -1, -1, -1], threshold: [5, 2, 0, 1, 0, 0, 0], left: [1, 3, -1, 5, -1, -1, -1], right: [2, 4, -1, 6, -1, -1, -1], value: [0, 0, 0.7, 0, -0.3, 1.1, -2] },
        { feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0.25] },
      ],
    };
    const fast = compileGbdt(p);
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), (a, b) => fast([a, b]) === gbdtScore(p, [a, b])),
    );
  });

  it('learns a threshold rule and is deterministic', () => {
    const rng = createRng(3);
    const n = 2000;
    const x = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[2 * i] = rng.uniform(0, 3);
      x[2 * i + 1] = rng.uniform(0, 1);
      y[i] = (x[2 * i] as number) > 2 ? 1 : 0;
    }
    const rows = Uint32Array.from({ length: n }, (_, i) => i);
    const a = trainGbdt(x, 2, y, rows, { features: [0, 1], rounds: 20 });
    const b = trainGbdt(x, 2, y, rows, { features: [0, 1], rounds: 20 });
    assert.deepEqual(a, b);
    const f = compileGbdt(a);
    assert.ok(f([2.5, 0.5]) > 0.9);
    assert.ok(f([1.0, 0.5]) < 0.1);
  });
});
