// Training end to end on small data from the project's own generator: deterministic for a seed
// (in process and through the CLI, byte for byte), and better than the NHS baseline on a
// hospital generated with another seed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseLabelCsv, parsePatientCsv } from '../src/aki/dataset.js';
import { createPatientState, updatePatientState } from '../src/aki/features.js';
import { loadModel, nhsModel, type Model } from '../src/aki/model.js';
import { confusion, confusionFbeta } from '../src/aki/score.js';
import { trainModel } from '../src/aki/train.js';
import { generate } from '../src/generator/index.js';

const run = promisify(execFile);
const bin = path.resolve('bin/swemls.js');
let dir = '';
const small = { population: 1500, days: 60, history: 30, admits: 15 } as const;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swemls-model-train-'));
  await generate({ ...small, profile: 'course', seed: 5, out: path.join(dir, 'train') });
  await generate({ ...small, profile: 'course', seed: 6, out: path.join(dir, 'test') });
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function f3Of(model: Model, testCsv: string, expectedCsv: string): number {
  const rows = parsePatientCsv(fs.readFileSync(testCsv, 'utf8')).rows;
  const expected = parseLabelCsv(fs.readFileSync(expectedCsv, 'utf8'));
  const predicted = rows.map((r) => {
    const s = createPatientState();
    for (let i = 0; i < r.times.length; i++) updatePatientState(s, r.times[i] as number, r.values[i] as number);
    return model.predict(s, { age: r.age, sex: r.sex }).aki;
  });
  return confusionFbeta(confusion(expected, predicted));
}

describe('training', () => {
  it('is deterministic for a seed, in process and through `swemls train`, and beats the NHS baseline on another seed', async () => {
    const trainingCsv = path.join(dir, 'train', 'training.csv');
    const rows = parsePatientCsv(fs.readFileSync(trainingCsv, 'utf8'), trainingCsv, { requireLabels: true }).rows;
    const a = JSON.stringify(trainModel(rows, { seed: 7 }).file) + '\n';
    const b = JSON.stringify(trainModel(rows, { seed: 7 }).file) + '\n';
    assert.equal(a, b);
    const out = path.join(dir, 'model.json');
    const { stdout } = await run(process.execPath, [bin, 'train', '--training', trainingCsv, '--out', out, '--seed', '7', '--quiet']);
    assert.match(stdout, /^trained (gbdt|logistic)-s7-[0-9a-f]{8} on \d+ patients/);
    assert.equal(fs.readFileSync(out, 'utf8'), a);

    const model = loadModel(a);
    const testCsv = path.join(dir, 'test', 'test.csv');
    const expectedCsv = path.join(dir, 'test', 'test.expected.csv');
    const learned = f3Of(model, testCsv, expectedCsv);
    const nhs = f3Of(nhsModel(), testCsv, expectedCsv);
    assert.ok(learned > nhs, `learned F3 ${learned} should beat NHS F3 ${nhs}`);
    assert.ok(learned >= 0.95, `learned F3 ${learned}`);
  });
});
