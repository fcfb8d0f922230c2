/**
 * Prediction throughput of `swemls predict` and the cost of one incremental prediction in the
 * detector's path. Data: a hospital generated with the project's generator (profile course,
 * seed 901, default sizes), or a test CSV given with --input.
 *
 *   npm run bench -- model-predict [-- --input FILE] [--model FILE] [--rounds N]
 *
 * Prints medians over rounds: rows/s of the whole command (read, parse, predict, write; in
 * process, so node start-up is excluded), and of parsing and predicting separately; then the
 * p50/p99 of one `updatePatientState` + `model.predict` on a patient with a realistic history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePatientCsv } from '../src/aki/dataset.js';
import { createPatientState, updatePatientState, type PatientState } from '../src/aki/features.js';
import { loadModel } from '../src/aki/model.js';
import { command as predict } from '../src/cli/predict.js';
import { parseArgs } from '../src/core/config.js';
import { generate } from '../src/generator/index.js';

const argv = process.argv.slice(2);
const opt = (n: string): string | undefined => (argv.indexOf(n) >= 0 ? argv[argv.indexOf(n) + 1] : undefined);
const rounds = Number(opt('--rounds') ?? 7);
const modelPath = path.resolve(opt('--model') ?? 'models/default.json');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'swemls-bench-predict-'));
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;

try {
  let input = opt('--input');
  if (!input) {
    await generate({ profile: 'course', seed: 901, out: work });
    input = path.join(work, 'test.csv');
  }
  const text = fs.readFileSync(input, 'utf8');
  const rowsInFile = parsePatientCsv(text).rows.length;
  const out = path.join(work, 'aki.csv');
  const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: process.cwd() };
  const args = parseArgs(predict.spec, ['--model', modelPath, '--input', input, '--output', out]);
  const whole: number[] = [];
  const parse: number[] = [];
  const infer: number[] = [];
  const wholeCpu: number[] = [];
  const cpuSecs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;
  const model = loadModel(fs.readFileSync(modelPath, 'utf8'));
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    const c0 = process.cpuUsage();
    await predict.run(args, io);
    whole.push(rowsInFile / ((performance.now() - t) / 1000));
    wholeCpu.push(rowsInFile / cpuSecs(process.cpuUsage(c0)));
    t = performance.now();
    const table = parsePatientCsv(text);
    parse.push(rowsInFile / ((performance.now() - t) / 1000));
    t = performance.now();
    let positives = 0;
    for (const row of table.rows) {
      const s = createPatientState();
      for (let i = 0; i < row.times.length; i++) updatePatientState(s, row.times[i] as number, row.values[i] as number);
      if (model.predict(s, { age: row.age, sex: row.sex }).aki) positives++;
    }
    infer.push(rowsInFile / ((performance.now() - t) / 1000));
    if (positives === 0) throw new Error('no positives: wrong data?');
  }
  console.log(`input ${input === path.join(work, 'test.csv') ? 'generated course seed 901 test.csv' : input}: ${rowsInFile} rows, ${(text.length / 1e6).toFixed(1)} MB; model ${model.version}; ${rounds} rounds`);
  console.log(`swemls predict (in process): median ${Math.round(median(whole))} rows/s (min ${Math.round(Math.min(...whole))}, max ${Math.round(Math.max(...whole))})`);
  console.log(`swemls predict per CPU second (user+system, less sensitive to other load): median ${Math.round(median(wholeCpu))} rows/s`);
  console.log(`  parse only: median ${Math.round(median(parse))} rows/s; state + predict only: median ${Math.round(median(infer))} rows/s`);

  // One incremental prediction: a patient with 20 earlier results, then update + predict.
  const base: PatientState = createPatientState();
  const t0 = Date.UTC(2024, 5, 1);
  for (let i = 0; i < 20; i++) updatePatientState(base, t0 + i * 6 * 3_600_000, 90 + (i % 7));
  const snapshot = JSON.stringify(base);
  const n = 20_000;
  const times = new Float64Array(n);
  let sink = 0;
  for (let k = 0; k < n; k++) {
    const s = JSON.parse(snapshot) as PatientState; // outside the timed part
    const a = performance.now();
    updatePatientState(s, t0 + 200 * 3_600_000, 100 + (k % 150));
    sink += model.predict(s, { age: 40 + (k % 40), sex: k % 2 ? 'm' : 'f' }).score;
    times[k] = (performance.now() - a) * 1000;
  }
  times.sort();
  console.log(`one update + predict (20 earlier results): p50 ${times[n >> 1]!.toFixed(2)} µs, p99 ${times[Math.floor(n * 0.99)]!.toFixed(2)} µs (checksum ${sink.toFixed(3)})`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
