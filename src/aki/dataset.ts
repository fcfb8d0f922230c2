/**
 * Reading and writing the course's coursework-1 CSV files:
 * `age,sex,aki,creatinine_date_0,creatinine_result_0,...` (training; `aki` is `y`/`n`),
 * the same without `aki` (test), and single-column `aki` files (predictions, expected labels).
 *
 * Tolerant of what real files carry: a UTF-8 BOM, CRLF or LF line ends, a blank last line,
 * padding with empty cells, and ragged rows that carry more date/result pairs than the header
 * names (pairs continue to the end of the row). A malformed row is an `AkiError`
 * (`AKI_ERR_BAD_CSV`) naming the file and line. One row is one patient; the task is to say
 * whether the row's last result is an AKI.
 */
import { AkiError, AkiErrorCode } from './errors.js';

/** One patient row. `age`/`sex` are undefined when the file has no such column or the cell is empty. */
export interface PatientRow {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly age: number | undefined;
  readonly sex: 'm' | 'f' | undefined;
  /** The label, when the file has an `aki` column. */
  readonly aki: boolean | undefined;
  /** Result times (ms since the epoch, UTC), ascending. */
  readonly times: Float64Array;
  readonly values: Float64Array;
}

/** A parsed file. */
export interface PatientTable {
  readonly rows: PatientRow[];
  readonly hasLabels: boolean;
  readonly hasDemographics: boolean;
}

function bad(source: string, line: number, problem: string): never {
  throw new AkiError(AkiErrorCode.badCsv, `${source}:${line}: ${problem}`);
}

/** Splits text into lines (CRLF or LF), dropping a BOM and trailing blank lines. */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
  return lines;
}

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses `YYYY-MM-DD HH:MM:SS` (also `T` for the space, and without seconds) as UTC; NaN when
 * malformed or out of range.
 */
export function parseCsvDate(s: string): number {
  if (s.length !== 19 && s.length !== 16) return Number.NaN;
  if (s[4] !== '-' || s[7] !== '-' || (s[10] !== ' ' && s[10] !== 'T') || s[13] !== ':') return Number.NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  let sec = 0;
  if (s.length === 19) {
    if (s[16] !== ':') return Number.NaN;
    sec = digits(s, 17, 2);
  }
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return Number.NaN;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec);
  // Reject 2024-02-31 and the like (Date.UTC rolls them over).
  if (new Date(t).getUTCDate() !== d) return Number.NaN;
  return t;
}

/** Formats ms since the epoch as `YYYY-MM-DD HH:MM:SS` (UTC). */
export function formatCsvDate(t: number): string {
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ');
}

function parseLabel(cell: string): boolean | undefined {
  const c = cell.trim().toLowerCase();
  if (c === 'y' || c === '1' || c === 'yes' || c === 'true') return true;
  if (c === 'n' || c === '0' || c === 'no' || c === 'false') return false;
  return undefined;
}

/**
 * Parses a training or test CSV. `source` names the file in errors. With `requireLabels`, a
 * file without an `aki` column is an error.
 */
