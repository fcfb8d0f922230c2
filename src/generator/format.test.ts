import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { civilFromDays } from '../hl7/timestamp.js';
import { CsvDateFormatter, EPOCH_MS, compactDate, formatFixed2 } from './format.js';

describe('formatFixed2', () => {
  it('rounds as Python f"{x:.2f}" does, ties (exact eighths) to even', () => {
    // Expected strings are Python 3's output for the same doubles.
    const cases: [number, string][] = [
      [100.125, '100.12'],
      [100.375, '100.38'],
      [0.125, '0.12'],
      [0.625, '0.62'],
      [0.875, '0.88'],
      [-0.125, '-0.12'],
      [2.5, '2.50'],
      [1.005, '1.00'],
      [95.07289465459068, '95.07'],
      [100, '100.00'],
      [0, '0.00'],
      [354.999, '355.00'],
    ];
    for (const [x, want] of cases) assert.equal(formatFixed2(x), want, String(x));
  });

  it('agrees with toFixed(2) everywhere but exact ties', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), (x) => {
        if (Number.isInteger(x * 8) && !Number.isInteger(x * 4)) return;
        assert.equal(formatFixed2(x), x.toFixed(2));
      }),
    );
  });
});

describe('dates', () => {
  it('civilFromDays matches the calendar for every day from 1900 to 2100', () => {
    for (let d = -25567; d < 47482; d += 1) {
      const t = new Date(d * 86_400_000);
      const c = civilFromDays(d);
      assert.deepEqual([c.year, c.month, c.day], [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()]);
    }
  });

  it('formats minutes since the epoch as YYYY-MM-DD HH:MM:00', () => {
    const f = new CsvDateFormatter();
    assert.equal(f.format(0), '2024-01-01 00:00:00');
    assert.equal(f.format(59 * 1440 + 13 * 60 + 7), '2024-02-29 13:07:00');
    assert.equal(f.format(90 * 1440 + 1439), '2024-03-31 23:59:00');
    assert.equal(f.format(366 * 1440), '2025-01-01 00:00:00');
    assert.equal(compactDate(EPOCH_MS / 86_400_000 - 1), '20231231');
  });
});
