/**
 * The statistical shape of a year (default options). Range assertions compare with the course
 * kit's own run (seed 7: 60,402 ORU^R01, 11,964 ADT^A01, 10,816 ADT^A03, 1,526 AKIs, 7,328 training
 * rows, NHS F3 0.924) and with the real 2025 course data's figures (NHS F3 on training.csv 0.822,
 * 20.8% AKI rows); exact assertions pin our own seeded output.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate, loadProfile, type GenerateSummary } from '../src/generator/index.js';
import { DAY, EPOCH, medianOf, pairs, readCsv } from './generate-helpers.js';

const KIT_REFERENCE = { oru: 60_402, a01: 11_964, a03: 10_816, akis: 1_526, trainingRows: 7_328 };
const within10 = (got: number, want: number): boolean => Math.abs(got - want) <= 0.1 * want;

let root: string;
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'swemls-year-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('a year with --profile kit', () => {
  let s: GenerateSummary;
  before(async () => {
    s = await generate({ seed: 1, out: path.join(root, 'kit') });
  });

  it('is within ±10% of the kit on every count, with NHS F3 in 0.88–0.96', () => {
    const m = s.messages;
    assert.ok(within10(m['ORU^R01'], KIT_REFERENCE.oru), `ORU ${m['ORU^R01']}`);
    assert.ok(within10(m['ADT^A01'], KIT_REFERENCE.a01), `A01 ${m['ADT^A01']}`);
    assert.ok(within10(m['ADT^A03'], KIT_REFERENCE.a03), `A03 ${m['ADT^A03']}`);
    assert.ok(within10(s.akis, KIT_REFERENCE.akis), `AKIs ${s.akis}`);
    assert.ok(within10(s.trainingRows, KIT_REFERENCE.trainingRows), `training rows ${s.trainingRows}`);
    assert.ok(s.nhs.f3 >= 0.88 && s.nhs.f3 <= 0.96, `F3 ${s.nhs.f3}`);
  });

  it('settles around 1,000 inpatients (boundary admissions) and drops few tests', () => {
    assert.ok(s.boundaryAdmits > 800 && s.boundaryAdmits < 1300, `${s.boundaryAdmits}`);
    assert.ok(s.droppedTests < 0.02 * (s.historyTests + s.streamTests));
    assert.equal(s.skippedAdmissions, 0);
  });

  it('gives exactly the same counts for seed 1 as when this test was written', () => {
    assert.deepEqual(
      { ...s.messages, boundaryAdmits: s.boundaryAdmits, historyTests: s.historyTests, akis: s.akis, tp: s.nhs.tp, fp: s.nhs.fp, trainingRows: s.trainingRows },
      { 'ADT^A01': 11922, 'ADT^A03': 10845, 'ORU^R01': 60587, boundaryAdmits: 1082, historyTests: 11794, akis: 1548, tp: 1404, fp: 31, trainingRows: 7403 },
    );
  });
});

describe('a year with --profile course', () => {
  let s: GenerateSummary;
  let dir: string;
  before(async () => {
    dir = path.join(root, 'course');
    s = await generate({ seed: 1, out: dir, profile: 'course' });
  });

  it("has training.csv's NHS F3 within ±0.03 of the real file's 0.822 and AKI rows within ±2 points of 20.8%", () => {
    assert.ok(Math.abs(s.trainingNhs.f3 - 0.822) <= 0.03, `F3 ${s.trainingNhs.f3}`);
    const share = s.trainingAkiRows / s.trainingRows;
    assert.ok(Math.abs(share - 0.208) <= 0.02, `share ${share}`);
  });

  it("draws each AKI ratio from the profile's band for the patient's age", () => {
    const profile = loadProfile('course');
    const t = readCsv(path.join(dir, 'training.csv'));
    const boundary = EPOCH + 90 * DAY;
    let n = 0;
    for (const r of t.rows) {
      if (r[2] !== 'y') continue;
      const age = Number(r[0]);
      const ps = pairs(r, 3);
      const stream = ps.slice(0, -1).filter((p) => p.time > boundary).map((p) => p.value);
      const ratio = (ps[ps.length - 1] as { value: number }).value / medianOf(stream);
      const band = profile.aki.bands.find((b) => age >= b.ageMin && age <= b.ageMax);
      assert.ok(band);
      // The file holds 2-decimal values, so allow for rounding.
      assert.ok(ratio >= band.low - 0.002 && ratio <= band.high + 0.002, `age ${age} ratio ${ratio}`);
      n++;
    }
    assert.equal(n, s.trainingAkiRows);
  });
});