export function parsePatientCsv(text: string, source = 'input', options: { requireLabels?: boolean } = {}): PatientTable {
  const lines = splitLines(text);
  if (lines.length === 0) bad(source, 1, 'the file is empty (expected a header line)');
  const header = (lines[0] as string).split(',').map((h) => h.trim().toLowerCase());
  const ageCol = header.indexOf('age');
  const sexCol = header.indexOf('sex');
  const akiCol = header.indexOf('aki');
  const firstPair = header.indexOf('creatinine_date_0');
  if (firstPair < 0) bad(source, 1, `the header has no 'creatinine_date_0' column (got: ${(lines[0] as string).slice(0, 80)})`);
  if (header[firstPair + 1] !== 'creatinine_result_0') bad(source, 1, "'creatinine_date_0' must be followed by 'creatinine_result_0'");
  if (options.requireLabels && akiCol < 0) bad(source, 1, "the header has no 'aki' column (training needs labels)");
  const rows: PatientRow[] = [];
  const times: number[] = [];
  const values: number[] = [];
  for (let li = 1; li < lines.length; li++) {
    const lineNo = li + 1;
    const text_ = lines[li] as string;
    if (text_.trim() === '') continue; // blank lines in the middle are skipped
    const cells = text_.split(',');
    let age: number | undefined;
    if (ageCol >= 0) {
      const a = (cells[ageCol] ?? '').trim();
      if (a !== '') {
        age = Number(a);
        if (!Number.isFinite(age) || age < 0 || age > 150) bad(source, lineNo, `age '${a}' is not a number of years in 0–150`);
      }
    }
    let sex: 'm' | 'f' | undefined;
    if (sexCol >= 0) {
      const s = (cells[sexCol] ?? '').trim().toLowerCase();
      if (s === 'm' || s === 'male') sex = 'm';
      else if (s === 'f' || s === 'female') sex = 'f';
      else if (s !== '') bad(source, lineNo, `sex '${s}' is not m or f`);
    }
    let aki: boolean | undefined;
    if (akiCol >= 0) {
      const cell = cells[akiCol] ?? '';
      aki = parseLabel(cell);
      if (aki === undefined && (options.requireLabels || cell.trim() !== '')) bad(source, lineNo, `aki '${cell}' is not y or n`);
    }
    times.length = 0;
    values.length = 0;
    for (let c = firstPair; c < cells.length; c += 2) {
      const d = cells[c] as string;
      const v = cells[c + 1] ?? '';
      if (d === '' && v === '') continue; // padding
      const pair = (c - firstPair) / 2;
      const t = parseCsvDate(d.trim());
      if (Number.isNaN(t)) bad(source, lineNo, `creatinine_date_${pair} '${d}' is not a date like 2024-01-31 13:45:00`);
      const x = v.trim() === '' ? Number.NaN : Number(v);
      if (!Number.isFinite(x) || x <= 0) bad(source, lineNo, `creatinine_result_${pair} '${v}' is not a positive number`);
      times.push(t);
      values.push(x);
    }
    // Results out of time order are put in order (stable), since "last" means latest.
    let sorted = true;
    for (let i = 1; i < times.length; i++) if ((times[i] as number) < (times[i - 1] as number)) sorted = false;
    let tArr = Float64Array.from(times);
    let vArr = Float64Array.from(values);
    if (!sorted) {
      const order = times.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
      tArr = Float64Array.from(order, (i) => times[i] as number);
      vArr = Float64Array.from(order, (i) => values[i] as number);
    }
    rows.push({ line: lineNo, age, sex, aki, times: tArr, values: vArr });
  }
  return { rows, hasLabels: akiCol >= 0, hasDemographics: ageCol >= 0 && sexCol >= 0 };
}

/**
 * Reads the `aki` column of a labels file (predictions or expected; any file with an `aki`
 * header column). `y`/`1` are positive, `n`/`0` negative; anything else is an error naming the line.
 */
export function parseLabelCsv(text: string, source = 'labels'): boolean[] {
  const lines = splitLines(text);
  if (lines.length === 0) bad(source, 1, 'the file is empty (expected a header line)');
  const header = (lines[0] as string).split(',').map((h) => h.trim().toLowerCase());
  const col = header.indexOf('aki');
  if (col < 0) bad(source, 1, "the header has no 'aki' column");
  const out: boolean[] = [];
  for (let li = 1; li < lines.length; li++) {
    const l = lines[li] as string;
    if (l.trim() === '') continue;
    const cell = l.split(',')[col] ?? '';
    const v = parseLabel(cell);
    if (v === undefined) bad(source, li + 1, `aki '${cell}' is not y or n`);
    out.push(v);
  }
  return out;
}

/** Formats predictions as the course's `aki.csv`: header `aki`, one `y`/`n` per line (LF). */
export function formatLabelCsv(labels: ArrayLike<boolean>): string {
  const parts = new Array<string>(labels.length + 1);
  parts[0] = 'aki';
  for (let i = 0; i < labels.length; i++) parts[i + 1] = labels[i] ? 'y' : 'n';
  return parts.join('\n') + '\n';
}
