/**
 * Features of a patient's creatinine results up to and including "now" (the latest result).
 * One definition serves training, batch prediction and the detector:
 *
 * - `PatientState` is a small per-patient summary, updated once per result
 *   (`updatePatientState`), never rescanning history, and plain JSON (the detector stores it).
 *   It keeps running statistics over every earlier result and the earlier results of the last
 *   365 days (at most `WINDOW_CAP` of them), which is all the NHS windows need.
 * - `stateFeatures(state, demo)` turns it into a feature vector (`FEATURE_NAMES`).
 * - `batchFeatures(times, values, index, demo)` is the same definition computed directly from
 *   arrays; tests check that the two agree and that nothing after `index` is ever read.
 *
 * Time never runs backwards here: each result is taken as "now" when it is added, and the
 * windows are measured back from it. A result earlier than the previous one is still accepted
 * (the detector may see one) and is simply treated as the newest.
 */
import { DAY_MS, nhsDecision } from './nhs.js';

/** Earlier results older than this (ms, measured from "now") leave the window. */
export const WINDOW_MS = 365 * DAY_MS;
/** At most this many earlier results are kept in the window (the most recent). */
export const WINDOW_CAP = 128;
/** Version of the state's JSON layout. */
export const STATE_VERSION = 1;

/** A patient's summary. Plain JSON; treat as opaque outside src/aki. */
export interface PatientState {
  /** Layout version. */
  v: number;
  /** Number of results seen, the latest included. */
  n: number;
  /** Latest result: time (ms since epoch) and value (µmol/L); 0 when n = 0. */
  lt: number;
  lv: number;
  /** Running statistics over every result before the latest: count, mean, M2 (Welford), min, max. */
  c: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
  /** Time and value of the result just before the latest (0 when there is none). */
  pt: number;
  pv: number;
  /** Earlier results within the window (ascending by arrival): times and values. */
  wt: number[];
  wv: number[];
}

/** Age and sex, when the patient's admission was seen. */
export interface Demographics {
  readonly age?: number | undefined;
  readonly sex?: 'm' | 'f' | undefined;
}

/** A new, empty state. */
export function createPatientState(): PatientState {
  return { v: STATE_VERSION, n: 0, lt: 0, lv: 0, c: 0, mean: 0, m2: 0, min: 0, max: 0, pt: 0, pv: 0, wt: [], wv: [] };
}

/** Empties a state for reuse (same as a new one, without allocating). Returns it. */
export function resetPatientState(state: PatientState): PatientState {
  state.v = STATE_VERSION;
  state.n = 0;
  state.lt = 0;
  state.lv = 0;
  state.c = 0;
  state.mean = 0;
  state.m2 = 0;
  state.min = 0;
  state.max = 0;
  state.pt = 0;
  state.pv = 0;
  state.wt.length = 0;
  state.wv.length = 0;
  return state;
}

/** Adds a result (time in ms since the epoch, value in µmol/L) as the newest. Mutates and returns `state`. */
export function updatePatientState(state: PatientState, time: number, value: number): PatientState {
  if (state.n > 0) {
    const v = state.lv;
    // Fold the previous latest into the running statistics (Welford) and the window.
    state.c++;
    const d = v - state.mean;
    state.mean += d / state.c;
    state.m2 += d * (v - state.mean);
    if (state.c === 1) {
      state.min = v;
      state.max = v;
    } else {
      if (v < state.min) state.min = v;
      if (v > state.max) state.max = v;
    }
    state.pt = state.lt;
    state.pv = v;
    state.wt.push(state.lt);
    state.wv.push(v);
  }
  state.n++;
  state.lt = time;
  state.lv = value;
  // Prune: too old for the 365-day window, or beyond the cap.
  let drop = 0;
  while (drop < state.wt.length && time - (state.wt[drop] as number) >= WINDOW_MS) drop++;
  if (state.wt.length - drop > WINDOW_CAP) drop = state.wt.length - WINDOW_CAP;
  if (drop > 0) {
    state.wt.splice(0, drop);
    state.wv.splice(0, drop);
  }
  return state;
}

