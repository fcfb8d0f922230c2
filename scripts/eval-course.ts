/**
 * Trains on a course training CSV and evaluates on a labelled course test CSV (row = patient,
 * the question is the row's last result). Paths are arguments: the course files are never
 * committed. Usage:
 *   node --import tsx scripts/eval-course.ts TRAINING.csv TEST.csv [--seed N] [--model FILE]
 * With --model, skips training and evaluates that model file (and the NHS baseline).
 */
import fs from 'node:fs';
import { parsePatientCsv } from '../src/aki/dataset.js';
import { createPatientState, updatePatientState } from '../src/aki/features.js';
import { loadModel, nhsModel, type Model } from '../src/aki/model.js';
import { fbeta, precision, recall } from '../src/aki/score.js';
import { trainModel } from '../src/aki/train.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && (args[i - 1] as string).startsWith('--')));
const [trainingPath, testPath] = positional;
if (!testPath) {
  console.error('usage: eval-course.ts TRAINING.csv TEST.csv [--seed N] [--model FILE]');
  process.exit(2);
}
const seed = Number(opt('--seed') ?? 1);
const test = parsePatientCsv(fs.readFileSync(testPath, 'utf8'), testPath, { requireLabels: true });

function score(model: Model, name: string): void {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const r of test.rows) {
    const s = createPatientState();
    for (let i = 0; i < r.times.length; i++) updatePatientState(s, r.times[i] as number, r.values[i] as number);
    const p = model.predict(s, { age: r.age, sex: r.sex }).aki;
    if (p && r.aki) tp++;
    else if (p) fp++;
    else if (r.aki) fn++;
    else tn++;
  }
  console.log(`${name}: F3 ${fbeta(tp, fp, fn).toFixed(4)} precision ${precision(tp, fp).toFixed(4)} recall ${recall(tp, fn).toFixed(4)} tp ${tp} fp ${fp} fn ${fn} tn ${tn}`);
}

score(nhsModel(), 'nhs');
let model: Model;
const modelPath = opt('--model');
if (modelPath) model = loadModel(fs.readFileSync(modelPath, 'utf8'));
else {
  const training = parsePatientCsv(fs.readFileSync(trainingPath as string, 'utf8'), trainingPath, { requireLabels: true });
  const t0 = performance.now();
  const fam = opt('--family');
  const gb = { rounds: Number(opt('--rounds') ?? 100), depth: Number(opt('--depth') ?? 4), learningRate: Number(opt('--lr') ?? 0.15), minChildWeight: Number(opt('--mcw') ?? 1) };
  const { file } = trainModel(training.rows, {
    seed,
    gbdt: gb,
    ...(fam ? { families: fam.split(',') as Array<'logistic' | 'gbdt'> } : {}),
    log: (m) => console.log(`  ${m}`),
  });
  console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${file.version}`);
  const out = opt('--out');
  if (out) fs.writeFileSync(out, JSON.stringify(file));
  model = loadModel(file);
}
score(model, `${model.kind} ${model.version}`);
const noDemo: Model = { ...model, predict: (s) => model.predict(s, {}) };
score(noDemo, `${model.kind} without age/sex`);
