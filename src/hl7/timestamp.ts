/**
 * HL7 timestamps (DTM): `YYYY[MM[DD[HH[MM[SS[.S{1,4}]]]]]][+/-ZZZZ]`, read as UTC. The course
 * writes `YYYYMMDDHHMMSS` (generator) and `YYYYMMDDHHMM` (other course data). An offset, when
 * present, is applied (the time is converted to UTC); without one the time is taken as UTC.
 */

const DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;

export interface ParseTimestampOptions {
  /** Shortest accepted precision in digits (default 8: a date). */
  readonly minDigits?: 4 | 6 | 8 | 10 | 12 | 14;
}

/** Parses an HL7 timestamp into ms since the Unix epoch (UTC), or `undefined` when it is not one. */
export function parseHl7Timestamp(text: string, options: ParseTimestampOptions = {}): number | undefined {
  const m = DTM.exec(text.trim());
  if (!m) return undefined;
  const digits = 4 + [m[2], m[3], m[4], m[5], m[6]].filter((x) => x !== undefined).length * 2;
  if (digits < (options.minDigits ?? 8)) return undefined;
  if (m[7] !== undefined && digits !== 14) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC maps years 0..99 to 1900..1999.
  if (year < 100) t = new Date(t).setUTCFullYear(year);
  if (m[8] !== undefined) {
    const sign = m[8][0] === '-' ? -1 : 1;
    const oh = Number(m[8].slice(1, 3));
    const om = Number(m[8].slice(3, 5));
    if (oh > 14 || om > 59) return undefined;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Formats ms since the epoch as an HL7 timestamp in UTC: 14 digits (`YYYYMMDDHHMMSS`) by default, or 12 or 8. */
export function formatHl7Timestamp(ms: number, digits: 8 | 12 | 14 = 14): string {
  const d = new Date(ms);
  let out = pad(d.getUTCFullYear(), 4) + pad(d.getUTCMonth() + 1) + pad(d.getUTCDate());
  if (digits >= 12) out += pad(d.getUTCHours()) + pad(d.getUTCMinutes());
  if (digits === 14) out += pad(d.getUTCSeconds());
  return out;
}
