/**
 * The NHS AKI algorithm exactly as the course uses it (the course kit's `has_aki`), restated in
 * `spec/generator.md` § "The NHS reference algorithm". It is the course's simplification of NHS
 * England's algorithm: no stage 1 alerts and no 48-hour rise rule. NHS England's full algorithm
 * lives in `nhs-england.ts`, clearly separate. The generator's `aki.csv` (`nhs` column) and the
 * `nhs` model both use this function, so they cannot disagree.
 */

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/**
 * Upper reference interval (µmol/L) for creatinine by age band `[lo, hi)` (under 13: both sexes;
 * 13 and over: by sex). Used by the under-18 rule.
 */
export function upperReference(age: number, sex: 'm' | 'f'): number {
  if (age < 1) return 34;
  if (age < 3) return 31;
  if (age < 5) return 37;
  if (age < 7) return 42;
  if (age < 9) return 47;
  if (age < 11) return 56;
  if (age < 12) return 64;
  if (age < 13) return 67;
  if (sex === 'm') {
    if (age < 14) return 76;
    if (age < 15) return 83;
    if (age < 16) return 98;
    if (age < 17) return 99;
    return 104;
  }
  if (age < 14) return 74;
  if (age < 15) return 75;
  if (age < 16) return 79;
  if (age < 17) return 81;
  return 84;
}

/** Median of a non-empty list (mean of the two middle values for an even count). Sorts a copy. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length % 2 === 1) return s[mid] as number;
  return ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The decision once the ratio `rv` and the new value `c1` are known: above 1.5, AKI when the
 * absolute level is high (children: above 3 × the upper reference; adults: above 354 µmol/L);
 * otherwise AKI when `rv ≥ 2` (stages 2 and 3; stage 1 is not alerted).
 */
export function nhsDecision(age: number, sex: 'm' | 'f', c1: number, rv: number): boolean {
  if (rv > 1.5) {
    if (age < 18 && c1 > 3 * upperReference(age, sex)) return true;
    if (age >= 18 && c1 > 354) return true;
  }
  return rv >= 2;
}

/**
 * The course's NHS algorithm with an explicit `now` (the unit cases of the spec give `now`
 * separately from the last result's time).
 *
 * @param times ms since the epoch, ascending; the last entry is the new result `c1`.
 * @param values creatinine (µmol/L), same length as `times`.
 * @param now ms since the epoch; windows are measured back from it.
 */
export function nhsAkiAt(age: number, sex: 'm' | 'f', times: ArrayLike<number>, values: ArrayLike<number>, now: number): boolean {
  const n = Math.min(times.length, values.length);
  if (n < 2) return false;
  const last = n - 1;
  const c1 = values[last] as number;
  // "gap between the last two results under 365 days" (exactly 365 days: no AKI).
  if ((times[last] as number) - (times[last - 1] as number) >= 365 * DAY_MS) return false;
  let recentMin = Number.POSITIVE_INFINITY;
  const older: number[] = [];
  for (let i = 0; i < last; i++) {
    const age_ms = now - (times[i] as number);
    const v = values[i] as number;
    if (age_ms < 7 * DAY_MS) {
      if (v < recentMin) recentMin = v;
    } else if (age_ms > 7 * DAY_MS && age_ms < 365 * DAY_MS) {
      // Exactly 7 days old falls in neither window (the kit's strict comparisons).
      older.push(v);
    }
  }
  const rv1 = recentMin === Number.POSITIVE_INFINITY ? 0 : c1 / recentMin;
  const rv2 = older.length === 0 ? 0 : c1 / median(older);
  return nhsDecision(age, sex, c1, Math.max(rv1, rv2));
}

/**
 * The course's NHS algorithm (`has_aki`): is the last result an AKI? "Now" is the last result's time.
 *
 * @param times ms since the epoch, ascending; the last entry is the new result `c1` and "now".
 * @param values creatinine (µmol/L), same length as `times`.
 */
export function nhsAki(age: number, sex: 'm' | 'f', times: ArrayLike<number>, values: ArrayLike<number>): boolean {
  const n = Math.min(times.length, values.length);
  if (n < 2) return false;
  return nhsAkiAt(age, sex, times, values, times[n - 1] as number);
}
