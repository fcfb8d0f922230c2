import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AkiError } from './errors.js';
import { FEATURE_NAMES, createPatientState, updatePatientState } from './features.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, loadModel, nhsModel, type ModelFile } from './model.js';
import { bestThreshold, evaluate } from './train.js';

const DAY = 86_400_000;
const T = Date.UTC(2024, 5, 1);

/** A hand-made model: full = logistic on log(ratio to window median); no-demographics = a one-split tree. */
function handModel(): ModelFile {
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    version: 'hand-1',
    kind: 'logistic',
    featureNames: [...FEATURE_NAMES],
    streamStart: null,
    // score = sigmoid(10 · (log r − log 1.5)): 0.5 exactly at r = 1.5
    full: { scorer: { type: 'logistic', features: [2], mean: [Math.log(1.5)], scale: [0.1], weights: [1], bias: 0 }, threshold: 0.5 },
    noDemographics: {
      scorer: { type: 'gbdt', features: [6], base: 0, trees: [{ feature: [6, -1, -1], threshold: [1.8, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -5, 5] }] },
      threshold: 0.5,
    },
  };
}

function stateOf(values: number[]): ReturnType<typeof createPatientState> {
  const s = createPatientState();
  values.forEach((v, i) => updatePatientState(s, T + i * DAY, v));
  return s;
}

describe('models', () => {
  it('score with the full model when age and sex are known, else without demographics', () => {
    const m = loadModel(JSON.stringify(handModel()));
    assert.equal(m.kind, 'logistic');
    assert.equal(m.version, 'hand-1');
    const s = stateOf([100, 100, 160]); // ratio to median 1.6, to last 1.6
    const full = m.predict(s, { age: 50, sex: 'm' });
    assert.equal(full.aki, true);
    assert.ok(Math.abs(full.score - 1 / (1 + Math.exp(-Math.log(1.6 / 1.5) / 0.1))) < 1e-12);
    const unknown = m.predict(s, { age: 50 }); // sex unknown: the tree, which needs ratio_last > 1.8
    assert.equal(unknown.aki, false);
    assert.ok(Math.abs(unknown.score - 1 / (1 + Math.exp(5))) < 1e-12);
    assert.equal(m.predict(stateOf([100, 190]), {}).aki, true);
    assert.equal(m.predict(createPatientState(), {}).aki, false);
  });

  it('refuse invalid model files with AKI_ERR_BAD_MODEL naming the problem', () => {
    const bad = (mutate: (m: Record<string, unknown>) => void, pattern: RegExp): void => {
      const m = handModel() as unknown as Record<string, unknown>;
      mutate(m);
      assert.throws(
        () => loadModel(m),
        (e: unknown) => e instanceof AkiError && e.code === 'AKI_ERR_BAD_MODEL' && pattern.test(e.message),
      );
    };
    bad((m) => (m.format = 'x'), /format/);
    bad((m) => (m.formatVersion = 99), /formatVersion 99/);
    bad((m) => (m.featureNames = ['a']), /featureNames/);
    bad((m) => ((m.full as { threshold: number }).threshold = 2), /full\.threshold/);
    bad((m) => ((m.noDemographics as { scorer: { features: number[] } }).scorer.features = [12]), /demographic feature age/);
    bad((m) => ((m.noDemographics as { scorer: { trees: Array<{ left: number[] }> } }).scorer.trees[0]!.left = [0, -1, -1]), /bad child 0/);
    bad((m) => (m.streamStart = 'soon'), /streamStart/);
    assert.throws(() => loadModel('{not json'), (e: unknown) => e instanceof AkiError && e.code === 'AKI_ERR_BAD_MODEL');
  });

  it('nhsModel applies the course algorithm, and the ratio rule alone when age is unknown', () => {
    const m = nhsModel();
    assert.equal(m.kind, 'nhs');
    assert.equal(m.predict(stateOf([104, 300]), { age: 42, sex: 'm' }).aki, true);
    assert.equal(m.predict(stateOf([104, 102]), { age: 42, sex: 'm' }).aki, false);
    // ratio 1.6 and above 354: AKI for a known adult, not on the ratio rule alone
    assert.equal(m.predict(stateOf([230, 368]), { age: 42, sex: 'm' }).aki, true);
    assert.equal(m.predict(stateOf([230, 368]), {}).aki, false);
  });

  it('a stream start overrides the file: results before it are history', () => {
    const file = { ...handModel(), full: { ...handModel().full, scorer: { type: 'logistic' as const, features: [15], mean: [0], scale: [1], weights: [10], bias: -5 } } };
    const s = stateOf([100, 100]);
    assert.equal(loadModel(file).predict(s, { age: 1, sex: 'f' }).aki, true, 'no stream start: every result is live');
    assert.equal(loadModel(file, { streamStart: T + 10 * DAY }).predict(s, { age: 1, sex: 'f' }).aki, false);
  });
});

describe('thresholds', () => {
  it('bestThreshold picks the F3-best cut between distinct scores', () => {
    const scores = [0.9, 0.8, 0.6, 0.4, 0.2, 0.1];
    const y = [1, 1, 0, 1, 0, 0];
    const { threshold, f3 } = bestThreshold(scores, y);
    // Cutting below 0.4 catches every positive with one false positive: F3 = 30/(30+1) ≈ 0.968
    assert.ok(threshold < 0.4 && threshold > 0.2, `threshold ${threshold}`);
    assert.ok(Math.abs(f3 - 30 / 31) < 1e-12);
    const e = evaluate(scores, y, threshold);
    assert.deepEqual([e.tp, e.fp, e.fn, e.tn], [3, 1, 0, 2]);
  });
});

describe('the default model', () => {
  it('loads from any working directory and is a learned model with both submodels', async () => {
    const { loadDefaultModel, DEFAULT_MODEL_PATH } = await import('./default-model.js');
    assert.match(DEFAULT_MODEL_PATH, /models[\\/]default\.json$/);
    const m = loadDefaultModel();
    assert.ok(m.kind === 'gbdt' || m.kind === 'logistic');
    // A doubling within a day is an AKI with or without demographics; a stable result is not.
    assert.equal(m.predict(stateOf([100, 101, 99, 210]), { age: 50, sex: 'f' }).aki, true);
    assert.equal(m.predict(stateOf([100, 101, 99, 210]), {}).aki, true);
    assert.equal(m.predict(stateOf([100, 101, 99, 102]), { age: 50, sex: 'f' }).aki, false);
  });
});
