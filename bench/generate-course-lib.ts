/**
 * Shared analysis for fitting and checking the generator's `course` profile: reads a labelled
 * training-style CSV (`age,sex,aki,creatinine_date_0,creatinine_result_0,...`) and measures the
 * figures the profile must reproduce. Used by bench/generate-fit-course.ts and
 * bench/generate-compare-course.ts; reads the data from paths given on the command line.
 */
import { readFileSync } from 'node:fs';
import { median, nhsAki } from '../src/aki/nhs.js';
import { fbeta } from '../src/aki/score.js';

export const EPOCH_MS = Date.UTC(2024, 0, 1);
export const DAY_MS = 86_400_000;

/** The kit's AKI age bands (UK Renal Registry demography), inclusive. */
export const AKI_AGE_BANDS: readonly (readonly [number, number])[] = [
  [0, 17],
  [18, 29],
  [30, 39],
  [40, 64],
  [65, 74],
  [75, 84],
  [85, 200],
];

export interface Row {
  age: number;
  sex: 'm' | 'f';
  aki: boolean;
  times: number[];
  values: number[];
}

function parseDate(text: string): number {
  // YYYY-MM-DD HH:MM:SS, UTC.
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`bad date '${text}'`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Reads a labelled training-style CSV (CRLF or LF, ragged or padded rows). */
export function readLabelled(file: string): Row[] {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const ageCol = header.indexOf('age');
  const sexCol = header.indexOf('sex');
  const akiCol = header.indexOf('aki');
  const first = header.indexOf('creatinine_date_0');
  if (ageCol < 0 || sexCol < 0 || akiCol < 0 || first < 0) throw new Error(`${file}: expected a labelled file with age, sex, aki and creatinine columns`);
  const rows: Row[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const cells = line.split(',');
    const times: number[] = [];
    const values: number[] = [];
    for (let j = first; j + 1 < cells.length; j += 2) {
      const d = cells[j] as string;
      if (d === '') break;
      times.push(parseDate(d));
      values.push(Number(cells[j + 1]));
    }
    rows.push({ age: Number(cells[ageCol]), sex: cells[sexCol] === 'f' ? 'f' : 'm', aki: cells[akiCol] === 'y' || cells[akiCol] === '1', times, values });
  }
  return rows;
}

/** AKI result ÷ median of the patient's earlier results after the history boundary (the drawn multiplier). */
export function akiRatio(row: Row, boundaryMs: number): number | undefined {
  if (!row.aki || row.values.length < 2) return undefined;
  const last = row.values.length - 1;
  const earlier: number[] = [];
  for (let j = 0; j < last; j++) if ((row.times[j] as number) > boundaryMs) earlier.push(row.values[j] as number);
  if (earlier.length === 0) return undefined;
  return (row.values[last] as number) / median(earlier);
}

/** The kit's nominal baseline mean (before the multiplier), by sex and age. */
export function nominalMu(sex: 'm' | 'f', age: number): number {
  if (sex === 'm') return age <= 50 ? 100 : 105;
  return age <= 50 ? 80 : 85;
}

/** Quantile by linear interpolation (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

export interface BandStats {
  band: readonly [number, number];
  rows: number;
  akiRows: number;
  share: number;
  /** Sorted AKI ratios. */
  ratios: number[];
  nhs: { tp: number; fp: number; fn: number };
}

export interface FileStats {
  rows: number;
  akiRows: number;
  akiShare: number;
  nhsF3: number;
  bands: BandStats[];
}

/** The figures the profile must reproduce, per AKI age band and overall. */
export function analyse(rows: readonly Row[], historyDays = 90): FileStats {
  const boundary = EPOCH_MS + historyDays * DAY_MS;
  const bands: BandStats[] = AKI_AGE_BANDS.map((band) => ({ band, rows: 0, akiRows: 0, share: 0, ratios: [], nhs: { tp: 0, fp: 0, fn: 0 } }));
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let akiRows = 0;
  for (const row of rows) {
    const b = bands.find((x) => row.age >= x.band[0] && row.age <= x.band[1]);
    if (!b) continue;
    b.rows++;
    if (row.aki) {
      b.akiRows++;
      akiRows++;
      const r = akiRatio(row, boundary);
      if (r !== undefined) b.ratios.push(r);
    }
    const nhs = nhsAki(row.age, row.sex, row.times, row.values);
    if (nhs && row.aki) {
      tp++;
      b.nhs.tp++;
    } else if (nhs) {
      fp++;
      b.nhs.fp++;
    } else if (row.aki) {
      fn++;
      b.nhs.fn++;
    }
  }
  for (const b of bands) {
    b.share = b.rows === 0 ? 0 : b.akiRows / b.rows;
    b.ratios.sort((x, y) => x - y);
  }
  return { rows: rows.length, akiRows, akiShare: rows.length === 0 ? 0 : akiRows / rows.length, nhsF3: fbeta(tp, fp, fn, 3), bands };
}

/** Per patient: mean of ordinary results (AKI result excluded) ÷ the kit's nominal mu, with the count. */
export function baselineRatios(rows: readonly Row[]): { age: number; sex: 'm' | 'f'; x: number; k: number }[] {
  const out: { age: number; sex: 'm' | 'f'; x: number; k: number }[] = [];
  for (const row of rows) {
    const k = row.aki ? row.values.length - 1 : row.values.length;
    if (k <= 0) continue;
    let s = 0;
    for (let j = 0; j < k; j++) s += row.values[j] as number;
    out.push({ age: row.age, sex: row.sex, x: s / k / nominalMu(row.sex, row.age), k });
  }
  return out;
}

export function fmt(x: number, d = 3): string {
  return Number.isFinite(x) ? x.toFixed(d) : '–';
}
