import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffCeiling, defaultRetryPolicy, nextDelay, type RetryPolicy } from './retry.js';
import { createRng } from './random.js';

const fixed = (u: number) => ({ next: () => u });
const policy: RetryPolicy = { initialMs: 100, maxMs: 2000, factor: 2, jitter: 0, maxRetries: 5 };

describe('retry policy', () => {
  it('grows exponentially from the initial delay and is capped', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 10].map((a) => backoffCeiling(policy, a)),
      [100, 200, 400, 800, 1600, 2000, 2000],
    );
    assert.equal(backoffCeiling(policy, -3), 100);
  });

  it('without jitter returns the ceiling; stops after maxRetries', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((a) => nextDelay(policy, a, fixed(0.9))),
      [100, 200, 400, 800, 1600],
    );
    assert.equal(nextDelay(policy, 5, fixed(0)), undefined);
  });

  it('with jitter j gives ceiling·(1 − j·u): full jitter spans [0, ceiling]', () => {
    const full = { ...policy, jitter: 1 };
    assert.equal(nextDelay(full, 3, fixed(0)), 800);
    assert.equal(nextDelay(full, 3, fixed(0.5)), 400);
    assert.equal(nextDelay({ ...policy, jitter: 0.5 }, 3, fixed(0.5)), 600);
  });

  it('is pure and bounded for any attempt and random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, u) => {
        const d = nextDelay(defaultRetryPolicy, attempt, fixed(u));
        assert.ok(d !== undefined && d >= 0 && d <= defaultRetryPolicy.maxMs);
        assert.equal(nextDelay(defaultRetryPolicy, attempt, fixed(u)), d);
      }),
    );
    const a = createRng(1);
    const b = createRng(1);
    assert.deepEqual(
      [0, 1, 2].map((k) => nextDelay(defaultRetryPolicy, k, a)),
      [0, 1, 2].map((k) => nextDelay(defaultRetryPolicy, k, b)),
    );
  });
});
