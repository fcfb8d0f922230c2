import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { confusion, confusionFbeta, fbeta, precision, recall } from './score.js';

describe('fbeta', () => {
  it('computes F3 on hand cases', () => {
    // P = 0.5, R = 1 → 10·0.5 / (4.5 + 1) = 0.909090…
    assert.ok(Math.abs(fbeta(1, 1, 0) - 10 / 11) < 1e-12);
    // P = 1, R = 0.5 → 5 / (9 + 0.5)
    assert.ok(Math.abs(fbeta(1, 0, 1) - 5 / 9.5) < 1e-12);
    // the kit's seed-3 NHS figures: TP 60, FP 1, FN 10 → 0.868307
    assert.equal(fbeta(60, 1, 10).toFixed(6), '0.868307');
    assert.equal(fbeta(60, 1, 7).toFixed(6), '0.903614');
    assert.equal(fbeta(5, 0, 0), 1);
  });
  it('is 0 when precision and recall are both 0, including 0/0', () => {
    assert.equal(fbeta(0, 0, 0), 0);
    assert.equal(fbeta(0, 3, 4), 0);
    assert.equal(precision(0, 0), 0);
    assert.equal(recall(0, 0), 0);
  });
  it('takes other betas (F1)', () => {
    assert.ok(Math.abs(fbeta(1, 1, 0, 1) - 2 / 3) < 1e-12);
  });
});

describe('confusion', () => {
  it('counts each cell', () => {
    const c = confusion([true, true, false, false, true], [true, false, true, false, true]);
    assert.deepEqual(c, { tp: 2, tn: 1, fp: 1, fn: 1 });
    assert.ok(Math.abs(confusionFbeta(c) - fbeta(2, 1, 1)) < 1e-15);
  });
  it('refuses lists of different lengths', () => {
    assert.throws(() => confusion([true], [true, false]), RangeError);
  });
});
