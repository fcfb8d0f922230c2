/**
 * The pager: `/page` with body `MRN` or `MRN,YYYYMMDDHHMM[SS]` → 200 `ok\n`, anything else 400,
 * as the reference does (any method; a query string is fine; a trailing newline is a 400).
 */
import { parseHl7Timestamp } from '../hl7/index.js';
import { canonicalMrn } from './data.js';

export type PageBody = { readonly ok: true; readonly mrn: string; readonly time: number | null } | { readonly ok: false; readonly reason: string };

/** Parses a page body exactly as the reference accepts it. `time` null: refer to the MRN's last result. */
export function parsePageBody(body: string): PageBody {
  if (body === '') return { ok: false, reason: 'empty body' };
  const parts = body.split(',');
  if (parts.length > 2) return { ok: false, reason: `expected MRN or MRN,TIMESTAMP, got ${parts.length} parts` };
  const mrn = canonicalMrn(parts[0] as string);
  if (mrn === undefined) return { ok: false, reason: `bad MRN '${(parts[0] as string).slice(0, 40)}'` };
  if (parts.length === 1) return { ok: true, mrn, time: null };
  const ts = parts[1] as string;
  const time = /^(\d{12}|\d{14})$/.test(ts) ? parseHl7Timestamp(ts, { minDigits: 12 }) : undefined;
  if (time === undefined) return { ok: false, reason: `bad timestamp '${ts.slice(0, 40)}' (want YYYYMMDDHHMM or YYYYMMDDHHMMSS)` };
  return { ok: true, mrn, time };
}
