/**
 * Training time on one generated hospital of the default size (~7,300 patients, ~60,000
 * results): the whole of `trainModel` (examples, both families with 3-fold CV and a held-out
 * set, the no-demographics model, the final fits). Data: profile course, seed 77, or a
 * labelled CSV given with --training.
 *
 *   npm run bench -- model-train [-- --training FILE] [--rounds N]
 *
 * Prints wall and CPU seconds per run and their medians (the machine is shared: CPU seconds
 * say what the code costs, wall seconds what a user waits).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePatientCsv } from '../src/aki/dataset.js';
import { trainModel } from '../src/aki/train.js';
import { generate } from '../src/generator/index.js';

const argv = process.argv.slice(2);
const opt = (n: string): string | undefined => (argv.indexOf(n) >= 0 ? argv[argv.indexOf(n) + 1] : undefined);
const rounds = Number(opt('--rounds') ?? 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'swemls-bench-train-'));
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
try {
  let file = opt('--training');
  if (!file) {
    await generate({ profile: 'course', seed: 77, out: work });
    file = path.join(work, 'training.csv');
  }
  const rows = parsePatientCsv(fs.readFileSync(file, 'utf8'), file, { requireLabels: true }).rows;
  const wall: number[] = [];
  const cpu: number[] = [];
  let version = '';
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { file: model, report } = trainModel(rows, { seed: 1 });
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    version = `${model.version} (${report.examples} results, ${report.positives} AKI)`;
    console.log(`run ${r + 1}: wall ${wall[r]!.toFixed(1)} s, CPU ${cpu[r]!.toFixed(1)} s`);
  }
  console.log(`${file === path.join(work, 'training.csv') ? 'generated course seed 77' : file}: ${rows.length} patients → ${version}`);
  console.log(`train: median wall ${median(wall).toFixed(1)} s, median CPU ${median(cpu).toFixed(1)} s over ${rounds} runs`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
