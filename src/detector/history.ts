/**
 * `history.csv` (`mrn,creatinine_date_0,creatinine_result_0,...`, dates `YYYY-MM-DD HH:MM:SS`
 * in UTC, rows ragged or padded with empty cells, CRLF or LF, an optional BOM): read into the
 * store on first start only, as results and per-patient model state. Cells that cannot be read
 * are skipped and counted; what was good is kept.
 */
import { readFileSync, statSync } from 'node:fs';
import { createPatientState, updatePatientState } from '../aki/index.js';
import { DetectorError, DetectorErrorCode } from './errors.js';
import type { DetectorStore } from './store.js';

/** The meta key marking that history was loaded (its value says from what). */
export const HISTORY_META_KEY = 'history_loaded';

const DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** Parses `YYYY-MM-DD HH:MM[:SS]` as UTC ms, or undefined. */
export function parseHistoryDate(text: string): number | undefined {
  const m = DATE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(t).getUTCDate() === d ? t : undefined;
}

export interface HistoryRows {
  /** Results per MRN (unsorted, as read). */
  readonly patients: Map<string, { time: number; value: number }[]>;
  readonly results: number;
  /** Cells or rows skipped, with the first few reasons. */
  readonly skipped: number;
  readonly problems: readonly string[];
}

/** Reads history CSV text. Never throws on content: unreadable rows and cells are skipped and counted. */
export function parseHistoryCsv(text: string): HistoryRows {
  const patients = new Map<string, { time: number; value: number }[]>();
  let results = 0;
  let skipped = 0;
  const problems: string[] = [];
  const note = (p: string): void => {
    skipped++;
    if (problems.length < 10) problems.push(p);
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const cells = line.split(',');
    const mrn = (cells[0] as string).trim();
    if (i === 0 && mrn.toLowerCase() === 'mrn') continue;
    if (!/^\d{1,20}$/.test(mrn)) {
      note(`line ${i + 1}: bad MRN '${mrn.slice(0, 20)}'`);
      continue;
    }
    let list = patients.get(mrn);
    if (!list) patients.set(mrn, (list = []));
    for (let c = 1; c < cells.length; c += 2) {
      const dateText = (cells[c] ?? '').trim();
      const valueText = (cells[c + 1] ?? '').trim();
      if (dateText === '' && valueText === '') continue;
      const time = parseHistoryDate(dateText);
      const value = valueText === '' ? Number.NaN : Number(valueText);
      if (time === undefined || !Number.isFinite(value) || value < 0) {
        note(`line ${i + 1}: unreadable result '${dateText.slice(0, 25)}','${valueText.slice(0, 20)}'`);
        continue;
      }
      list.push({ time, value });
      results++;
    }
  }
  return { patients, results, skipped, problems };
}

export interface HistoryLoad {
  /** False when history had already been loaded by an earlier start. */
  readonly loaded: boolean;
  readonly patients: number;
  readonly results: number;
  readonly skipped: number;
  readonly problems: readonly string[];
}

/** Loads history text into the store in one transaction, unless history was loaded before. */
export function loadHistoryText(store: DetectorStore, text: string, source: string, now: number): HistoryLoad {
  if (store.getMeta(HISTORY_META_KEY) !== undefined) return { loaded: false, patients: 0, results: 0, skipped: 0, problems: [] };
  const rows = parseHistoryCsv(text);
  store.transaction(() => {
    for (const [mrn, list] of rows.patients) {
      let fresh = 0;
      for (const r of list) if (store.insertResult(mrn, r.time, r.value, 'history', now)) fresh++;
      if (fresh === 0 && list.length > 0) continue;
      // Rebuild the state from everything stored for the patient, in time order (the stream may have come first).
      const all = store.getPatient(mrn)?.state ? store.resultsOf(mrn) : [...list].sort((a, b) => a.time - b.time);
      const state = createPatientState();
      let last = Number.NEGATIVE_INFINITY;
      for (const r of all) {
        if (r.time === last) continue; // a duplicate within the file: the first is kept, as in the store
        last = r.time;
        updatePatientState(state, r.time, r.value);
      }
      if (state.n > 0) store.putState(mrn, JSON.stringify(state));
    }
    store.setMeta(HISTORY_META_KEY, JSON.stringify({ source, patients: rows.patients.size, results: rows.results, skipped: rows.skipped, at: now }));
  });
  return { loaded: true, patients: rows.patients.size, results: rows.results, skipped: rows.skipped, problems: rows.problems };
}

/** Loads a history file (see `loadHistoryText`). Throws `DET_ERR_HISTORY` when the file cannot be read. */
export function loadHistoryFile(store: DetectorStore, path: string, now: number): HistoryLoad {
  if (store.getMeta(HISTORY_META_KEY) !== undefined) return { loaded: false, patients: 0, results: 0, skipped: 0, problems: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DetectorError(DetectorErrorCode.history, `cannot read history ${path}: ${(err as Error).message}`, { cause: err });
  }
  return loadHistoryText(store, text, `${path} (${statSync(path).size} bytes)`, now);
}
