/**
 * The population (spec/generator.md § Clock and people): ages from the census table, birthdates,
 * sexes, distinct MRNs, names and each person's creatinine baseline. Stored as columns (typed
 * arrays) indexed by person; person `i` has the i-th smallest MRN, so index order is MRN order.
 */
import { cumulativeWeights, type Rng } from '../core/random.js';
import type { Profile } from './profile.js';
import { DAY_MS, EPOCH_MS } from './format.js';

/** MRNs are drawn from [MIN_MRN, MAX_MRN). */
export const MIN_MRN = 100_000_000;
export const MAX_MRN = 200_000_000;

/** A person's sex as the CSV files write it. */
export type Sex = 'm' | 'f';

/** The people of a run, column-wise. */
export interface Population {
  readonly size: number;
  readonly mrn: Int32Array;
  /** Age at the epoch, computed from the birthdate: whole days ÷ 365, floored. */
  readonly age: Int32Array;
  /** 1 = female, 0 = male. */
  readonly female: Uint8Array;
  /** Birthdate, ms since the Unix epoch (00:00 UTC). */
  readonly birthMs: Float64Array;
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly multiplier: Float64Array;
  /** Index into `profile.aki.bands` for the person's age. */
  readonly akiBand: Int32Array;
  /** Lazily filled "FORENAME SURNAME" (see `NameSource`). */
  readonly names: (string | undefined)[];
}

/** The age the kit uses everywhere: whole days between birthdate and epoch ÷ 365, floored. */
export function ageAtEpoch(birthMs: number): number {
  return Math.floor(Math.round((EPOCH_MS - birthMs) / DAY_MS) / 365);
}

/** Index of the first band containing `age` (inclusive bounds), or -1. */
export function bandIndex(bands: readonly { ageMin: number; ageMax: number }[], age: number): number {
  for (let i = 0; i < bands.length; i++) {
    const b = bands[i] as { ageMin: number; ageMax: number };
    if (age >= b.ageMin && age <= b.ageMax) return i;
  }
  return -1;
}

/** Draws `n` distinct integers from [lo, hi), returned in ascending order. */
export function drawDistinct(rng: Rng, n: number, lo: number, hi: number): Int32Array {
  if (n > hi - lo) throw new RangeError(`cannot draw ${n} distinct values from ${hi - lo}`);
  const seen = new Set<number>();
  const out = new Int32Array(n);
  let k = 0;
  while (k < n) {
    const x = rng.int(lo, hi);
    if (seen.has(x)) continue;
    seen.add(x);
    out[k++] = x;
  }
  return out.sort();
}

/**
 * Creates the population. Separate streams: `people` (age, birthdate, sex), `mrn`, `creatinine`
 * (baseline mu and multiplier), so a change to the creatinine model reshuffles nothing else.
 */
export function createPopulation(size: number, profile: Profile, streams: { people: Rng; mrn: Rng; creatinine: Rng }): Population {
  const cum = cumulativeWeights(profile.population.ageCounts);
  const mrn = drawDistinct(streams.mrn, size, MIN_MRN, MAX_MRN);
  const age = new Int32Array(size);
  const female = new Uint8Array(size);
  const birthMs = new Float64Array(size);
  const mu = new Float64Array(size);
  const sigma = new Float64Array(size);
  const multiplier = new Float64Array(size);
  const akiBand = new Int32Array(size);
  const { bands, muMin, multiplierBands } = profile.creatinine;
  for (let i = 0; i < size; i++) {
    const drawn = streams.people.weighted(cum);
    const daysBack = streams.people.int(0, 365);
    const birth = Date.UTC(2024 - drawn, 0, 1) - daysBack * DAY_MS;
    const isFemale = streams.people.chance(profile.population.femaleProbability);
    const a = ageAtEpoch(birth);
    birthMs[i] = birth;
    age[i] = a;
    female[i] = isFemale ? 1 : 0;
    const sex: Sex = isFemale ? 'f' : 'm';
    let band: (typeof bands)[number] | undefined;
    for (const b of bands) {
      if (b.sex === sex && a >= b.ageMin && a <= b.ageMax) {
        band = b;
        break;
      }
    }
    if (!band) throw new RangeError(`no creatinine band for sex ${sex}, age ${a}`);
    const m = streams.creatinine.normal(band.muMean, band.muSd);
    mu[i] = Math.max(m, muMin[sex]);
    sigma[i] = band.sigma;
    const mb = bandIndex(multiplierBands, a);
    const mband = mb >= 0 ? multiplierBands[mb] : undefined;
    multiplier[i] = mband ? streams.creatinine.uniform(mband.low, mband.high) : 1;
    const ab = bandIndex(profile.aki.bands, a);
    if (ab < 0) throw new RangeError(`no AKI band for age ${a}`);
    akiBand[i] = ab;
  }
  return { size, mrn, age, female, birthMs, mu, sigma, multiplier, akiBand, names: new Array<string | undefined>(size) };
}

/** Keeps only 7-bit ASCII, then upper-cases (hyphens and apostrophes stay). */
export function asciiUpper(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x00-\x7f]/g, '').toUpperCase();
}
