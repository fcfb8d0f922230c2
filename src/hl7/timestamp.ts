/**
 * HL7 timestamps (DTM): `YYYY[MM[DD[HH[MM[SS[.S{1,4}]]]]]][+/-ZZZZ]`, read as UTC. The course
 * writes `YYYYMMDDHHMMSS` (generator) and `YYYYMMDDHHMM` (other course data). An offset, when
 * present, is applied (the time is converted to UTC); without one the time is taken as UTC.
 * Pure arithmetic on the proleptic Gregorian calendar: no Date objects, no time zone database.
 */

export interface ParseTimestampOptions {
  /** Shortest accepted precision in digits (default 8: a date). */
  readonly minDigits?: 4 | 6 | 8 | 10 | 12 | 14;
}

const MS_PER_DAY = 86_400_000;

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (month 1..12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/** The value of `len` decimal digits of `s` from `at`, or -1 when one is not a digit. */
function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses an HL7 timestamp into ms since the Unix epoch (UTC), or `undefined` when it is not one:
 * wrong shape (digits must come in the pairs above), fewer digits than `minDigits`, a date or
 * time that does not exist (`20230229`, hour 24, minute 60), fractional seconds without seconds,
 * or an offset beyond ±14:00 or with minutes over 59. Surrounding spaces are ignored.
 */
export function parseHl7Timestamp(text: string, options: ParseTimestampOptions = {}): number | undefined {
  const s = text.length > 0 && (text.charCodeAt(0) === 32 || text.charCodeAt(text.length - 1) === 32) ? text.trim() : text;
  // Split off the offset and the fraction.
  let end = s.length;
  let offsetMinutes = 0;
  const signAt = Math.max(s.indexOf('+'), s.indexOf('-'));
  if (signAt >= 0) {
    if (s.length - signAt !== 5) return undefined;
    const oh = digits(s, signAt + 1, 2);
    const om = digits(s, signAt + 3, 2);
    if (oh < 0 || om < 0 || oh > 14 || om > 59) return undefined;
    offsetMinutes = (s[signAt] === '-' ? -1 : 1) * (oh * 60 + om);
    end = signAt;
  }
  let ms = 0;
  const dot = s.indexOf('.');
  if (dot >= 0) {
    if (dot > end) return undefined;
    const fracLen = end - dot - 1;
    if (fracLen < 1 || fracLen > 4) return undefined;
    const frac = digits(s, dot + 1, fracLen);
    if (frac < 0) return undefined;
    ms = Math.round((frac / 10 ** fracLen) * 1000);
    end = dot;
  }
  const n = end;
  if (n < 4 || n > 14 || n % 2 !== 0) return undefined;
  if (n < (options.minDigits ?? 8)) return undefined;
  if (dot >= 0 && n !== 14) return undefined;
  const year = digits(s, 0, 4);
  const month = n >= 6 ? digits(s, 4, 2) : 1;
  const day = n >= 8 ? digits(s, 6, 2) : 1;
  const hour = n >= 10 ? digits(s, 8, 2) : 0;
  const minute = n >= 12 ? digits(s, 10, 2) : 0;
  const second = n >= 14 ? digits(s, 12, 2) : 0;
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (day > daysInMonth(year, month)) return undefined;
  const t = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms;
  return t;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Civil date (proleptic Gregorian) of a count of days since 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * Formats ms since the epoch as an HL7 timestamp in UTC: 14 digits (`YYYYMMDDHHMMSS`) by default,
 * or 12 or 8 (truncated, never rounded). Throws a RangeError outside years 0000–9999.
 */
export function formatHl7Timestamp(ms: number, digitCount: 8 | 12 | 14 = 14): string {
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${ms}`);
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const secs = totalSeconds - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be written as an HL7 timestamp`);
  let out = String(year).padStart(4, '0') + pad2(month) + pad2(day);
  if (digitCount >= 12) out += pad2(Math.floor(secs / 3600)) + pad2(Math.floor(secs / 60) % 60);
  if (digitCount === 14) out += pad2(secs % 60);
  return out;
}
