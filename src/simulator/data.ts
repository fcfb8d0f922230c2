/**
 * The simulator's inputs: the MLLP file of messages to replay and the AKI file that scores pages.
 * Both are read once at start-up into plain arrays and maps (the hot replay loop only indexes them).
 */
import fs from 'node:fs';
import { parseHl7, parseHl7Timestamp, readMllpFile, encodeFrame } from '../hl7/index.js';
import { SimulatorError, SimulatorErrorCode } from './errors.js';

/** A result's identity: MRN (canonical), observation time (ms) and the pair key `mrn@time`. */
export interface ResultKey {
  readonly mrn: string;
  readonly time: number;
  readonly key: string;
}

/** The exact scoring's key of an (MRN, observation time) pair. */
export const pairKey = (mrn: string, time: number): string => `${mrn}@${time}`;

/** One message of the replay, with what scoring needs precomputed. */
export interface ReplayMessage {
  readonly index: number;
  /** The MLLP frame written to the wire (may be a post-processed, corrupted version). */
  readonly frame: Buffer;
  /** The original payload (scoring always uses the original). */
  readonly payload: Buffer;
  /** MSH-7, ms (NaN when unreadable). */
  readonly mshTime: number;
  /** MSH-7 as written. */
  readonly mshTimeText: string;
  /** MSH-10 ('' when empty). */
  readonly controlId: string;
  /** MSH-9. */
  readonly type: string;
  /** For a creatinine result (ORU^R01 with OBR-7): its MRN key, observation time and pair key. */
  readonly result: ResultKey | null;
}

export interface LoadedMessages {
  readonly messages: readonly ReplayMessage[];
  /** 07:00 UTC on the MSH-7 date of the first message that has an OBR-7 (else the first MSH-7). */
  readonly startSimulatedTime: number;
}

/**
 * The reference keys MRNs as integers: `+123` and `0123` are 123. Returns the canonical decimal
 * text, or undefined when the text is not an integer that fits in a signed 64-bit int.
 */
export function canonicalMrn(text: string): string | undefined {
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (!m) return undefined;
  const digits = (m[2] as string).replace(/^0+(?=\d)/, '');
  const neg = m[1] === '-' && digits !== '0';
  if (digits.length > 19) return undefined;
  const big = BigInt(digits);
  if (neg ? big > 9223372036854775808n : big > 9223372036854775807n) return undefined;
  return neg ? `-${digits}` : digits;
}

function describe(payload: Buffer, index: number, sent: Buffer): ReplayMessage {
  let mshTime = Number.NaN;
  let mshTimeText = '';
  let controlId = '';
  let type = '';
  let result: ReplayMessage['result'] = null;
  try {
    const msg = parseHl7(payload);
    mshTimeText = msg.header.component(7);
    mshTime = parseHl7Timestamp(mshTimeText) ?? Number.NaN;
    controlId = msg.controlId;
    type = msg.type;
    const obr7 = msg.get('OBR', 7).trim();
    if (obr7 !== '') {
      const t = parseHl7Timestamp(obr7);
      const mrn = canonicalMrn(msg.get('PID', 3).trim());
      if (t !== undefined && mrn !== undefined && type === 'ORU^R01') result = { mrn, time: t, key: pairKey(mrn, t) };
    }
  } catch {
    // A message we cannot parse is still replayed as it is; it just never scores.
  }
  return { index, frame: encodeFrame(sent), payload, mshTime, mshTimeText, controlId, type, result };
}

const DAY = 86_400_000;

