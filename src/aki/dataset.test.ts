import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { formatCsvDate, formatLabelCsv, parseCsvDate, parseDecimal, parseLabelCsv, parsePatientCsv } from './dataset.js';
import { AkiError } from './errors.js';

const fixtures = path.resolve('test/fixtures/model');
const read = (name: string): string => fs.readFileSync(path.join(fixtures, name), 'utf8');

describe('parsePatientCsv', () => {
  it('reads ragged rows whose pairs run past the header', () => {
    const t = parsePatientCsv(read('ragged.csv'), 'ragged.csv');
    assert.equal(t.rows.length, 4);
    assert.deepEqual(t.rows.map((r) => r.times.length), [2, 3, 1, 4]);
    assert.equal(t.rows[3]?.values[3], 230);
    assert.deepEqual(t.rows.map((r) => r.aki), [false, true, false, true]);
    assert.equal(t.rows[1]?.line, 3);
  });

  it('reads CRLF with a BOM and padding the same as LF', () => {
    const a = parsePatientCsv(read('ragged.csv'));
    const b = parsePatientCsv(read('crlf-bom.csv'));
    assert.deepEqual(
      b.rows.map((r) => [r.age, r.sex, r.aki, Array.from(r.times), Array.from(r.values)]),
      a.rows.map((r) => [r.age, r.sex, r.aki, Array.from(r.times), Array.from(r.values)]),
    );
  });

  it('reads CR-only line ends (old Mac files) the same as LF', () => {
    const lf = read('ragged.csv');
    const a = parsePatientCsv(lf);
    const b = parsePatientCsv(lf.replace(/\r?\n/g, '\r'));
    assert.deepEqual(
      b.rows.map((r) => [r.age, r.sex, r.aki, Array.from(r.times), Array.from(r.values), r.line]),
      a.rows.map((r) => [r.age, r.sex, r.aki, Array.from(r.times), Array.from(r.values), r.line]),
    );
  });

  it('reads a file without an aki column, and refuses it for training', () => {
    const t = parsePatientCsv(read('no-labels.csv'));
    assert.equal(t.hasLabels, false);
    assert.equal(t.rows.length, 4);
    assert.equal(t.rows[0]?.aki, undefined);
    assert.throws(() => parsePatientCsv(read('no-labels.csv'), 'x.csv', { requireLabels: true }), /x\.csv:1: .*aki/);
  });

  it('names the file and line of a bad date or value', () => {
    assert.throws(
      () => parsePatientCsv(read('bad-date.csv'), 'bad-date.csv'),
      (e: unknown) => e instanceof AkiError && e.code === 'AKI_ERR_BAD_CSV' && /bad-date\.csv:3: creatinine_date_1/.test(e.message),
    );
    assert.throws(() => parsePatientCsv(read('bad-value.csv'), 'bad-value.csv'), /bad-value\.csv:2: creatinine_result_1 'abc'/);
    assert.throws(() => parsePatientCsv('age,sex\n1,m\n', 'h.csv'), /h\.csv:1: .*creatinine_date_0/);
    assert.throws(() => parsePatientCsv('', 'e.csv'), /e\.csv:1: .*empty/);
    assert.throws(() => parsePatientCsv('age,sex,creatinine_date_0,creatinine_result_0\nx,m,2024-01-01 00:00:00,1\n', 'a.csv'), /a\.csv:2: age 'x'/);
    assert.throws(() => parsePatientCsv('age,sex,creatinine_date_0,creatinine_result_0\n4,q,2024-01-01 00:00:00,1\n', 's.csv'), /s\.csv:2: sex 'q'/);
  });

  it('puts results out of time order in order', () => {
    const t = parsePatientCsv('age,sex,creatinine_date_0,creatinine_result_0\n40,m,2024-01-02 00:00:00,2,2024-01-01 00:00:00,1\n');
    assert.deepEqual(Array.from(t.rows[0]?.values ?? []), [1, 2]);
  });

  it('reads random well-formed rows (padding, empty pairs, ragged, CRLF) the same as a naive split', () => {
    const pairArb = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 0, max: 60 * 24 * 800 }), fc.integer({ min: 1, max: 200_000 })).map(([m, c]) => [formatCsvDate(Date.UTC(2024, 0, 1) + m * 60_000), (c / 100).toFixed(2)] as const) },
      { weight: 1, arbitrary: fc.constant(['', ''] as const) },
    );
    const rowArb = fc.record({
      age: fc.integer({ min: 0, max: 100 }),
      sex: fc.constantFrom('m', 'f'),
      aki: fc.constantFrom('y', 'n'),
      pairs: fc.array(pairArb, { maxLength: 12 }),
      pad: fc.integer({ min: 0, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 8 }), fc.boolean(), (rows, crlf) => {
        const header = 'age,sex,aki,creatinine_date_0,creatinine_result_0';
        const lines = rows.map((r) => [r.age, r.sex, r.aki, ...r.pairs.flat()].join(',') + ','.repeat(r.pad));
        const text = [header, ...lines].join(crlf ? '\r\n' : '\n') + '\n';
        const got = parsePatientCsv(text).rows;
        assert.equal(got.length, rows.length);
        rows.forEach((r, i) => {
          const kept = r.pairs.filter((p) => p[0] !== '');
          const expected = kept.map((p) => [parseCsvDate(p[0]), Number(p[1])] as const).sort((a, b) => a[0] - b[0]);
          const row = got[i]!;
          assert.equal(row.age, r.age);
          assert.equal(row.sex, r.sex);
          assert.equal(row.aki, r.aki === 'y');
          assert.deepEqual(Array.from(row.times), expected.map((e) => e[0]));
          assert.deepEqual(Array.from(row.values).sort((a, b) => a - b), expected.map((e) => e[1]).sort((a, b) => a - b));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but AkiError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (body) => {
        try {
          parsePatientCsv('age,sex,aki,creatinine_date_0,creatinine_result_0\n' + body);
        } catch (e) {
          if (!(e instanceof AkiError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseDecimal', () => {
  it('gives exactly what Number gives, on plain decimals and on anything else', () => {
    for (const s of ['127.02', '0.5', '.5', '5.', '.', '', '  ', '1e3', '-4.2', '12.345678901', '00012.50', '999999999999999.9', '9999999999999999', '999999999999999']) {
      assert.ok(Object.is(parseDecimal(s), Number(s)), s);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 8 }), (int, decimals) => {
        const s = decimals === 0 ? String(int) : (int / 10 ** decimals).toFixed(decimals);
        return Object.is(parseDecimal(s), Number(s));
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => Object.is(parseDecimal(s), Number(s)) || (Number.isNaN(parseDecimal(s)) && Number.isNaN(Number(s)))));
  });
});

describe('dates and labels', () => {
  it('parses and formats CSV dates as UTC, rejecting impossible ones', () => {
    assert.equal(parseCsvDate('2024-03-31 13:08:00'), Date.UTC(2024, 2, 31, 13, 8));
    assert.equal(parseCsvDate('2024-03-31T13:08'), Date.UTC(2024, 2, 31, 13, 8));
    assert.ok(Number.isNaN(parseCsvDate('2024-02-30 00:00:00')));
    assert.ok(Number.isNaN(parseCsvDate('2024-13-01 00:00:00')));
    assert.ok(Number.isNaN(parseCsvDate('20240101 000000')));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (minutes) => {
        const t = minutes * 60_000;
        return parseCsvDate(formatCsvDate(t)) === t;
      }),
    );
  });

  it('reads aki columns (y/n/1/0) and writes the course layout', () => {
    assert.deepEqual(parseLabelCsv('aki\ny\nn\n1\n0\n'), [true, false, true, false]);
    assert.deepEqual(parseLabelCsv('\ufeffmrn,aki\r\n1,y\r\n2,n\r\n'), [true, false]);
    assert.throws(() => parseLabelCsv('aki\ny\nmaybe\n', 'p.csv'), /p\.csv:3: aki 'maybe'/);
    assert.throws(() => parseLabelCsv('x\ny\n', 'p.csv'), /p\.csv:1/);
    assert.equal(formatLabelCsv([true, false]), 'aki\ny\nn\n');
  });
});
