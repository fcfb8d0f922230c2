import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { loadProfile, validateProfile } from './profile.js';

describe('profiles', () => {
  it('kit holds the figures of spec/generator.md', () => {
    const p = loadProfile('kit');
    assert.equal(p.population.ageCounts.length, 91);
    assert.equal(p.population.ageCounts.reduce((a, b) => a + b, 0), 8_866_180);
    assert.deepEqual(p.creatinine.muMin, { m: 68, f: 58 });
    assert.deepEqual(p.creatinine.multiplierBands, [{ ageMin: 18, ageMax: 29, low: 1.0, high: 2.5 }]);
    assert.deepEqual(
      p.aki.bands.map((b) => [b.ageMin, b.factor, b.low, b.high]),
      [
        [0, 0.028 / 0.218, 2.0, 2.6],
        [18, 0.12 / 0.218, 2.5, 3.5],
        [30, 0.12 / 0.218, 2.0, 2.1],
        [40, 0.29 / 0.218, 2.0, 2.1],
        [65, 0.18 / 0.218, 1.8, 2.1],
        [75, 1.0, 1.7, 2.1],
        [85, 0.16 / 0.218, 1.5, 2.1],
      ],
    );
    assert.equal(p.aki.baseProbability, 0.05);
    assert.deepEqual(p.tests, { dailyProbability: 0.1, admitProbability: 0.4, repeatProbability: 0.4 });
    assert.deepEqual(p.admissions, { dailySd: 10, stayMeanDays: 20, staySdDays: 35 });
    assert.deepEqual(p.timeOfDay, { falloff: 20, attempts: 5 });
  });

  it('course extends kit and overrides the multipliers and AKI bands', () => {
    const kit = loadProfile('kit');
    const course = loadProfile('course');
    assert.equal(course.name, 'course');
    assert.deepEqual(course.population, kit.population);
    assert.deepEqual(course.tests, kit.tests);
    assert.notDeepEqual(course.aki.bands, kit.aki.bands);
    assert.notDeepEqual(course.creatinine.multiplierBands, kit.creatinine.multiplierBands);
  });

  it('a user profile file can extend a built-in one by name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'swemls-profile-'));
    try {
      const file = path.join(dir, 'mine.yaml');
      writeFileSync(file, 'name: mine\nextends: kit\ntests:\n  repeatProbability: 0.2\n');
      const p = loadProfile('mine.yaml', dir);
      assert.equal(p.name, 'mine');
      assert.equal(p.tests.repeatProbability, 0.2);
      assert.equal(p.tests.dailyProbability, 0.1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every problem of a bad profile at once', () => {
    const kit = loadProfile('kit');
    const bad = {
      ...kit,
      tests: { ...kit.tests, dailyProbability: 1.5 },
      aki: { ...kit.aki, bands: [{ ageMin: 0, ageMax: 50, factor: 1, low: 3, high: 2 }] },
      extra: true,
    };
    const err = (() => {
      try {
        validateProfile(bad, 'bad');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof ConfigError);
    const text = err.problems.join('\n');
    assert.match(text, /extra/);
    assert.match(text, /dailyProbability/);
    const err2 = (() => {
      try {
        validateProfile({ ...kit, aki: bad.aki }, 'bad2');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err2 instanceof ConfigError);
    assert.match(err2.problems.join('\n'), /no band covers age 51/);
    assert.match(err2.problems.join('\n'), /low 3 is above high 2/);
  });

  it('names a missing file, bad YAML and an extends loop clearly', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'swemls-profile-'));
    try {
      assert.throws(() => loadProfile('nope.yaml', dir), (e: unknown) => e instanceof ConfigError && /cannot read .*nope\.yaml.*built-in profiles: kit, course/.test(e.message));
      writeFileSync(path.join(dir, 'bad.yaml'), 'name: [unclosed\n');
      assert.throws(() => loadProfile('bad.yaml', dir), (e: unknown) => e instanceof ConfigError && /not valid YAML/.test(e.message));
      writeFileSync(path.join(dir, 'a.yaml'), 'name: a\nextends: b.yaml\n');
      writeFileSync(path.join(dir, 'b.yaml'), 'name: b\nextends: a.yaml\n');
      assert.throws(() => loadProfile('a.yaml', dir), (e: unknown) => e instanceof ConfigError && /loops/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
