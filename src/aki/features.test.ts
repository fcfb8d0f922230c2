import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FEATURE_COUNT,
  WINDOW_CAP,
  batchFeatures,
  createPatientState,
  parsePatientState,
  resetPatientState,
  stateFeatures,
  updatePatientState,
  type Demographics,
} from './features.js';
import { nhsAki } from './nhs.js';
import { nhsFromState } from './model.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Histories from (gap, value) pairs: times advance by whole minutes from T0, values to 2 decimals. */
function histories(gap: fc.Arbitrary<number>, minLength: number, maxLength: number): fc.Arbitrary<{ times: number[]; values: number[] }> {
  return fc.array(fc.tuple(gap, fc.double({ min: 20, max: 900, noNaN: true })), { minLength, maxLength }).map((pairs) => {
    let t = T0;
    const times: number[] = [];
    const values: number[] = [];
    for (const [g, v] of pairs) {
      t += Math.round(g / 60_000) * 60_000;
      times.push(t);
      values.push(Math.round(v * 100) / 100);
    }
    return { times, values };
  });
}

/** Random histories: ascending times (gaps from minutes to over a year), plausible creatinine. */
const history = histories(fc.oneof(fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 0, max: 400 * DAY })), 1, 40);

/**
 * Long, dense and disordered histories: up to 200 results hours apart (so the window passes
 * WINDOW_CAP) whose times may also step back (a late result, as a detector may see one).
 */
const messyHistory = histories(fc.oneof(fc.integer({ min: 0, max: 6 * 3_600_000 }), fc.integer({ min: -2 * DAY, max: 0 })), WINDOW_CAP + 20, 200);

const demographics = fc.oneof(
  fc.record({ age: fc.integer({ min: 0, max: 100 }), sex: fc.constantFrom<'m' | 'f'>('m', 'f') }),
  fc.constant<Demographics>({}),
);
const streamStart = fc.oneof(fc.constant(Number.NaN), fc.integer({ min: 0, max: 500 }).map((d) => T0 + d * DAY));

function close(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) return false;
  }
  return a.length === b.length;
}

describe('features', () => {
  it('the incremental state gives the same features as the batch definition at every result', () => {
    fc.assert(
      fc.property(history, demographics, streamStart, ({ times, values }, demo, start) => {
        const s = createPatientState();
        for (let i = 0; i < times.length; i++) {
          updatePatientState(s, times[i] as number, values[i] as number);
          const inc = stateFeatures(s, demo, start);
          const bat = batchFeatures(times, values, i, demo, start);
          if (!close(inc, bat)) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('the incremental state equals the batch definition past WINDOW_CAP and with times that step back', () => {
    let capped = 0;
    fc.assert(
      fc.property(messyHistory, demographics, streamStart, ({ times, values }, demo, start) => {
        const s = createPatientState();
        for (let i = 0; i < times.length; i++) {
          updatePatientState(s, times[i] as number, values[i] as number);
          if (!close(stateFeatures(s, demo, start), batchFeatures(times, values, i, demo, start))) return false;
        }
        capped += s.wt.length === WINDOW_CAP ? 1 : 0;
        return s.wt.length <= WINDOW_CAP;
      }),
      { numRuns: 60 },
    );
    assert.ok(capped > 30, `only ${capped} of 60 histories filled the window`);
  });

  it('never uses results after "now": features at i are unchanged by anything that follows', () => {
    fc.assert(
      fc.property(history, history, demographics, streamStart, (a, tail, demo, start) => {
        const last = a.times[a.times.length - 1] as number;
        // Append an arbitrary future (shifted to come after "now").
        const times = a.times.concat(tail.times.map((t) => t - T0 + last + 60_000));
        const values = a.values.concat(tail.values);
        for (let i = 0; i < a.times.length; i++) {
          if (!close(batchFeatures(a.times, a.values, i, demo, start), batchFeatures(times, values, i, demo, start))) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('the state survives a JSON round trip unchanged and stays small', () => {
    fc.assert(
      fc.property(history, ({ times, values }) => {
        const s = createPatientState();
        for (let i = 0; i < times.length; i++) updatePatientState(s, times[i] as number, values[i] as number);
        const back = parsePatientState(JSON.parse(JSON.stringify(s)));
        assert.deepEqual(back, s);
        assert.ok(s.wt.length <= WINDOW_CAP);
        const f1 = stateFeatures(s, { age: 50, sex: 'f' });
        const f2 = stateFeatures(back, { age: 50, sex: 'f' });
        assert.ok(close(f1, f2));
      }),
      { numRuns: 100 },
    );
  });

  it('the NHS verdict from the state equals the course algorithm on the full history', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 100 }), fc.constantFrom<'m' | 'f'>('m', 'f'), ({ times, values }, age, sex) => {
        const s = createPatientState();
        for (let i = 0; i < times.length; i++) {
          updatePatientState(s, times[i] as number, values[i] as number);
          const expected = nhsAki(age, sex, times.slice(0, i + 1), values.slice(0, i + 1));
          if (nhsFromState(s, { age, sex }) !== expected) return false;
          if ((stateFeatures(s, { age, sex })[14] === 1) !== expected) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only the last WINDOW_CAP earlier results of the last 365 days', () => {
    const s = createPatientState();
    for (let i = 0; i < WINDOW_CAP + 50; i++) updatePatientState(s, T0 + i * 3_600_000, 100);
    assert.equal(s.wt.length, WINDOW_CAP);
    updatePatientState(s, T0 + 800 * DAY, 100);
    assert.equal(s.wt.length, 0, 'a year later every earlier result has left the window');
    assert.equal(s.n, WINDOW_CAP + 51);
  });

  it('a first result has neutral ratios and no NHS verdict', () => {
    const s = updatePatientState(createPatientState(), T0, 500);
    const f = stateFeatures(s, { age: 40, sex: 'm' });
    assert.equal(f.length, FEATURE_COUNT);
    assert.equal(f[2], 1);
    assert.equal(f[14], 0);
  });

  it('a reset state equals a new one', () => {
    const s = createPatientState();
    for (let i = 0; i < 5; i++) updatePatientState(s, T0 + i * DAY, 100 + i);
    assert.deepEqual(resetPatientState(s), createPatientState());
  });

  it('refuses a state that is not one', () => {
    assert.throws(() => parsePatientState({ v: 1 }), TypeError);
    assert.throws(() => parsePatientState(null), TypeError);
    assert.throws(() => stateFeatures(createPatientState(), {}), RangeError);
  });
});
