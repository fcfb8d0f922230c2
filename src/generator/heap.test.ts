import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NumberHeap } from './heap.js';

describe('NumberHeap', () => {
  it('pops any pushed keys in ascending order (interleaved pushes and pops)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ noNaN: true, min: -1e15, max: 1e15 }), fc.constant(Number.NaN)), { maxLength: 300 }), (ops) => {
        const h = new NumberHeap(2);
        const ref: number[] = [];
        for (const op of ops) {
          if (Number.isNaN(op)) {
            if (ref.length === 0) continue;
            ref.sort((a, b) => a - b);
            assert.equal(h.pop(), ref.shift());
          } else {
            h.push(op);
            ref.push(op);
          }
          assert.equal(h.size, ref.length);
        }
        ref.sort((a, b) => a - b);
        while (ref.length > 0) assert.equal(h.pop(), ref.shift());
        assert.equal(h.peek(), undefined);
      }),
    );
  });

  it('throws on pop from an empty heap', () => {
    assert.throws(() => new NumberHeap().pop(), RangeError);
  });
});
