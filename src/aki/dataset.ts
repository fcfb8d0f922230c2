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

/** Splits text into lines (CRLF, LF, or CR alone as old Mac files have), dropping a BOM and trailing blank lines. */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.indexOf('\n') < 0 && body.indexOf('\r') >= 0 ? body.split('\r') : body.split('\n');
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

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Parses `YYYY-MM-DD HH:MM:SS` (also `T` for the space, and without seconds) as UTC; NaN when
 * malformed or out of range.
 */
export function parseCsvDate(s: string): number {
  return parseCsvDateAt(s, 0, s.length);
}

/** A date flag (`--stream-start`): `YYYY-MM-DD` (00:00 UTC) or as `parseCsvDate`; NaN when malformed or no such day. */
export function parseDateFlag(value: string): number {
  return parseCsvDate(value.length === 10 ? `${value} 00:00:00` : value);
}

/** `parseCsvDate` of `s.slice(from, to)`, without making the slice. */
export function parseCsvDateAt(s: string, from: number, to: number): number {
  const len = to - from;
  if (len !== 19 && len !== 16) return Number.NaN;
  const sep = s.charCodeAt(from + 10);
  if (s.charCodeAt(from + 4) !== 45 || s.charCodeAt(from + 7) !== 45 || (sep !== 32 && sep !== 84) || s.charCodeAt(from + 13) !== 58) return Number.NaN;
  const y = digits(s, from, 4);
  const mo = digits(s, from + 5, 2);
  const d = digits(s, from + 8, 2);
  const h = digits(s, from + 11, 2);
  const mi = digits(s, from + 14, 2);
  let sec = 0;
  if (len === 19) {
    if (s.charCodeAt(from + 16) !== 58) return Number.NaN;
    sec = digits(s, from + 17, 2);
  }
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return Number.NaN;
  // Reject 2024-02-31 and the like (Date.UTC would roll them over).
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 ? (leap ? 29 : 28) : MONTH_DAYS[mo - 1]!)) return Number.NaN;
  return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000;
}

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8] as const;

/**
 * `Number(s)` with a fast path for plain decimals (`127.02`): digits and one point, at most 15
 * digits, divided by an exact power of ten — one correctly rounded division, so the result is
 * the same double `Number` gives. Anything else goes to `Number`.
 */
export function parseDecimal(s: string): number {
  return parseDecimalAt(s, 0, s.length);
}

/** `parseDecimal` of `s.slice(from, to)`, slicing only for the slow path. */
export function parseDecimalAt(s: string, from: number, to: number): number {
  const n = to - from;
  if (n === 0 || n > 15) return Number(s.slice(from, to)); // ≤ 15 digits: the integer part is exact
  let v = 0;
  let point = -1;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */ && point < 0) point = i - from;
    else if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else return Number(s.slice(from, to));
  }
  if (point < 0) return v;
  const decimals = n - point - 1;
  if (decimals === 0 || n === 1 || decimals > 8) return Number(s.slice(from, to));
  return v / (POW10[decimals] as number);
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

/** Called once per patient row by `readPatientCsv`. `times`/`values` are scratch arrays valid during the call only; read the first `count` entries. */
export type PatientRowHandler = (
  line: number,
  age: number | undefined,
  sex: 'm' | 'f' | undefined,
  aki: boolean | undefined,
  times: Float64Array,
  values: Float64Array,
  count: number,
) => void;

/**
 * Reads a training or test CSV row by row without keeping it (the fast path of `swemls
 * predict`). Results are in time order. Throws `AkiError` naming the line of a bad row.
 */