/** Reads the MLLP file (and the optional post-processed twin). Throws SIM_ERR_INPUT on problems. */
export function loadMessages(file: string, postProcessed?: string): LoadedMessages {
  let frames: Buffer[];
  try {
    frames = readMllpFile(file, { maxFrameBytes: 64 * 1024 * 1024 }).frames;
  } catch (err) {
    throw new SimulatorError(SimulatorErrorCode.input, `cannot read messages file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (frames.length === 0) throw new SimulatorError(SimulatorErrorCode.input, `no messages in ${file}`);
  let sent = frames;
  if (postProcessed) {
    try {
      sent = readMllpFile(postProcessed, { maxFrameBytes: 64 * 1024 * 1024 }).frames;
    } catch (err) {
      throw new SimulatorError(SimulatorErrorCode.input, `cannot read post-processed messages ${postProcessed}: ${(err as Error).message}`, { cause: err });
    }
    if (sent.length !== frames.length) {
      throw new SimulatorError(SimulatorErrorCode.input, `${postProcessed} has ${sent.length} messages, ${file} has ${frames.length}: they must match`);
    }
  }
  const messages = frames.map((p, i) => describe(p, i, sent[i] as Buffer));
  let anchor = messages.find((m) => m.result !== null && Number.isFinite(m.mshTime))?.mshTime;
  if (anchor === undefined) anchor = messages.find((m) => Number.isFinite(m.mshTime))?.mshTime ?? 0;
  const startSimulatedTime = Math.floor(anchor / DAY) * DAY + 7 * 3_600_000;
  return { messages, startSimulatedTime };
}

/** The expected AKIs, as the reference keeps them, plus every row for the exact scoring. */
export interface AkiTable {
  /** MRN → time of its last `aki=y` row (the reference's key). */
  readonly akiTime: ReadonlyMap<string, number>;
  /** MRN → time of its last `nhs=y` row. */
  readonly nhsTime: ReadonlyMap<string, number>;
  /** Every row, for the exact scoring. */
  readonly rows: readonly { readonly mrn: string; readonly time: number; readonly aki: boolean; readonly nhs: boolean }[];
  /** The reference's start-up "NHS f3" (over every row). */
  readonly startupNhsF3: number;
}

function truthy(v: string | undefined): boolean {
  return v === 'y' || v === '1';
}

/** Parses the AKI CSV: `mrn,date` (course format: every row an AKI) or `mrn,date,aki,nhs` (generator). */
export function parseAkiCsv(text: string, source = 'akis'): AkiTable {
  const lines = text.split(/\r?\n/);
  const problems: string[] = [];
  const header = (lines[0] ?? '').split(',').map((s) => s.trim().toLowerCase());
  const hasHeader = header[0] === 'mrn';
  const col = (name: string, fallback: number): number => (hasHeader ? header.indexOf(name) : fallback);
  const iMrn = col('mrn', 0);
  const iDate = hasHeader ? (header.indexOf('date') >= 0 ? header.indexOf('date') : 1) : 1;
  const iAki = hasHeader ? header.indexOf('aki') : -1;
  const iNhs = hasHeader ? header.indexOf('nhs') : -1;
  const akiTime = new Map<string, number>();
  const nhsTime = new Map<string, number>();
  const rows: { mrn: string; time: number; aki: boolean; nhs: boolean }[] = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let n = hasHeader ? 1 : 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const mrn = canonicalMrn((cells[iMrn] ?? '').trim());
    const dateText = (cells[iDate] ?? '').trim();
    const dm = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(dateText);
    const time = dm ? Date.UTC(Number(dm[1]), Number(dm[2]) - 1, Number(dm[3]), Number(dm[4]), Number(dm[5]), Number(dm[6] ?? 0)) : parseHl7Timestamp(dateText);
    if (mrn === undefined || time === undefined || Number.isNaN(time)) {
      if (problems.length < 10) problems.push(`${source} line ${n + 1}: cannot read '${line.slice(0, 60)}'`);
      continue;
    }
    const aki = iAki < 0 ? true : truthy(cells[iAki]?.trim());
    const nhs = iNhs < 0 ? false : truthy(cells[iNhs]?.trim());
    rows.push({ mrn, time, aki, nhs });
    if (aki) akiTime.set(mrn, time);
    if (nhs) nhsTime.set(mrn, time);
    if (aki && nhs) tp++;
    else if (nhs) fp++;
    else if (aki) fn++;
  }
  if (problems.length) throw new SimulatorError(SimulatorErrorCode.input, problems.join('; '));
  return { akiTime, nhsTime, rows, startupNhsF3: f3(tp, fp, fn) };
}

/** Reads the AKI file. */
export function loadAkis(file: string): AkiTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (err) {
    throw new SimulatorError(SimulatorErrorCode.input, `cannot read AKI file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseAkiCsv(text, file);
}

/**
 * The reference's F3: 10·P·R / (9·P + R), 0 when P and R are both 0, with precision 0 when
 * TP+FP = 0 and recall 0 when TP+FN = 0 (counts may be negative in the compatible scoring).
 */
export function f3(tp: number, fp: number, fn: number): number {
  const p = tp + fp === 0 ? 0 : tp / (tp + fp);
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  if (p === 0 && r === 0) return 0;
  const d = 9 * p + r;
  return d === 0 ? 0 : (10 * p * r) / d;
}
