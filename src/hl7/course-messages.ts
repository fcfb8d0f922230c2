/**
 * The course's three messages: typed readers (lenient: 12- or 14-digit times, extra segments
 * such as NK1, short MRNs) and builders that reproduce the course generator's bytes exactly:
 * ```
 * ADT^A01  MSH|^~\&|SIMULATION|SOUTH RIVERSIDE|||<t>||ADT^A01|||2.5  PID|1||<mrn>||<NAME>||<YYYYMMDD>|<F|M>
 * ADT^A03  MSH|...|ADT^A03|||2.5  PID|1||<mrn>
 * ORU^R01  MSH|...|ORU^R01|||2.5  PID|1||<mrn>  OBR|1||||||<t>  OBX|1|SN|CREATININE||<value>
 * ```
 */
import { escapeHl7, type Hl7Message } from './message.js';
import { formatHl7Timestamp, parseHl7Timestamp } from './timestamp.js';
import { formatPythonFloat } from './python-float.js';

/** Sending application and facility of the course's generator. */
export const COURSE_SENDER = { application: 'SIMULATION', facility: 'SOUTH RIVERSIDE' } as const;

export type Sex = 'F' | 'M' | 'U';

export interface Admission {
  readonly kind: 'admit';
  readonly mrn: string;
  readonly name: string;
  /** Birth date, ms since epoch (UTC midnight); undefined when PID-7 is empty or unreadable. */
  readonly birthDate: number | undefined;
  readonly sex: Sex;
  /** MSH-7, ms. */
  readonly time: number | undefined;
}

export interface Discharge {
  readonly kind: 'discharge';
  readonly mrn: string;
  readonly time: number | undefined;
}

export interface CreatinineResult {
  readonly kind: 'result';
  readonly mrn: string;
  /** OBR-7, the observation time, ms (the key the course scores on). */
  readonly time: number;
  /** OBR-7 exactly as sent (a page should echo it). */
  readonly timeText: string;
  /** Every creatinine OBX-5 in the message, µmol/L. */
  readonly values: readonly number[];
}

/** A course message, a message of another type (acknowledge and ignore), or a reason it cannot be read. */
export type CourseMessage =
  | Admission
  | Discharge
  | CreatinineResult
  | { readonly kind: 'other'; readonly type: string }
  | {
      readonly kind: 'invalid';
      readonly type: string;
      readonly reason: string;
      /** Why, as a stable code (the reason's wording may change; always set by readCourseMessage). */
      readonly code?: InvalidCode;
    };

/** Why a course message cannot be read: stable codes for counting and dead-letter labels. */
export const InvalidCode = {
  badMrn: 'bad_mrn',
  badTime: 'bad_time',
  badValue: 'bad_value',
  noCreatinine: 'no_creatinine',
  noType: 'no_type',
} as const;
export type InvalidCode = (typeof InvalidCode)[keyof typeof InvalidCode];