export function readPatientCsv(
  text: string,
  source: string,
  options: { requireLabels?: boolean },
  onRow: PatientRowHandler,
): { rows: number; hasLabels: boolean; hasDemographics: boolean } {
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
  let times = new Float64Array(64);
  let values = new Float64Array(64);
  let rows = 0;
  for (let li = 1; li < lines.length; li++) {
    const lineNo = li + 1;
    const text_ = lines[li] as string;
    // Padding: drop trailing empty cells before splitting (most of a padded row is commas).
    let end = text_.length;
    while (end > 0 && text_.charCodeAt(end - 1) === 44 /* , */) end--;
    if (end === 0 || text_.trim() === '') continue; // blank lines in the middle are skipped
    // The leading cells (age, sex, aki…) as strings; the date/result pairs are scanned in place.
    const cells: string[] = [];
    let pos = 0;
    for (let c = 0; c < firstPair && pos <= end; c++) {
      let comma = text_.indexOf(',', pos);
      if (comma < 0 || comma > end) comma = end;
      cells.push(text_.slice(pos, comma));
      pos = comma + 1;
    }
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
    let k = 0;
    let sorted = true;
    let pair = 0;
    while (pos <= end && cells.length === firstPair) {
      let dEnd = text_.indexOf(',', pos);
      if (dEnd < 0 || dEnd > end) dEnd = end;
      const vStart = dEnd + 1;
      let vEnd = vStart <= end ? text_.indexOf(',', vStart) : -1;
      if (vStart > end) vEnd = vStart; // no value cell at all
      else if (vEnd < 0 || vEnd > end) vEnd = end;
      const dFrom = pos;
      pos = vEnd + 1;
      const thisPair = pair++;
      if (dEnd === dFrom && vEnd <= vStart) continue; // padding (both cells empty)
      let a = dFrom;
      let b = dEnd;
      if (b - a !== 19) {
        while (a < b && (text_.charCodeAt(a) === 32 || text_.charCodeAt(a) === 9)) a++;
        while (b > a && (text_.charCodeAt(b - 1) === 32 || text_.charCodeAt(b - 1) === 9)) b--;
      }
      const t = parseCsvDateAt(text_, a, b);
      if (Number.isNaN(t)) bad(source, lineNo, `creatinine_date_${thisPair} '${text_.slice(dFrom, dEnd)}' is not a date like 2024-01-31 13:45:00`);
      const x = vEnd <= vStart ? Number.NaN : parseDecimalAt(text_, vStart, vEnd); // all-space cells give 0, refused below
      if (!Number.isFinite(x) || x <= 0) bad(source, lineNo, `creatinine_result_${thisPair} '${vEnd <= vStart ? '' : text_.slice(vStart, vEnd)}' is not a positive number`);
      if (k >= times.length) {
        const t2 = new Float64Array(times.length * 2);
        t2.set(times);
        times = t2;
        const v2 = new Float64Array(values.length * 2);
        v2.set(values);
        values = v2;
      }
      if (k > 0 && t < (times[k - 1] as number)) sorted = false;
      times[k] = t;
      values[k] = x;
      k++;
    }
    // Results out of time order are put in order (stable), since "last" means latest.
    if (!sorted) {
      const tCopy = times.slice(0, k);
      const vCopy = values.slice(0, k);
      const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => (tCopy[a] as number) - (tCopy[b] as number) || a - b);
      order.forEach((from, to) => {
        times[to] = tCopy[from] as number;
        values[to] = vCopy[from] as number;
      });
    }
    rows++;
    onRow(lineNo, age, sex, aki, times, values, k);
  }
  return { rows, hasLabels: akiCol >= 0, hasDemographics: ageCol >= 0 && sexCol >= 0 };
}

/**
 * Parses a training or test CSV into rows. `source` names the file in errors. With
 * `requireLabels`, a file without an `aki` column is an error.
 */
export function parsePatientCsv(text: string, source = 'input', options: { requireLabels?: boolean } = {}): PatientTable {
  const rows: PatientRow[] = [];
  const r = readPatientCsv(text, source, options, (line, age, sex, aki, times, values, count) => {
    rows.push({ line, age, sex, aki, times: times.slice(0, count), values: values.slice(0, count) });
  });
  return { rows, hasLabels: r.hasLabels, hasDemographics: r.hasDemographics };
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
