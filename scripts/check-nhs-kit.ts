/**
 * Checks `nhsAki` against the course kit's own output: replays a kit data folder (history.csv,
 * messages.mllp, aki.csv) and compares our NHS verdict on every streamed result with the kit's
 * `nhs` column. Usage: node --import tsx scripts/check-nhs-kit.ts DIR   (e.g. the kit-seed3 folder)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCsvDate } from '../src/aki/dataset.js';
import { nhsAki } from '../src/aki/nhs.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: check-nhs-kit.ts DIR');
  process.exit(2);
}
const EPOCH = Date.UTC(2024, 0, 1);
const hl7Time = (s: string): number => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +(s.slice(12, 14) || 0));
const results = new Map<string, { t: number[]; v: number[] }>();
const people = new Map<string, { age: number; sex: 'm' | 'f' }>();
const hist = fs.readFileSync(path.join(dir, 'history.csv'), 'utf8').split(/\r?\n/).slice(1).filter(Boolean);
for (const line of hist) {
  const c = line.split(',');
  const r = { t: [] as number[], v: [] as number[] };
  for (let i = 1; i + 1 < c.length; i += 2) {
    if (!c[i]) continue;
    r.t.push(parseCsvDate(c[i] as string));
    r.v.push(Number(c[i + 1]));
  }
  results.set(c[0] as string, r);
}
const expected = new Map<string, boolean>();
for (const line of fs.readFileSync(path.join(dir, 'aki.csv'), 'utf8').split(/\r?\n/).slice(1).filter(Boolean)) {
  const [mrn, date, , nhs] = line.split(',');
  expected.set(`${mrn},${date}`, nhs === 'y');
}
const text = fs.readFileSync(path.join(dir, 'messages.mllp'), 'latin1');
let agree = 0;
let disagree = 0;
let flagged = 0;
for (const frame of text.split('\x1c\r')) {
  const segs = frame.replace('\x0b', '').split('\r');
  const msh = segs[0]?.split('|') ?? [];
  const pid = segs.find((s) => s.startsWith('PID'))?.split('|') ?? [];
  const mrn = pid[3] ?? '';
  if (msh[8] === 'ADT^A01') {
    const b = pid[7] ?? '';
    const days = Math.floor((EPOCH - Date.UTC(+b.slice(0, 4), +b.slice(4, 6) - 1, +b.slice(6, 8))) / 86_400_000);
    people.set(mrn, { age: Math.floor(days / 365), sex: pid[8] === 'M' ? 'm' : 'f' });
  } else if (msh[8] === 'ORU^R01') {
    const t = hl7Time(segs.find((s) => s.startsWith('OBR'))?.split('|')[7] ?? '');
    const v = Number(segs.find((s) => s.startsWith('OBX'))?.split('|')[5]);
    const r = results.get(mrn) ?? { t: [], v: [] };
    r.t.push(t);
    r.v.push(v);
    results.set(mrn, r);
    const p = people.get(mrn);
    if (!p) throw new Error(`no admission seen for ${mrn}`);
    const ours = nhsAki(p.age, p.sex, r.t, r.v);
    const key = `${mrn},${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}`;
    const kit = expected.get(key) ?? false;
    if (ours) flagged++;
    if (ours === kit) agree++;
    else {
      disagree++;
      console.log(`disagree at ${key}: ours ${ours}, kit ${kit}`);
    }
  }
}
console.log(`${agree + disagree} streamed results: ${agree} agree, ${disagree} disagree; we flag ${flagged}`);
process.exitCode = disagree === 0 ? 0 : 1;