/** Checks that a value parsed from JSON is a usable state; returns it or throws a TypeError. */
export function parsePatientState(value: unknown): PatientState {
  const s = value as Partial<PatientState> | null;
  const nums: Array<keyof PatientState> = ['v', 'n', 'lt', 'lv', 'c', 'mean', 'm2', 'min', 'max', 'pt', 'pv'];
  if (typeof s !== 'object' || s === null) throw new TypeError('patient state: not an object');
  for (const k of nums) if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) throw new TypeError(`patient state: '${k}' is not a finite number`);
  if (s.v !== STATE_VERSION) throw new TypeError(`patient state: version ${String(s.v)} (expected ${STATE_VERSION})`);
  if (!Array.isArray(s.wt) || !Array.isArray(s.wv) || s.wt.length !== s.wv.length) throw new TypeError('patient state: bad window');
  return s as PatientState;
}

/** The feature names, in vector order. */
export const FEATURE_NAMES = [
  'value', // 0 the new result (µmol/L)
  'log_n_prev', // 1 log(1 + number of earlier results)
  'ratio_window_median', // 2 value / median(earlier results within 365 days); 1 when none
  'ratio_mean', // 3 value / mean(all earlier results); 1 when none
  'ratio_min', // 4 value / min(all earlier)
  'ratio_max', // 5 value / max(all earlier)
  'ratio_last', // 6 value / the previous result
  'z', // 7 (value − mean) / sd of earlier results (sd floored at 5% of the mean); 0 with < 2 earlier
  'nhs_rv1', // 8 value / min(earlier within 7 days); 0 when none (NHS)
  'nhs_rv2', // 9 value / median(earlier 7–365 days); 0 when none (NHS)
  'log_hours_since_prev', // 10 log(1 + hours since the previous result); log(1 + 24·365) when none
  'window_sd_ratio', // 11 sd / mean of earlier results (0 with < 2 earlier)
  'age', // 12 age in years (demographic)
  'sex_m', // 13 1 male, 0 female (demographic)
  'nhs', // 14 the course NHS algorithm's verdict, 1 or 0 (needs age and sex)
  'in_stream', // 15 1 when the result is at or after the model's stream start (1 when no stream start is set)
  'ratio_stream_median', // 16 value / median(earlier window results at or after the stream start); 1 when none
  'log_n_stream_prev', // 17 log(1 + number of those results)
] as const;

/** Number of features. */
export const FEATURE_COUNT = FEATURE_NAMES.length;
/** Indices of the features that need demographics (dropped by the model for unknown patients). */
export const DEMOGRAPHIC_FEATURES: readonly number[] = [12, 13, 14];

const NO_PREV_HOURS = Math.log1p(24 * 365);

// Scratch space for the windows (features are computed one at a time, synchronously).
let SCRATCH_ALL = new Float64Array(WINDOW_CAP + 1);
let SCRATCH_OLDER = new Float64Array(WINDOW_CAP + 1);
let SCRATCH_STREAM = new Float64Array(WINDOW_CAP + 1);
function growScratch(n: number): void {
  SCRATCH_ALL = new Float64Array(n);
  SCRATCH_OLDER = new Float64Array(n);
  SCRATCH_STREAM = new Float64Array(n);
}

