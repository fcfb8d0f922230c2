/**
 * Models: what the detector and `swemls predict` call. A model scores a patient's latest result
 * from its `PatientState` (see features.ts), so batch prediction and the streaming detector run
 * the same code. Learned models are versioned JSON files (`MODEL_FORMAT`); `nhsModel()` wraps
 * the course's NHS algorithm in the same interface.
 */
import { AkiError, AkiErrorCode } from './errors.js';
import { DEMOGRAPHIC_FEATURES, FEATURE_COUNT, FEATURE_NAMES, WINDOW_MS, stateFeatures, type Demographics, type PatientState } from './features.js';
import { compileGbdt, type GbdtParams } from './gbdt.js';
import { logisticScore, type LogisticParams } from './logistic.js';
import { median, nhsDecision, DAY_MS } from './nhs.js';
import { nhsEnglandStage } from './nhs-england.js';

/** The `format` field of a model file. */
export const MODEL_FORMAT = 'swemls-aki-model';
/** The layout version of model files this code reads and writes. */
export const MODEL_FORMAT_VERSION = 1;

/** A scorer: logistic regression or boosted trees. */
export type ScorerParams = LogisticParams | GbdtParams;

/** A scorer and its decision threshold. */
export interface SubModel {
  readonly scorer: ScorerParams;
  /** `aki` when score ≥ threshold (chosen for F3 by cross-validation). */
  readonly threshold: number;
}

/** The JSON of a model file. */
export interface ModelFile {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  /** Identifies this trained model (kind, seed and a hash of its parameters). */
  readonly version: string;
  readonly kind: 'logistic' | 'gbdt';
  /** Feature names in vector order, checked on load against this code's. */
  readonly featureNames: readonly string[];
  /** For patients with known age and sex. */
  readonly full: SubModel;
  /** For patients whose age or sex is unknown (admission never seen): no demographic features. */
  readonly noDemographics: SubModel;
  /**
   * Start of the live period (ms since the epoch) the model was trained with, or null: results
   * before it are history, which the generator never turns into AKIs nor uses as the AKI
   * baseline. Overridable when loading (`loadModel(json, { streamStart })`).
   */
  readonly streamStart: number | null;
  /** How it was trained: free-form facts (files, seed, counts, the family comparison). */
  readonly training?: Readonly<Record<string, unknown>>;
}

/** A prediction for the latest result. */
export interface Prediction {
  readonly aki: boolean;
  /** Model score in [0, 1] (NHS: 1 or 0). */
  readonly score: number;
}

/** What the detector and `predict` use. */
export interface Model {
  /** 'nhs' for the course's NHS algorithm, 'nhs-england' for NHS England's full one, else the learned family. */
  readonly kind: 'nhs' | 'nhs-england' | 'logistic' | 'gbdt';
  /** A stable identifier of this model (for metrics and logs). */
  readonly version: string;
  /** Is the state's latest result an AKI? Never reads anything but the state and demographics. */
  predict(state: PatientState, demographics: Demographics): Prediction;
  /** The start of the live period it predicts with (ms), or null (every result live; the NHS models). */
  readonly streamStart: number | null;
  /** The same model with another live-period start (null: unknown). The NHS models return themselves. */
  withStreamStart(start: number | null): Model;
}

function compileScorer(s: ScorerParams): (x: ArrayLike<number>) => number {
  return s.type === 'gbdt' ? compileGbdt(s) : (x) => logisticScore(s, x);
}

/** Options when making a `Model` from a file. */
export interface ModelOptions {
  /** Overrides the file's `streamStart` (null: unknown, every result counts as live). */
  readonly streamStart?: number | null;
}

/** Builds a `Model` from a parsed model file (validated by `parseModelFile`). */
export function createModel(file: ModelFile, options: ModelOptions = {}): Model {
  const scorers = { full: compileScorer(file.full.scorer), noDemographics: compileScorer(file.noDemographics.scorer) };
  return bindModel(file, scorers, options.streamStart !== undefined ? options.streamStart : file.streamStart);
}

