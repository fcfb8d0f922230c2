/**
 * Seeded pseudo-random numbers with independent named streams.
 *
 * The generator is xoshiro128** (32-bit state words, fast with `Math.imul`), seeded through
 * splitmix32 from a 32-bit hash of the seed and the stream's name. `rng.stream('admissions')`
 * always gives the same sequence for the same root seed, whatever else drew numbers before, so
 * changing one part of a model never reshuffles the others.
 */

/** A source of uniform and derived random numbers. Never `Math.random()`. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [lo, hi) (hi exclusive). */
  int(lo: number, hi: number): number;
  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** A normal deviate (Box–Muller). */
  normal(mean: number, sd: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /**
   * An index drawn in proportion to non-negative weights, given as their cumulative sums (see
   * `cumulativeWeights`); a zero weight is never drawn. With no positive weight it still draws
   * (callers draw unconditionally to keep streams aligned) and returns the last index (0 when empty).
   */
  weighted(cumulative: Float64Array | readonly number[]): number;
  /** An independent stream derived from this one's seed and a name. */
  stream(name: string): Rng;
  /** The 32-bit seed this stream was made from (for logs and reports). */
  readonly seed: number;
}

/** FNV-1a over the UTF-16 code units of a string, then avalanche-mixed. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_POW_32 = 4294967296;

class Xoshiro128 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    const sm = { s: seed | 0 };
    this.a = splitmix32(sm);
    this.b = splitmix32(sm);
    this.c = splitmix32(sm);
    this.d = splitmix32(sm);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  private nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  next(): number {
    // 53 bits of randomness from two outputs, like Python's random().
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  normal(mean: number, sd: number): number {
    // 1 - next() is in (0, 1], so the log is finite.
    const u1 = 1 - this.next();
    const u2 = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.int(0, items.length)] as T;
  }

  weighted(cumulative: Float64Array | readonly number[]): number {
    const total = cumulative[cumulative.length - 1] ?? 0;
    const x = this.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  stream(name: string): Rng {
    return new Xoshiro128(hashString(name, this.seed ^ 0x811c9dc5));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A root random source for a seed (number or string). */
export function createRng(seed: number | string): Rng {
  let s: number;
  if (typeof seed === 'string') s = hashString(seed);
  else {
    // Seeds below 2^32 map as they always have; above, the high word is mixed in first, so
    // 2^32 + k does not give seed k's stream (a plain XOR of the two words did).
    const low = Math.trunc(seed) >>> 0;
    const high = Math.floor(Math.abs(seed) / TWO_POW_32) >>> 0;
    s = mix32(high === 0 ? low : (low ^ mix32(high ^ 0x9e3779b9)) >>> 0);
  }
  return new Xoshiro128(s);
}

/** Cumulative sums of weights, for `Rng.weighted`. */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] as number;
    out[i] = sum;
  }
  return out;
}
