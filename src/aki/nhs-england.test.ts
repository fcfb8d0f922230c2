import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from './nhs.js';
import { nhsEnglandStage } from './nhs-england.js';

const NOW = Date.UTC(2023, 0, 9);
const H = 3_600_000;

function stage(points: ReadonlyArray<readonly [number, number]>, age = 42, sex: 'm' | 'f' = 'm'): number {
  return nhsEnglandStage(age, sex, points.map((p) => NOW + p[0]), points.map((p) => p[1]));
}

describe('nhsEnglandStage', () => {
  it('stages by ratio: 1.5 → 1, 2 → 2, 3 → 3', () => {
    assert.equal(stage([[-DAY_MS, 100], [0, 150]]), 1);
    assert.equal(stage([[-DAY_MS, 100], [0, 200]]), 2);
    assert.equal(stage([[-DAY_MS, 100], [0, 300]]), 3);
    assert.equal(stage([[-3 * DAY_MS, 100], [0, 149]]), 0);
  });
  it('alerts stage 1 on a rise of more than 26 µmol/L within 48 hours', () => {
    assert.equal(stage([[-47 * H, 100], [0, 127]]), 1);
    assert.equal(stage([[-47 * H, 100], [0, 126]]), 0);
    assert.equal(stage([[-49 * H, 100], [0, 127]]), 0);
  });
  it('uses the median of results 7–365 days old and nothing older', () => {
    assert.equal(stage([[-30 * DAY_MS, 80], [-20 * DAY_MS, 100], [-10 * DAY_MS, 120], [0, 200]]), 2);
    assert.equal(stage([[-366 * DAY_MS, 50], [0, 200]]), 0);
  });
  it('stage 3 above 354 (adults) or 3 × the upper reference (children) once the ratio reaches 1.5', () => {
    assert.equal(stage([[-DAY_MS, 236], [0, 360]]), 3);
    assert.equal(stage([[-DAY_MS, 110], [0, 176]], 10), 3);
    assert.equal(stage([[-DAY_MS, 110], [0, 176]], 30), 1);
  });
  it('never alerts on a single result', () => {
    assert.equal(stage([[0, 900]]), 0);
  });
});