/** A `Model` over compiled scorers with a given live-period start (compiled once, shared by every start). */
function bindModel(file: ModelFile, scorers: { full: (x: ArrayLike<number>) => number; noDemographics: (x: ArrayLike<number>) => number }, start: number | null): Model {
  const buf = new Float64Array(FEATURE_COUNT);
  const { full, noDemographics } = file;
  const streamStart = start === null ? Number.NaN : start;
  return {
    kind: file.kind,
    version: file.version,
    streamStart: start,
    predict(state, demographics) {
      if (state.n === 0) return { aki: false, score: 0 };
      const known = demographics.age !== undefined && demographics.sex !== undefined;
      stateFeatures(state, demographics, streamStart, buf);
      const score = known ? scorers.full(buf) : scorers.noDemographics(buf);
      return { aki: score >= (known ? full.threshold : noDemographics.threshold), score };
    },
    withStreamStart: (next) => bindModel(file, scorers, next),
  };
}

function fail(problem: string): never {
  throw new AkiError(AkiErrorCode.badModel, `not a valid model file: ${problem}`);
}

function checkNumbers(a: unknown, what: string, len?: number): readonly number[] {
  if (!Array.isArray(a) || a.some((v) => typeof v !== 'number' || !Number.isFinite(v))) fail(`${what} must be an array of finite numbers`);
  if (len !== undefined && a.length !== len) fail(`${what} must have ${len} entries`);
  return a as number[];
}

function checkFeatureList(a: unknown, what: string, allowDemo: boolean): readonly number[] {
  const f = checkNumbers(a, what);
  for (const i of f) {
    if (!Number.isInteger(i) || i < 0 || i >= FEATURE_COUNT) fail(`${what}: feature index ${i} out of range`);
    if (!allowDemo && DEMOGRAPHIC_FEATURES.includes(i)) fail(`${what}: the no-demographics model uses demographic feature ${FEATURE_NAMES[i] ?? i}`);
  }
  return f;
}

function checkSub(v: unknown, what: string, allowDemo: boolean): SubModel {
  const s = v as { scorer?: Record<string, unknown>; threshold?: unknown } | null;
  if (typeof s !== 'object' || s === null || typeof s.scorer !== 'object' || s.scorer === null) fail(`${what} is missing`);
  if (typeof s.threshold !== 'number' || !(s.threshold >= 0 && s.threshold <= 1)) fail(`${what}.threshold must be in [0, 1]`);
  const sc = s.scorer;
  if (sc.type === 'logistic') {
    const f = checkFeatureList(sc.features, `${what}.scorer.features`, allowDemo);
    checkNumbers(sc.mean, `${what}.scorer.mean`, f.length);
    checkNumbers(sc.scale, `${what}.scorer.scale`, f.length);
    checkNumbers(sc.weights, `${what}.scorer.weights`, f.length);
    if (typeof sc.bias !== 'number' || !Number.isFinite(sc.bias)) fail(`${what}.scorer.bias must be a number`);
  } else if (sc.type === 'gbdt') {
    const f = checkFeatureList(sc.features, `${what}.scorer.features`, allowDemo);
    if (typeof sc.base !== 'number' || !Number.isFinite(sc.base)) fail(`${what}.scorer.base must be a number`);
    if (!Array.isArray(sc.trees)) fail(`${what}.scorer.trees must be an array`);
    sc.trees.forEach((t: Record<string, unknown>, ti: number) => {
      const w = `${what}.scorer.trees[${ti}]`;
      const feat = checkNumbers(t?.feature, `${w}.feature`);
      const m = feat.length;
      if (m === 0) fail(`${w} is empty`);
      checkNumbers(t.threshold, `${w}.threshold`, m);
      const l = checkNumbers(t.left, `${w}.left`, m);
      const r = checkNumbers(t.right, `${w}.right`, m);
      checkNumbers(t.value, `${w}.value`, m);
      for (let i = 0; i < m; i++) {
        const fi = feat[i] as number;
        if (fi < 0) continue;
        if (!f.includes(fi)) fail(`${w} splits on feature ${fi}, not in its feature list`);
        // Children must point forward, so walking a tree always ends at a leaf.
        for (const c of [l[i] as number, r[i] as number]) if (!Number.isInteger(c) || c <= i || c >= m) fail(`${w}: node ${i} has a bad child ${c}`);
      }
    });
  } else fail(`${what}.scorer.type must be 'logistic' or 'gbdt'`);
  return s as unknown as SubModel;
}

