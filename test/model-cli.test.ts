// `swemls predict` and `swemls score` as processes, on hand-written fixtures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = path.resolve('bin/swemls.js');
const fixtures = path.resolve('test/fixtures/model');
const tmp = (name: string): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'swemls-model-cli-')), name);

async function swemls(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('swemls predict', () => {
  for (const input of ['ragged.csv', 'crlf-bom.csv', 'no-labels.csv']) {
    for (const model of ['nhs', 'default']) {
      it(`writes one aki column for ${input} with the ${model} model`, async () => {
        const out = tmp('aki.csv');
        const r = await swemls(['predict', '--model', model, '--input', path.join(fixtures, input), '--output', out]);
        assert.equal(r.code, 0, r.stderr);
        // Rows 2 and 4 more than double within days; rows 1 and 3 are stable or single.
        assert.equal(fs.readFileSync(out, 'utf8'), 'aki\nn\ny\nn\ny\n');
        assert.match(r.stderr, /predicted 4 rows with (nhs|gbdt|logistic) /);
      });
    }
  }

  it('fails with an error naming the file and line of a bad row, and writes nothing', async () => {
    const out = tmp('aki.csv');
    const r = await swemls(['predict', '--model', 'nhs', '--input', path.join(fixtures, 'bad-date.csv'), '--output', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AKI_ERR_BAD_CSV: .*bad-date\.csv:3: creatinine_date_1 '2024-04-05 1100'/);
    assert.equal(fs.existsSync(out), false);
  });

  it('fails clearly on a model file that is not one', async () => {
    const model = tmp('model.json');
    fs.writeFileSync(model, '{"format":"something-else"}');
    const r = await swemls(['predict', '--model', model, '--input', path.join(fixtures, 'ragged.csv'), '--output', tmp('aki.csv')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AKI_ERR_BAD_MODEL: not a valid model file: format/);
  });
});

describe('swemls score', () => {
  it('prints F3 and the confusion counts for the model, an arbitrary guess and a perfect model', async () => {
    const expected = tmp('expected.csv');
    const predictions = tmp('aki.csv');
    // expected y y y n n n n; predicted y y n y n n n → tp 2, fn 1, fp 1, tn 3
    fs.writeFileSync(expected, 'aki\ny\ny\ny\nn\nn\nn\nn\n');
    fs.writeFileSync(predictions, 'aki\r\ny\r\ny\r\nn\r\ny\r\nn\r\nn\r\nn\r\n');
    const r = await swemls(['score', '--expected', expected, '--predictions', predictions]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    // P = R = 2/3 → F3 = 2/3
    assert.equal(lines[0], 'model: f3: 0.66667 tp: 2 tn: 3 fp: 1 fn: 1 precision: 0.66667 recall: 0.66667');
    assert.match(lines[1] ?? '', /^arbitrary: f3: [01]\.\d{5} tp: \d+ tn: \d+ fp: \d+ fn: \d+ /);
    assert.equal(lines[2], 'perfect: f3: 1.00000 tp: 3 tn: 4 fp: 0 fn: 0 precision: 1.00000 recall: 1.00000');
  });

  it('scores against a labelled test file and refuses files that do not pair up', async () => {
    const r = await swemls(['score', '--expected', path.join(fixtures, 'ragged.csv'), '--predictions', path.join(fixtures, 'expected.csv')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^model: f3: 1\.00000 tp: 2 tn: 2 fp: 0 fn: 0/);
    const short = tmp('aki.csv');
    fs.writeFileSync(short, 'aki\ny\n');
    const bad = await swemls(['score', '--expected', path.join(fixtures, 'expected.csv'), '--predictions', short]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /has 1 rows but .* has 4/);
  });
});
