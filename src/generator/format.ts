/**
 * Text formats of the generator's CSV files: dates as `YYYY-MM-DD HH:MM:SS` (UTC, seconds
 * always 00) and creatinine with two decimals, rounded as Python's `f"{x:.2f}"` does.
 */
import { civilFromDays } from '../hl7/timestamp.js';

/** The generator's epoch, 2024-01-01 00:00 UTC, in ms since the Unix epoch. */
export const EPOCH_MS = Date.UTC(2024, 0, 1);
/** One day in ms. */
export const DAY_MS = 86_400_000;
/** One minute in ms. */
export const MINUTE_MS = 60_000;


function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYYMMDD` of a day count since 1970-01-01. */
export function compactDate(unixDays: number): string {
  const { year, month, day } = civilFromDays(unixDays);
  return String(year).padStart(4, '0') + two(month) + two(day);
}

const EPOCH_DAYS = EPOCH_MS / DAY_MS;
const HHMM: string[] = Array.from({ length: 1440 }, (_, m) => `${two(Math.floor(m / 60))}:${two(m % 60)}:00`);

/** Formats minutes since the generator's epoch as `YYYY-MM-DD HH:MM:SS`, caching day strings. */
export class CsvDateFormatter {
  private readonly days: string[] = [];

  format(minute: number): string {
    const d = Math.floor(minute / 1440);
    let ds = d >= 0 ? this.days[d] : undefined;
    if (ds === undefined) {
      const { year, month, day } = civilFromDays(EPOCH_DAYS + d);
      ds = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)} `;
      if (d >= 0) this.days[d] = ds;
    }
    return ds + (HHMM[minute - d * 1440] as string);
  }
}

/**
 * `x` with two decimals, as Python's `f"{x:.2f}"`: correctly rounded from the exact binary value,
 * ties to even. (JavaScript's `toFixed` rounds exact ties up; ties need a fraction in eighths.)
 */
export function formatFixed2(x: number): string {
  const s = x.toFixed(2);
  const e = x * 8; // exact: a power-of-two scale
  if (Number.isInteger(e) && Math.abs(e) < 2 ** 50) {
    const eighths = ((Math.abs(e) % 8) + 8) % 8;
    if (eighths === 1 || eighths === 3 || eighths === 5 || eighths === 7) {
      // x = k + m/8 with m odd: hundredths = (100·x) has fraction exactly .5.
      const hundredths = Math.abs(x) * 100; // exact (x has at most 3 fractional bits)
      const lo = Math.floor(hundredths);
      const even = lo % 2 === 0 ? lo : lo + 1;
      const sign = x < 0 && even !== 0 ? '-' : '';
      return `${sign}${Math.floor(even / 100)}.${two(even % 100)}`;
    }
  }
  return s;
}