/** Median of the first `n` entries of `a` (sorts them in place; the same value as `median`). */
function sortedMedian(a: Float64Array, n: number): number {
  const s = a.subarray(0, n).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The shared definition: computes the features from the pieces either path has at hand. */
function fill(
  out: Float64Array,
  value: number,
  time: number,
  c: number,
  mean: number,
  m2: number,
  min: number,
  max: number,
  pt: number,
  pv: number,
  wt: ArrayLike<number>,
  wv: ArrayLike<number>,
  wFrom: number,
  wTo: number,
  demo: Demographics,
  streamStart: number,
): Float64Array {
  out[0] = value;
  out[1] = Math.log1p(c);
  const wn = wTo - wFrom;
  if (SCRATCH_ALL.length < wn) growScratch(wn);
  let nOlder = 0;
  let nStream = 0;
  const noStart = Number.isNaN(streamStart);
  let recentMin = Number.POSITIVE_INFINITY;
  for (let i = wFrom; i < wTo; i++) {
    const v = wv[i] as number;
    SCRATCH_ALL[i - wFrom] = v;
    if (noStart || (wt[i] as number) >= streamStart) SCRATCH_STREAM[nStream++] = v;
    const age = time - (wt[i] as number);
    if (age < 7 * DAY_MS) {
      if (v < recentMin) recentMin = v;
    } else if (age > 7 * DAY_MS && age < WINDOW_MS) SCRATCH_OLDER[nOlder++] = v;
  }
  out[2] = wn > 0 ? value / sortedMedian(SCRATCH_ALL, wn) : 1;
  out[3] = c > 0 ? value / mean : 1;
  out[4] = c > 0 ? value / min : 1;
  out[5] = c > 0 ? value / max : 1;
  out[6] = c > 0 ? value / pv : 1;
  const sd = c > 1 ? Math.sqrt(m2 / (c - 1)) : 0;
  out[7] = c > 1 ? (value - mean) / Math.max(sd, 0.05 * mean) : 0;
  const rv1 = recentMin === Number.POSITIVE_INFINITY ? 0 : value / recentMin;
  const rv2 = nOlder > 0 ? value / sortedMedian(SCRATCH_OLDER, nOlder) : 0;
  out[8] = rv1;
  out[9] = rv2;
  out[10] = c > 0 ? Math.log1p(Math.max(0, time - pt) / 3_600_000) : NO_PREV_HOURS;
  out[11] = c > 1 && mean > 0 ? sd / mean : 0;
  const hasDemo = demo.age !== undefined && demo.sex !== undefined;
  out[12] = demo.age ?? 0;
  out[13] = demo.sex === 'm' ? 1 : 0;
  // The NHS verdict: one result → no; a gap of 365 days or more → no; else the ratio rule.
  let nhs = false;
  if (hasDemo && c > 0 && time - pt < WINDOW_MS) nhs = nhsDecision(demo.age as number, demo.sex as 'm' | 'f', value, Math.max(rv1, rv2));
  out[14] = nhs ? 1 : 0;
  out[15] = noStart || time >= streamStart ? 1 : 0;
  out[16] = nStream > 0 ? value / sortedMedian(SCRATCH_STREAM, nStream) : 1;
  out[17] = Math.log1p(nStream);
  return out;
}

/**
 * Features of the state's latest result. `streamStart` (ms since the epoch, NaN when unknown)
 * is where the hospital's live period begins: results before it are history (see docs/model.md).
 * Writes into `out` when given.
 */
export function stateFeatures(
  state: PatientState,
  demo: Demographics,
  streamStart = Number.NaN,
  out: Float64Array = new Float64Array(FEATURE_COUNT),
): Float64Array {
  if (state.n === 0) throw new RangeError('stateFeatures: the patient has no results');
  return fill(out, state.lv, state.lt, state.c, state.mean, state.m2, state.min, state.max, state.pt, state.pv, state.wt, state.wv, 0, state.wt.length, demo, streamStart);
}

/**
 * The same features computed directly from a patient's arrays, for the result at `index`
 * (results after `index` are never read). The reference for `stateFeatures`.
 */
export function batchFeatures(times: ArrayLike<number>, values: ArrayLike<number>, index: number, demo: Demographics, streamStart = Number.NaN): Float64Array {
  if (index < 0 || index >= times.length || index >= values.length) throw new RangeError(`batchFeatures: index ${index} out of range`);
  const time = times[index] as number;
  const value = values[index] as number;
  // Plain two-pass statistics over the earlier results (mean, M2, min, max).
  let sum = 0;
  let min = 0;
  let max = 0;
  for (let i = 0; i < index; i++) {
    const v = values[i] as number;
    sum += v;
    if (i === 0 || v < min) min = v;
    if (i === 0 || v > max) max = v;
  }
  const c = index;
  const mean = c > 0 ? sum / c : 0;
  let m2 = 0;
  for (let i = 0; i < index; i++) m2 += ((values[i] as number) - mean) ** 2;
  // The window: earlier results less than 365 days before each later arrival, the last WINDOW_CAP.
  // Pruning happens as results arrive, so an entry once dropped never returns even if a later
  // result has an earlier time; reproduce that by tracking the running maximum drop point.
  let from = 0;
  for (let j = 1; j <= index; j++) {
    const tj = times[j] as number;
    while (from < j && tj - (times[from] as number) >= WINDOW_MS) from++;
    if (j - from > WINDOW_CAP) from = j - WINDOW_CAP;
  }
  const pt = c > 0 ? (times[index - 1] as number) : 0;
  const pv = c > 0 ? (values[index - 1] as number) : 0;
  return fill(new Float64Array(FEATURE_COUNT), value, time, c, mean, m2, min, max, pt, pv, times, values, from, index, demo, streamStart);
}
