import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, median, nhsAki, nhsAkiAt, upperReference } from './nhs.js';

const NOW = Date.UTC(2023, 0, 9);
const MIN = 60_000;

function at(points: ReadonlyArray<readonly [number, number]>): { times: number[]; values: number[] } {
  return { times: points.map((p) => NOW + p[0]), values: points.map((p) => p[1]) };
}

describe('nhsAki: the five unit cases of the spec (now = 2023-01-09, male, 42)', () => {
  const cases: ReadonlyArray<{ name: string; points: ReadonlyArray<readonly [number, number]>; aki: boolean }> = [
    { name: 'doubling within a day is an AKI', points: [[-1 * DAY_MS, 104], [0, 300]], aki: true },
    { name: 'a stable result is not', points: [[-1 * DAY_MS, 104], [0, 102]], aki: false },
    { name: 'a rise against a 30-day-old result is an AKI', points: [[-30 * DAY_MS, 104], [0, 300]], aki: true },
    {
      name: 'a rise against the older median is an AKI',
      points: [[-40 * DAY_MS, 44], [-30 * DAY_MS, 46], [-4 * DAY_MS, 122], [-3 * DAY_MS, 120]],
      aki: true,
    },
    {
      name: 'a rise against the recent minimum is an AKI',
      points: [[-40 * DAY_MS, 122], [-30 * DAY_MS, 120], [-4 * DAY_MS, 44], [-3 * DAY_MS, 121]],
      aki: true,
    },
  ];
  for (const c of cases) {
    it(`${c.name} (explicit now)`, () => {
      const { times, values } = at(c.points);
      assert.equal(nhsAkiAt(42, 'm', times, values, NOW), c.aki);
    });
    it(`${c.name} (now = the last result)`, () => {
      const { times, values } = at(c.points);
      assert.equal(nhsAki(42, 'm', times, values), c.aki);
    });
  }
});

describe('nhsAki: edges', () => {
  it('one result is never an AKI, whatever its value', () => {
    assert.equal(nhsAki(42, 'm', [NOW], [2000]), false);
    assert.equal(nhsAki(42, 'm', [], []), false);
  });

  it('a result exactly 7 days old is in neither window', () => {
    const { times, values } = at([[-7 * DAY_MS, 100], [0, 250]]);
    assert.equal(nhsAki(42, 'm', times, values), false);
  });

  it('a result a minute under 7 days old is in the 7-day window', () => {
    const { times, values } = at([[-7 * DAY_MS + MIN, 100], [0, 250]]);
    assert.equal(nhsAki(42, 'm', times, values), true);
  });

  it('a result a minute over 7 days old is in the 365-day window', () => {
    const { times, values } = at([[-7 * DAY_MS - MIN, 100], [0, 250]]);
    assert.equal(nhsAki(42, 'm', times, values), true);
  });

  it('a gap of exactly 365 days between the last two results is no AKI', () => {
    const { times, values } = at([[-365 * DAY_MS, 100], [0, 400]]);
    assert.equal(nhsAki(42, 'm', times, values), false);
  });

  it('a gap a minute under 365 days is compared with the older median', () => {
    const { times, values } = at([[-365 * DAY_MS + MIN, 100], [0, 250]]);
    assert.equal(nhsAki(42, 'm', times, values), true);
  });

  it('results 365 days old or more do not count even when the last gap is short', () => {
    const { times, values } = at([[-400 * DAY_MS, 50], [-1 * DAY_MS, 200], [0, 250]]);
    assert.equal(nhsAki(42, 'm', times, values), false);
  });

  it('a ratio of exactly 2 is an AKI (stage 2); just under is not (stage 1 is not alerted)', () => {
    assert.equal(nhsAki(42, 'm', [NOW - DAY_MS, NOW], [100, 200]), true);
    assert.equal(nhsAki(42, 'm', [NOW - DAY_MS, NOW], [100, 199.99]), false);
  });

  it('an adult above 354 with a ratio over 1.5 is an AKI; at exactly 1.5 it is not', () => {
    assert.equal(nhsAki(42, 'f', [NOW - DAY_MS, NOW], [230, 360]), true);
    assert.equal(nhsAki(42, 'f', [NOW - DAY_MS, NOW], [240, 360]), false);
    assert.equal(nhsAki(42, 'f', [NOW - DAY_MS, NOW], [230, 354]), false);
  });

  it('a child above 3 × the upper reference with a ratio over 1.5 is an AKI', () => {
    // age 10: upper reference 56, so the threshold is 168.
    assert.equal(nhsAki(10, 'm', [NOW - DAY_MS, NOW], [110, 176]), true);
    assert.equal(nhsAki(10, 'm', [NOW - DAY_MS, NOW], [110, 165]), false);
    // the adult rule does not apply to a child, nor the child rule to an adult.
    assert.equal(nhsAki(18, 'm', [NOW - DAY_MS, NOW], [110, 176]), false);
  });

  it('the 7-day window takes the minimum and the older window the median (even count: mean of the middle two)', () => {
    // older: 60, 100, 140, 200 → median 120; 250/120 > 2 → AKI; min rule alone would miss it.
    const { times, values } = at([[-60 * DAY_MS, 60], [-50 * DAY_MS, 100], [-40 * DAY_MS, 140], [-30 * DAY_MS, 200], [-1 * DAY_MS, 200], [0, 250]]);
    assert.equal(nhsAki(42, 'm', times, values), true);
    assert.equal(median([60, 100, 140, 200]), 120);
    assert.equal(median([3, 1, 2]), 2);
  });
});

describe('upperReference', () => {
  it('follows the age bands [lo, hi) and sex from 13', () => {
    assert.equal(upperReference(0, 'f'), 34);
    assert.equal(upperReference(12, 'm'), 67);
    assert.equal(upperReference(13, 'm'), 76);
    assert.equal(upperReference(13, 'f'), 74);
    assert.equal(upperReference(16, 'm'), 99);
    assert.equal(upperReference(17, 'm'), 104);
    assert.equal(upperReference(80, 'f'), 84);
  });
});