/** True for 1 to 20 ASCII digits. */
function isMrn(text: string): boolean {
  if (text.length === 0 || text.length > 20) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function readMrn(message: Hl7Message): string | undefined {
  const pid = message.segment('PID');
  if (!pid) return undefined;
  // PID-3 (patient identifier list); the first repetition's first component.
  const mrn = pid.component(3).trim();
  return isMrn(mrn) ? mrn : undefined;
}

function readSex(text: string): Sex {
  const s = text.trim().toUpperCase();
  return s === 'F' || s === 'M' ? s : 'U';
}

/** A decimal number as Python writes a float (no hex, no `Infinity`, no empty string). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function invalid(type: string, code: InvalidCode, reason: string): CourseMessage {
  return { kind: 'invalid', type, reason, code };
}

/**
 * Reads one of the course's messages by MSH-9. Never throws. `ADT^A04` and `ADT^A08` are read as
 * admissions (they carry the same PID); other types come back as `other` (acknowledge, ignore).
 * An `ORU^R01` needs an MRN, an OBR-7 of at least 12 digits and at least one OBX whose OBX-3 is
 * `CREATININE` with a non-negative number in OBX-5; OBX segments of other tests are skipped.
 */
export function readCourseMessage(message: Hl7Message): CourseMessage {
  const type = message.type;
  switch (type) {
    case 'ADT^A01':
    case 'ADT^A04':
    case 'ADT^A08': {
      const mrn = readMrn(message);
      if (mrn === undefined) return invalid(type, InvalidCode.badMrn, 'missing or non-numeric MRN in PID-3');
      const pid = message.segment('PID');
      return {
        kind: 'admit',
        mrn,
        name: pid?.component(5) ?? '',
        birthDate: parseHl7Timestamp(pid?.component(7) ?? ''),
        sex: readSex(pid?.component(8) ?? ''),
        time: parseHl7Timestamp(message.header.component(7)),
      };
    }
    case 'ADT^A03': {
      const mrn = readMrn(message);
      if (mrn === undefined) return invalid(type, InvalidCode.badMrn, 'missing or non-numeric MRN in PID-3');
      return { kind: 'discharge', mrn, time: parseHl7Timestamp(message.header.component(7)) };
    }
    case 'ORU^R01': {
      const mrn = readMrn(message);
      if (mrn === undefined) return invalid(type, InvalidCode.badMrn, 'missing or non-numeric MRN in PID-3');
      const timeText = message.get('OBR', 7).trim();
      const obsTime = parseHl7Timestamp(timeText, { minDigits: 12 });
      if (obsTime === undefined) return invalid(type, InvalidCode.badTime, `bad observation time '${timeText.slice(0, 20)}' in OBR-7`);
      const values: number[] = [];
      for (const obx of message.segments) {
        if (obx.name !== 'OBX') continue;
        const test = obx.component(3);
        if (test !== 'CREATININE' && test.toUpperCase() !== 'CREATININE') continue;
        const text = obx.component(5).trim();
        const v = DECIMAL.test(text) ? Number(text) : Number.NaN;
        if (!Number.isFinite(v) || v < 0) return invalid(type, InvalidCode.badValue, `bad creatinine value '${text.slice(0, 20)}' in OBX-5`);
        values.push(v);
      }
      if (values.length === 0) return invalid(type, InvalidCode.noCreatinine, 'no creatinine OBX segment');
      return { kind: 'result', mrn, time: obsTime, timeText, values };
    }
    default:
      if (type === '') return invalid(type, InvalidCode.noType, 'empty MSH-9');
      return { kind: 'other', type };
  }
}

function msh(time: number, type: string, controlId: string): string {
  return `MSH|^~\\&|${COURSE_SENDER.application}|${COURSE_SENDER.facility}|||${formatHl7Timestamp(time)}||${type}|${escapeHl7(controlId)}||2.5\r`;
}

export interface AdmitFields {
  readonly time: number;
  readonly mrn: string;
  readonly name: string;
  readonly birthDate: number;
  readonly sex: 'F' | 'M';
  /** MSH-10; empty in the course's data. */
  readonly controlId?: string;
}

/** `ADT^A01` in the course generator's exact bytes. */
export function buildAdmitMessage(f: AdmitFields): string {
  return `${msh(f.time, 'ADT^A01', f.controlId ?? '')}PID|1||${f.mrn}||${escapeHl7(f.name)}||${formatHl7Timestamp(f.birthDate, 8)}|${f.sex}\r`;
}

/** `ADT^A03` in the course generator's exact bytes. */
export function buildDischargeMessage(f: { readonly time: number; readonly mrn: string; readonly controlId?: string }): string {
  return `${msh(f.time, 'ADT^A03', f.controlId ?? '')}PID|1||${f.mrn}\r`;
}

/** `ORU^R01` in the course generator's exact bytes (OBR-7 = MSH-7; the value as Python prints a float). */
export function buildResultMessage(f: { readonly time: number; readonly mrn: string; readonly value: number; readonly controlId?: string }): string {
  return `${msh(f.time, 'ORU^R01', f.controlId ?? '')}PID|1||${f.mrn}\rOBR|1||||||${formatHl7Timestamp(f.time)}\rOBX|1|SN|CREATININE||${formatPythonFloat(f.value)}\r`;
}
