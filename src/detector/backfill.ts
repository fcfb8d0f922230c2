/**
 * Backfill: admissions a system missed during an outage, handed out as batch text — the
 * course's `FSH`/`BSH` header lines or standard `FHS`/`BHS`(/`BTS`/`FTS`), then messages whose
 * segments are separated by newlines, each starting at an `MSH` line. Admissions go into the
 * same store as the stream's (a later admission already stored wins).
 */
import { parseHl7, readCourseMessage, Hl7Error } from '../hl7/index.js';
import { DetectorError, DetectorErrorCode } from './errors.js';
import type { DetectorStore } from './store.js';

const BATCH_HEADERS = new Set(['FSH', 'BSH', 'FHS', 'BHS', 'BTS', 'FTS']);

/** Splits batch text into message texts (segments joined with `\r`). Batch header and trailer lines are dropped. */
export function splitBatchText(text: string): { messages: string[]; headers: string[]; stray: number } {
  const messages: string[] = [];
  const headers: string[] = [];
  let current: string[] | undefined;
  let stray = 0;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    // MLLP framing bytes, if someone framed the file, are not part of the text.
    const line = raw.replaceAll('\u000b', '').replaceAll('\u001c', '').trimEnd();
    if (line === '') continue;
    const name = line.slice(0, 3);
    if (BATCH_HEADERS.has(name) && (line.length === 3 || line[3] === '|')) {
      headers.push(name);
      if (current) messages.push(current.join('\r'));
      current = undefined;
      continue;
    }
    if (name === 'MSH') {
      if (current) messages.push(current.join('\r'));
      current = [line];
    } else if (current) current.push(line);
    else stray++;
  }
  if (current) messages.push(current.join('\r'));
  return { messages, headers, stray };
}

export interface BackfillResult {
  readonly messages: number;
  /** Admissions written (newer than what the store had). */
  readonly admissions: number;
  /** Admissions older than one already stored, left as they were. */
  readonly superseded: number;
  /** Messages of other types (ignored). */
  readonly ignored: number;
  /** Messages that could not be read, with the first few reasons. */
  readonly invalid: number;
  readonly problems: readonly string[];
  readonly headers: readonly string[];
}

/** Loads backfill text into the store in one transaction. Throws `DET_ERR_BACKFILL` when the text holds no message at all. */
export function loadBackfill(store: DetectorStore, text: string): BackfillResult {
  const { messages, headers } = splitBatchText(text);
  if (messages.length === 0) throw new DetectorError(DetectorErrorCode.backfill, 'no HL7 message (no MSH line) in the backfill file');
  let admissions = 0;
  let superseded = 0;
  let ignored = 0;
  let invalid = 0;
  const problems: string[] = [];
  const bad = (i: number, why: string): void => {
    invalid++;
    if (problems.length < 10) problems.push(`message ${i + 1}: ${why}`);
  };
  store.transaction(() => {
    messages.forEach((text, i) => {
      let m;
      try {
        m = readCourseMessage(parseHl7(text));
      } catch (err) {
        if (!(err instanceof Hl7Error)) throw err;
        return bad(i, err.message);
      }
      if (m.kind === 'invalid') return bad(i, m.reason);
      if (m.kind !== 'admit') {
        ignored++;
        return;
      }
      const sex = m.sex === 'F' ? 'f' : m.sex === 'M' ? 'm' : null;
      if (store.putAdmission(m.mrn, m.birthDate ?? null, sex, m.time ?? null)) admissions++;
      else superseded++;
    });
  });
  return { messages: messages.length, admissions, superseded, ignored, invalid, problems, headers };
}
