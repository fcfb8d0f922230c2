/**
 * Reproduces models/default.json: generates training data with the project's own generator
 * (a mixture of the `course` and `kit` profiles, several seeds, default sizes), trains on all
 * of it with a fixed seed and writes the model. Deterministic: the same code gives the same file.
 *
 *   npm run train:default                # writes models/default.json
 *   npm run train:default -- --out FILE  # somewhere else
 *
 * Evaluation seeds 901 (course) and 902 (kit) are never used here (docs/model.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePatientCsv, type PatientRow } from '../src/aki/dataset.js';
import { trainModel } from '../src/aki/train.js';
import { generate } from '../src/generator/index.js';

/** The training mixture: profile and seed of each generated hospital (defaults otherwise). */
export const DEFAULT_MIXTURE: ReadonlyArray<{ profile: 'course' | 'kit'; seed: number }> = [
  { profile: 'course', seed: 11 },
  { profile: 'course', seed: 12 },
  { profile: 'course', seed: 13 },
  { profile: 'kit', seed: 21 },
  { profile: 'kit', seed: 22 },
];
/** The training seed of the default model. */
export const DEFAULT_TRAIN_SEED = 1;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = path.resolve(outIdx >= 0 && args[outIdx + 1] ? (args[outIdx + 1] as string) : path.join(root, 'models/default.json'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'swemls-train-default-'));
try {
  const rows: PatientRow[] = [];
  const sources: string[] = [];
  for (const { profile, seed } of DEFAULT_MIXTURE) {
    const dir = path.join(work, `${profile}-${seed}`);
    const summary = await generate({ profile, seed, out: dir });
    const file = path.join(dir, 'training.csv');
    const table = parsePatientCsv(fs.readFileSync(file, 'utf8'), file, { requireLabels: true });
    for (const r of table.rows) rows.push(r);
    const source = `swemls generate --profile ${profile} --seed ${seed} (days ${summary.days}, history ${summary.history}): ${table.rows.length} patients`;
    sources.push(source);
    console.log(source);
  }
  const t0 = performance.now();
  const { file, report } = trainModel(rows, { seed: DEFAULT_TRAIN_SEED, sources, log: (m) => console.log(m) });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(file) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), out)}: ${file.version}, ${report.patients} patients, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