/** Validates parsed JSON as a model file; throws `AkiError` (`AKI_ERR_BAD_MODEL`) naming the problem. */
export function parseModelFile(json: unknown): ModelFile {
  const m = json as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null) fail('not a JSON object');
  if (m.format !== MODEL_FORMAT) fail(`format must be '${MODEL_FORMAT}'`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION) fail(`formatVersion ${String(m.formatVersion)} is not supported (this build reads ${MODEL_FORMAT_VERSION})`);
  if (typeof m.version !== 'string' || m.version === '') fail('version must be a non-empty string');
  if (m.kind !== 'logistic' && m.kind !== 'gbdt') fail("kind must be 'logistic' or 'gbdt'");
  const names = m.featureNames;
  if (!Array.isArray(names) || names.length !== FEATURE_COUNT || names.some((n, i) => n !== FEATURE_NAMES[i])) {
    fail('featureNames differ from this build\'s features (retrain the model)');
  }
  if (m.streamStart !== null && (typeof m.streamStart !== 'number' || !Number.isFinite(m.streamStart))) fail('streamStart must be a number (ms since the epoch) or null');
  checkSub(m.full, 'full', true);
  checkSub(m.noDemographics, 'noDemographics', false);
  return m as unknown as ModelFile;
}

/** Loads a model from its JSON (text or parsed value). */
export function loadModel(json: string | unknown, options: ModelOptions = {}): Model {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw new AkiError(AkiErrorCode.badModel, `not a valid model file: ${(err as Error).message}`, { cause: err });
    }
  }
  return createModel(parseModelFile(value), options);
}

/** The verdict of the course's NHS algorithm on the state's latest result. Unknown age or sex: the ratio rule alone (rv ≥ 2). */
export function nhsFromState(state: PatientState, demographics: Demographics): boolean {
  if (state.n < 2) return false;
  if (state.lt - state.pt >= WINDOW_MS) return false;
  let recentMin = Number.POSITIVE_INFINITY;
  const older: number[] = [];
  for (let i = 0; i < state.wt.length; i++) {
    const age = state.lt - (state.wt[i] as number);
    const v = state.wv[i] as number;
    if (age < 7 * DAY_MS) {
      if (v < recentMin) recentMin = v;
    } else if (age > 7 * DAY_MS && age < WINDOW_MS) older.push(v);
  }
  const rv1 = recentMin === Number.POSITIVE_INFINITY ? 0 : state.lv / recentMin;
  const rv2 = older.length > 0 ? state.lv / median(older) : 0;
  const rv = Math.max(rv1, rv2);
  if (demographics.age === undefined || demographics.sex === undefined) return rv >= 2;
  return nhsDecision(demographics.age, demographics.sex, state.lv, rv);
}

/** The course's NHS algorithm as a `Model` (`kind` 'nhs'). */
export function nhsModel(): Model {
  const model: Model = {
    kind: 'nhs',
    version: 'nhs-course-1',
    predict(state, demographics) {
      const aki = nhsFromState(state, demographics);
      return { aki, score: aki ? 1 : 0 };
    },
    streamStart: null,
    withStreamStart: () => model,
  };
  return model;
}

/**
 * NHS England's full algorithm (nhs-england.ts: stage 1 alerts, the 48-hour rise) as a `Model`
 * (`kind` 'nhs-england'); `score` is the stage divided by 3.
 */
export function nhsEnglandModel(): Model {
  const model: Model = {
    kind: 'nhs-england',
    version: 'nhs-england-2014',
    predict(state, demographics) {
      if (state.n < 2) return { aki: false, score: 0 };
      const times = state.wt.concat(state.lt);
      const values = state.wv.concat(state.lv);
      const stage = nhsEnglandStage(demographics.age, demographics.sex, times, values);
      return { aki: stage > 0, score: stage / 3 };
    },
    streamStart: null,
    withStreamStart: () => model,
  };
  return model;
}
