/** A binary min-heap of numbers (event keys), growable, allocation-free in steady state. */
export class NumberHeap {
  private items: Float64Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.items = new Float64Array(Math.max(16, capacity));
  }

  get size(): number {
    return this.n;
  }

  push(x: number): void {
    if (this.n === this.items.length) {
      const bigger = new Float64Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    const a = this.items;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent] as number;
      if (p <= x) break;
      a[i] = p;
      i = parent;
    }
    a[i] = x;
  }

  /** The smallest key (undefined when empty), without removing it. */
  peek(): number | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  /** Removes and returns the smallest key. Throws on an empty heap. */
  pop(): number {
    if (this.n === 0) throw new RangeError('pop from an empty heap');
    const a = this.items;
    const top = a[0] as number;
    const last = a[--this.n] as number;
    const n = this.n;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && (a[r] as number) < (a[l] as number)) c = r;
      if ((a[c] as number) >= last) break;
      a[i] = a[c] as number;
      i = c;
    }
    if (n > 0) a[i] = last;
    return top;
  }
}
