/**
 * Parse throughput for a course ORU^R01: parse the bytes as they come out of the MLLP decoder
 * and read MRN (PID-3), OBR-7 and OBX-5. Also the full typed reader (`readCourseMessage`, which
 * also validates and parses the timestamp) and, for scale, a bare split on `\r` and `|`.
 *
 *   node --import tsx bench/hl7-parse.ts [--n 200000] [--rounds 7]
 */
import { parseHl7 } from '../src/hl7/message.js';
import { buildResultMessage, readCourseMessage } from '../src/hl7/course-messages.js';
import { parseArgs } from 'node:util';
import os from 'node:os';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '7' } } });
const N = Number(values.n);
const ROUNDS = Number(values.rounds);

// A course-shaped ORU^R01 (values of our own), as bytes, as the decoder hands them over.
const text = buildResultMessage({ time: Date.UTC(2024, 1, 17, 22, 37, 7), mrn: '531904276', value: 95.07289465459068 });
const bytes = Buffer.from(text, 'latin1');
// A few distinct buffers, so nothing can be cached on one object.
const inputs = Array.from({ length: 64 }, (_, k) => Buffer.from(text.replace('531904276', String(531904000 + k)), 'latin1'));

let sink = 0;

function viaModel(): void {
  for (let i = 0; i < N; i++) {
    const m = parseHl7(inputs[i & 63] as Buffer);
    const mrn = m.get('PID', 3);
    const t = m.get('OBR', 7);
    const v = m.get('OBX', 5);
    sink += mrn.length + t.length + v.length;
  }
}

function viaReader(): void {
  for (let i = 0; i < N; i++) {
    const r = readCourseMessage(parseHl7(inputs[i & 63] as Buffer));
    if (r.kind === 'result') sink += r.values.length + r.time;
  }
}

function bareSplit(): void {
  for (let i = 0; i < N; i++) {
    const segs = (inputs[i & 63] as Buffer).toString('latin1').split('\r');
    let mrn = '';
    let t = '';
    let v = '';
    for (const s of segs) {
      const f = s.split('|');
      if (f[0] === 'PID') mrn = f[3] ?? '';
      else if (f[0] === 'OBR') t = f[7] ?? '';
      else if (f[0] === 'OBX') v = f[5] ?? '';
    }
    sink += mrn.length + t.length + v.length;
  }
}

const cases: [string, () => void][] = [
  ['parseHl7 + PID-3, OBR-7, OBX-5', viaModel],
  ['parseHl7 + readCourseMessage', viaReader],
  ['bare split on \\r and | (reference)', bareSplit],
];

const results = new Map<string, number[]>(cases.map(([name]) => [name, []]));
// Rate per second of this process's CPU time: steadier than wall time when other processes
// share the 2 cores (the wall-clock rate then counts time the process was not running).
const cpuResults = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (const [, fn] of cases) fn(); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of cases) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const c1 = process.cpuUsage(c0);
    results.get(name)?.push(N / s);
    cpuResults.get(name)?.push(N / ((c1.user + c1.system) / 1e6));
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
console.log(`# hl7-parse: ${bytes.length}-byte ORU^R01, N=${N} per round, ${ROUNDS} rounds interleaved, ${os.cpus().length} cores, node ${process.version}`);
console.log(`# load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('| case | median msg/s (wall) | µs/msg | min–max msg/s | median msg per CPU-second |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, xs] of results) {
  const m = median(xs);
  const c = median(cpuResults.get(name) ?? []);
  console.log(`| ${name} | ${Math.round(m).toLocaleString('en')} | ${(1e6 / m).toFixed(2)} | ${Math.round(Math.min(...xs)).toLocaleString('en')}–${Math.round(Math.max(...xs)).toLocaleString('en')} | ${Math.round(c).toLocaleString('en')} |`);
}
if (sink === 42) console.log('');
