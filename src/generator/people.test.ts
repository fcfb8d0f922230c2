import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../core/random.js';
import { MAX_MRN, MIN_MRN, ageAtEpoch, createPopulation, drawDistinct } from './people.js';
import { loadProfile } from './profile.js';
import { NameSource } from './names.js';

describe('people', () => {
  it('computes the age from the birthdate as whole days ÷ 365, floored', () => {
    assert.equal(ageAtEpoch(Date.UTC(2024, 0, 1)), 0);
    assert.equal(ageAtEpoch(Date.UTC(2023, 0, 1)), 1);
    // 40 years back plus 364 days: 14974 days ÷ 365 = 41.02 — one year older than drawn (leap days).
    assert.equal(ageAtEpoch(Date.UTC(1984, 0, 1) - 364 * 86_400_000), 41);
  });

  it('draws distinct MRNs in range, ascending', () => {
    const m = drawDistinct(createRng(1), 5000, MIN_MRN, MAX_MRN);
    assert.equal(new Set(m).size, 5000);
    for (let i = 1; i < m.length; i++) assert.ok((m[i] as number) > (m[i - 1] as number));
    assert.ok((m[0] as number) >= MIN_MRN && (m[m.length - 1] as number) < MAX_MRN);
    assert.throws(() => drawDistinct(createRng(1), 11, 0, 10), RangeError);
  });

  it('builds a population that follows the profile', () => {
    const profile = loadProfile('kit');
    const root = createRng(9);
    const pop = createPopulation(20000, profile, { people: root.stream('people'), mrn: root.stream('mrn'), creatinine: root.stream('creatinine') });
    let females = 0;
    let over90 = 0;
    for (let i = 0; i < pop.size; i++) {
      const age = pop.age[i] as number;
      assert.ok(age >= 0 && age <= 91);
      assert.equal(age, ageAtEpoch(pop.birthMs[i] as number));
      if (age > 90) over90++;
      females += pop.female[i] as number;
      const mult = pop.multiplier[i] as number;
      if (age >= 18 && age <= 29) assert.ok(mult >= 1 && mult < 2.5);
      else assert.equal(mult, 1);
      assert.ok((pop.mu[i] as number) >= (pop.female[i] ? 58 : 68));
      const band = profile.aki.bands[pop.akiBand[i] as number];
      assert.ok(band && age >= band.ageMin && age <= band.ageMax);
    }
    assert.ok(Math.abs(females / pop.size - 0.5) < 0.02);
    assert.ok(over90 > 0, 'some 90-year-olds come out 91');
  });

  it('gives upper-case 7-bit ASCII names, the same for the same MRN and seed, whatever the order', () => {
    const a = new NameSource(createRng(5).stream('names'));
    const b = new NameSource(createRng(5).stream('names'));
    const mrns = [123456789, 100000000, 199999999, 150000000];
    const first = mrns.map((m, i) => a.name(m, i % 2 === 0));
    const reversed = [...mrns].reverse().map((m, i) => b.name(m, (mrns.length - 1 - i) % 2 === 0)).reverse();
    assert.deepEqual(first, reversed);
    for (let i = 0; i < 2000; i++) {
      const n = a.name(MIN_MRN + i, i % 2 === 0);
      assert.match(n, /^[A-Z' -]+ [A-Z' -]+$/);
      assert.equal(n, n.toUpperCase());
    }
  });
});
