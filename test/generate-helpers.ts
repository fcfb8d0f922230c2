/** Readers for the generator's output files, written independently of the generator's code. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const EPOCH = Date.UTC(2024, 0, 1);
export const DAY = 86_400_000;

export interface Msg {
  type: 'ADT^A01' | 'ADT^A03' | 'ORU^R01';
  time: number;
  mrn: string;
  text: string;
  value?: number;
  valueText?: string;
  birth?: number;
  name?: string;
  sex?: string;
}

function ts(t: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?$/.exec(t);
  if (!m) throw new Error(`bad HL7 time ${t}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}

const A01 = /^MSH\|\^~\\&\|SIMULATION\|SOUTH RIVERSIDE\|\|\|(\d{14})\|\|ADT\^A01\|\|\|2\.5\rPID\|1\|\|(\d{9})\|\|([A-Z' -]+ [A-Z' -]+)\|\|(\d{8})\|([FM])\r$/;
const A03 = /^MSH\|\^~\\&\|SIMULATION\|SOUTH RIVERSIDE\|\|\|(\d{14})\|\|ADT\^A03\|\|\|2\.5\rPID\|1\|\|(\d{9})\r$/;
const ORU = /^MSH\|\^~\\&\|SIMULATION\|SOUTH RIVERSIDE\|\|\|(\d{14})\|\|ORU\^R01\|\|\|2\.5\rPID\|1\|\|(\d{9})\rOBR\|1\|\|\|\|\|\|(\d{14})\rOBX\|1\|SN\|CREATININE\|\|([0-9.e+-]+)\r$/;

/** Splits messages.mllp into frames, checking the framing strictly (nothing between frames). */
export function readMessages(file: string): Msg[] {
  const data = readFileSync(file);
  const out: Msg[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] !== 0x0b) throw new Error(`byte ${i}: expected 0x0B`);
    const end = data.indexOf(0x1c, i + 1);
    if (end < 0 || data[end + 1] !== 0x0d) throw new Error(`byte ${i}: unterminated frame`);
    const text = data.subarray(i + 1, end).toString('latin1');
    for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) > 0x7e || (text.charCodeAt(k) < 0x20 && text[k] !== '\r')) throw new Error('non-ASCII byte');
    let m: RegExpExecArray | null;
    if ((m = A01.exec(text))) out.push({ type: 'ADT^A01', time: ts(m[1] as string), mrn: m[2] as string, name: m[3] as string, birth: ts(m[4] as string), sex: m[5] as string, text });
    else if ((m = A03.exec(text))) out.push({ type: 'ADT^A03', time: ts(m[1] as string), mrn: m[2] as string, text });
    else if ((m = ORU.exec(text))) {
      if (m[1] !== m[3]) throw new Error('OBR-7 differs from MSH-7');
      out.push({ type: 'ORU^R01', time: ts(m[1] as string), mrn: m[2] as string, value: Number(m[4]), valueText: m[4] as string, text });
    } else throw new Error(`unexpected message shape: ${JSON.stringify(text)}`);
    i = end + 2;
  }
  return out;
}

export interface Csv {
  header: string[];
  rows: string[][];
  raw: string;
}

/** Reads a CSV written with CRLF line ends (fails on a bare LF). */
export function readCsv(file: string): Csv {
  const raw = readFileSync(file, 'latin1');
  if (!raw.endsWith('\r\n')) throw new Error(`${path.basename(file)}: last line does not end in CRLF`);
  const lines = raw.slice(0, -2).split('\r\n');
  for (const l of lines) if (l.includes('\n') || l.includes('\r')) throw new Error(`${path.basename(file)}: a line does not end in CRLF`);
  const [head, ...rest] = lines;
  return { header: (head as string).split(','), rows: rest.map((l) => l.split(',')), raw };
}

export function csvDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):00$/.exec(text);
  if (!m) throw new Error(`bad CSV date '${text}'`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}

/** The (date, value) pairs of a row from column `first`, stopping at the padding. */
export function pairs(row: readonly string[], first: number): { time: number; value: number; text: string }[] {
  const out: { time: number; value: number; text: string }[] = [];
  for (let j = first; j < row.length; j += 2) {
    if (row[j] === '') {
      for (let k = j; k < row.length; k++) if (row[k] !== '') throw new Error('value after padding');
      break;
    }
    out.push({ time: csvDate(row[j] as string), value: Number(row[j + 1]), text: row[j + 1] as string });
  }
  return out;
}

export function expectedHeader(prefix: string[], n: number): string[] {
  const h = [...prefix];
  for (let i = 0; i < n; i++) h.push(`creatinine_date_${i}`, `creatinine_result_${i}`);
  return h;
}

export function ageAt(birth: number): number {
  return Math.floor(Math.round((EPOCH - birth) / DAY) / 365);
}

export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
