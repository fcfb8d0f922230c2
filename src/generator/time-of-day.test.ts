import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../core/random.js';
import { MINUTES_PER_DAY, TimeOfDaySampler, timeOfDayWeights } from './time-of-day.js';

const hm = (h: number, m: number): number => h * 60 + m;

describe('time-of-day weights', () => {
  const w = timeOfDayWeights(20);

  it('weigh every minute from 06:00 to 17:59 as 1', () => {
    for (let t = hm(6, 0); t <= hm(17, 59); t++) assert.equal(w[t], 1);
  });

  it('fall off after 18:00 as min(1, 20/(k+1))', () => {
    assert.equal(w[hm(18, 0)], 1);
    assert.equal(w[hm(18, 19)], 1);
    assert.equal(w[hm(18, 20)], 20 / 21);
    assert.equal(w[hm(20, 0)], 20 / 121);
    assert.equal(w[hm(23, 59)], 20 / 360);
  });

  it('ramp up before 06:00 as min(1, 20/(360-t))', () => {
    assert.equal(w[0], 20 / 360);
    assert.equal(w[hm(3, 0)], 20 / 180);
    assert.equal(w[hm(5, 39)], 20 / 21);
    assert.equal(w[hm(5, 40)], 1);
    assert.equal(w[hm(5, 59)], 1);
  });

  it('cover the whole day and are symmetric around the waking hours', () => {
    assert.equal(w.length, MINUTES_PER_DAY);
    for (let k = 0; k < 360; k++) assert.equal(w[hm(18, 0) + k], w[hm(5, 59) - k]);
  });
});

describe('TimeOfDaySampler', () => {
  it('draws minutes with frequencies proportional to the weights', () => {
    const s = new TimeOfDaySampler(20, 5);
    const rng = createRng('tod');
    const n = 200_000;
    let night = 0;
    let day = 0;
    for (let i = 0; i < n; i++) {
      const m = s.sample(rng);
      assert.ok(m >= 0 && m < MINUTES_PER_DAY);
      if (m < hm(6, 0) || m >= hm(18, 0)) night++;
      else day++;
    }
    const w = timeOfDayWeights(20);
    const total = w.reduce((a, b) => a + b, 0);
    const expectedDay = 720 / total;
    // Binomial sd ≈ 0.001; allow 5 sd.
    assert.ok(Math.abs(day / n - expectedDay) < 0.005, `day share ${day / n} vs ${expectedDay}`);
    assert.equal(night + day, n);
  });

  it('gives a time strictly later on the same day, or -1 after the attempts run out', () => {
    const s = new TimeOfDaySampler(20, 5);
    const rng = createRng(3);
    const base = 10 * MINUTES_PER_DAY;
    let none = 0;
    for (let i = 0; i < 5000; i++) {
      const t = base + (i % MINUTES_PER_DAY);
      const after = s.after(rng, t);
      if (after === -1) none++;
      else {
        assert.ok(after > t);
        assert.equal(Math.floor(after / MINUTES_PER_DAY), 10);
      }
    }
    // From 23:59 nothing is later: some draws must have failed.
    assert.equal(s.after(rng, base + MINUTES_PER_DAY - 1), -1);
    assert.ok(none > 0);
  });

  it('at 00:00 almost always finds a later time', () => {
    const s = new TimeOfDaySampler(20, 5);
    const rng = createRng(4);
    for (let i = 0; i < 1000; i++) assert.notEqual(s.after(rng, 0), -1);
  });
});
