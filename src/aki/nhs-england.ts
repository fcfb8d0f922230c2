/**
 * NHS England's AKI detection algorithm (Think Kidneys / NHS England Patient Safety Alert,
 * 2014), in full: stage 1 alerts, the rise of more than 26 µmol/L within 48 hours, and
 * baselines limited to the last 365 days. An alternative baseline, kept apart from the
 * course's simplification in nhs.ts (which the generator and the course use).
 *
 * Reading of the published flow chart (day windows measured back from the new result, C1):
 * - RV1 = C1 / lowest result within the last 7 days (0 < age ≤ 7 days), if any;
 *   RV2 = C1 / median of results 7–365 days old (7 < age ≤ 365 days), if any; RV = the larger.
 * - RV ≥ 1.5: AKI; stage 3 when RV ≥ 3 or C1 > 354 µmol/L (adults, with RV ≥ 1.5) or, under 18,
 *   C1 > 3 × the upper reference; stage 2 when RV ≥ 2; else stage 1.
 * - Otherwise, C1 more than 26 µmol/L above the lowest result of the last 48 hours: stage 1.
 * - No earlier result in 365 days: no alert (the chart's "no baseline" branch only flags for review).
 */
import { DAY_MS, median, upperReference } from './nhs.js';

/** 0 = no AKI, else the AKI stage. */
export type AkiStage = 0 | 1 | 2 | 3;

/** The stage of the last result (times ascending, ms since the epoch; the last entry is C1 and "now"). */
export function nhsEnglandStage(age: number | undefined, sex: 'm' | 'f' | undefined, times: ArrayLike<number>, values: ArrayLike<number>): AkiStage {
  const n = Math.min(times.length, values.length);
  if (n < 2) return 0;
  const now = times[n - 1] as number;
  const c1 = values[n - 1] as number;
  let min7 = Number.POSITIVE_INFINITY;
  let min48h = Number.POSITIVE_INFINITY;
  const older: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    const age_ = now - (times[i] as number);
    const v = values[i] as number;
    if (age_ <= 7 * DAY_MS) min7 = Math.min(min7, v);
    else if (age_ <= 365 * DAY_MS) older.push(v);
    if (age_ <= 2 * DAY_MS) min48h = Math.min(min48h, v);
  }
  const rv1 = min7 === Number.POSITIVE_INFINITY ? 0 : c1 / min7;
  const rv2 = older.length > 0 ? c1 / median(older) : 0;
  const rv = Math.max(rv1, rv2);
  if (rv >= 1.5) {
    if (rv >= 3) return 3;
    if (age !== undefined && age < 18) {
      if (c1 > 3 * upperReference(age, sex ?? 'f')) return 3;
    } else if (c1 > 354) return 3;
    return rv >= 2 ? 2 : 1;
  }
  if (min48h !== Number.POSITIVE_INFINITY && c1 - min48h > 26) return 1;
  return 0;
}

/** True when NHS England's algorithm alerts (any stage). */
export function nhsEnglandAki(age: number | undefined, sex: 'm' | 'f' | undefined, times: ArrayLike<number>, values: ArrayLike<number>): boolean {
  return nhsEnglandStage(age, sex, times, values) > 0;
}
