import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { daysFromCivil, formatHl7Timestamp, parseHl7Timestamp } from './timestamp.js';

describe('parseHl7Timestamp', () => {
  const valid: readonly (readonly [string, number])[] = [
    ['20240217223707', Date.UTC(2024, 1, 17, 22, 37, 7)],
    ['202402172237', Date.UTC(2024, 1, 17, 22, 37)],
    ['2024021722', Date.UTC(2024, 1, 17, 22)],
    ['20240217', Date.UTC(2024, 1, 17)],
    ['19790614', Date.UTC(1979, 5, 14)],
    ['20240229', Date.UTC(2024, 1, 29)],
    ['20000229', Date.UTC(2000, 1, 29)],
    ['19700101000000', 0],
    ['19691231235959', -1000],
    ['99991231235959', Date.UTC(9999, 11, 31, 23, 59, 59)],
    ['20240217223707.5', Date.UTC(2024, 1, 17, 22, 37, 7, 500)],
    ['20240217223707.1234', Date.UTC(2024, 1, 17, 22, 37, 7, 123)],
    ['20240217223707.0005', Date.UTC(2024, 1, 17, 22, 37, 7, 1)],
    ['20240217223707+0100', Date.UTC(2024, 1, 17, 21, 37, 7)],
    ['20240217223707-0530', Date.UTC(2024, 1, 18, 4, 7, 7)],
    ['202402172237+0000', Date.UTC(2024, 1, 17, 22, 37)],
    ['20240217223707.25-0100', Date.UTC(2024, 1, 17, 23, 37, 7, 250)],
    ['20240101003000+1400', Date.UTC(2023, 11, 31, 10, 30)],
    [' 20240217223707 ', Date.UTC(2024, 1, 17, 22, 37, 7)],
  ];
  for (const [text, expected] of valid) {
    it(`reads '${text}' as ${new Date(expected).toISOString()}`, () => {
      assert.equal(parseHl7Timestamp(text), expected);
    });
  }

  it('reads years before 100 as those years (not 19xx, as Date.UTC would)', () => {
    assert.equal(parseHl7Timestamp('00500101'), Date.UTC(2000, 0, 1) - daysBetween(50, 2000) * 86_400_000);
    assert.equal(new Date(parseHl7Timestamp('00500615') as number).getUTCFullYear(), 50);
  });

  const invalid: readonly (readonly [string, string])[] = [
    ['', 'empty'],
    ['2024', 'year only (below the default 8 digits)'],
    ['202401', 'year and month'],
    ['2024012', 'odd digit count'],
    ['202402172237071', '15 digits'],
    ['20241320', 'month 13'],
    ['20240001', 'month 0'],
    ['20240100', 'day 0'],
    ['20240132', 'day 32'],
    ['20230229', '29 February in a common year'],
    ['19000229', '29 February 1900 (not a leap year)'],
    ['20240431', '31 April'],
    ['2024021724', 'hour 24'],
    ['202402172360', 'minute 60'],
    ['20240217223760', 'second 60'],
    ['202402172237.5', 'fraction without seconds'],
    ['20240217223707.', 'empty fraction'],
    ['20240217223707.12345', 'five fraction digits'],
    ['20240217223707+01', 'short offset'],
    ['20240217223707+1500', 'offset beyond 14 hours'],
    ['20240217223707+0160', 'offset minutes 60'],
    ['20240217223707+01000', 'long offset'],
    ['2024-01-20', 'ISO date'],
    ['20240217T2237', 'a letter'],
    ['+0100', 'offset only'],
    ['20240217223707.5x', 'junk after fraction'],
  ];
  for (const [text, why] of invalid) {
    it(`refuses '${text}' (${why})`, () => {
      assert.equal(parseHl7Timestamp(text), undefined);
    });
  }

  it('honours minDigits (the course scores on 12- or 14-digit OBR-7)', () => {
    assert.equal(parseHl7Timestamp('20240217', { minDigits: 12 }), undefined);
    assert.equal(parseHl7Timestamp('202402172237', { minDigits: 12 }), Date.UTC(2024, 1, 17, 22, 37));
    assert.equal(parseHl7Timestamp('2024', { minDigits: 4 }), Date.UTC(2024, 0, 1));
    assert.equal(parseHl7Timestamp('202402', { minDigits: 6 }), Date.UTC(2024, 1, 1));
  });

  it('agrees with Date.UTC on random valid times, 14 and 12 digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1800, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
        const s = Math.floor(ms / 1000) * 1000;
        const d = new Date(s);
        const text = `${String(d.getUTCFullYear()).padStart(4, '0')}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
        assert.equal(parseHl7Timestamp(text), s);
        assert.equal(parseHl7Timestamp(text.slice(0, 12)), s - d.getUTCSeconds() * 1000);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const v = parseHl7Timestamp(text);
        assert.ok(v === undefined || Number.isFinite(v));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatHl7Timestamp', () => {
  it('writes 14, 12 or 8 digits in UTC, truncating', () => {
    const t = Date.UTC(2024, 1, 29, 23, 59, 59, 999);
    assert.equal(formatHl7Timestamp(t), '20240229235959');
    assert.equal(formatHl7Timestamp(t, 12), '202402292359');
    assert.equal(formatHl7Timestamp(t, 8), '20240229');
    assert.equal(formatHl7Timestamp(0), '19700101000000');
    assert.equal(formatHl7Timestamp(-1), '19691231235959');
  });

  it('refuses what cannot be written', () => {
    assert.throws(() => formatHl7Timestamp(Number.NaN), RangeError);
    assert.throws(() => formatHl7Timestamp(Date.UTC(10000, 0, 1)), RangeError);
  });

  it('round-trips with parseHl7Timestamp to the second', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        assert.equal(parseHl7Timestamp(formatHl7Timestamp(ms)), Math.floor(ms / 1000) * 1000);
        assert.equal(formatHl7Timestamp(ms), new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('daysFromCivil', () => {
  it('counts days from 1970-01-01 like Date.UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (y, m, d) => {
        assert.equal(daysFromCivil(y, m, d) * 86_400_000, Date.UTC(y, m - 1, d));
      }),
    );
  });
});

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Days from 1 January of year `a` to 1 January of year `b` (proleptic Gregorian). */
function daysBetween(a: number, b: number): number {
  return daysFromCivil(b, 1, 1) - daysFromCivil(a, 1, 1);
}
