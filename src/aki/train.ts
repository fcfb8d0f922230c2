/**
 * Training. Every result of every patient is an example: the features of the patient's
 * results up to and including it (`features.ts`), labelled positive only for the AKI result
 * that ends an `aki = y` row (rows end at the AKI, so nothing after an AKI is ever seen).
 *
 * Procedure (deterministic for a seed):
 * 1. Split patients 80/20 into a development set and a held-out set.
 * 2. For each family (logistic regression, boosted trees): k-fold cross-validation over
 *    development patients gives out-of-fold scores, from which the F3-best threshold is chosen;
 *    a model fitted on the development set is then scored on the held-out set.
 * 3. Every patient then has a score from a model that never saw them (out-of-fold or held
 *    out). The family with the better F3 over those wins; within one AKI's worth of F3
 *    (1 / positives), the lower log loss over them wins.
 * 4. The winner is refitted on every patient with the CV threshold. The no-demographics model
 *    (for patients whose admission was never seen) is the same family without age, sex and
 *    the NHS verdict, chosen the same way.
 */
import { createRng, hashString } from '../core/random.js';
import type { PatientRow } from './dataset.js';
import { AkiError, AkiErrorCode } from './errors.js';
import { DEMOGRAPHIC_FEATURES, FEATURE_COUNT, FEATURE_NAMES, createPatientState, stateFeatures, updatePatientState } from './features.js';
import { gbdtScore, trainGbdt, type GbdtOptions } from './gbdt.js';
import { logisticScore, trainLogistic } from './logistic.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelFile, type ScorerParams, type SubModel } from './model.js';
import { fbeta, precision, recall } from './score.js';

/** Examples as a dense row-major matrix. */
export interface Examples {
  /** `n × FEATURE_COUNT` features, row-major. */
  readonly x: Float64Array;
  readonly y: Uint8Array;
  /** Index of the patient (row) each example comes from. */
  readonly patient: Uint32Array;
  /** 1 when the example is its patient's last result (what a test row asks about). */
  readonly last: Uint8Array;
  readonly n: number;
  readonly patients: number;
}

/**
 * The stream start implied by labelled rows: 00:00 (UTC) of the day of the earliest AKI result,
 * since the generator makes AKIs only in its live period and there are several a day. NaN when
 * there is no AKI.
 */
export function inferStreamStart(rows: readonly PatientRow[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const r of rows) if (r.aki && r.times.length > 0) first = Math.min(first, r.times[r.times.length - 1] as number);
  return Number.isFinite(first) ? Math.floor(first / 86_400_000) * 86_400_000 : Number.NaN;
}

/** Builds the examples of labelled rows (rows without a label are an error). */
export function buildExamples(rows: readonly PatientRow[], streamStart = Number.NaN): Examples {
  let n = 0;
  for (const r of rows) n += r.times.length;
  const x = new Float64Array(n * FEATURE_COUNT);
  const y = new Uint8Array(n);
  const patient = new Uint32Array(n);
  const last = new Uint8Array(n);
  const buf = new Float64Array(FEATURE_COUNT);
  let k = 0;
  rows.forEach((r, p) => {
    if (r.aki === undefined) throw new AkiError(AkiErrorCode.training, `line ${r.line}: the row has no aki label`);
    const state = createPatientState();
    const demo = { age: r.age, sex: r.sex };
    const m = r.times.length;
    for (let i = 0; i < m; i++) {
      updatePatientState(state, r.times[i] as number, r.values[i] as number);
      stateFeatures(state, demo, streamStart, buf);
      x.set(buf, k * FEATURE_COUNT);
      y[k] = r.aki && i === m - 1 ? 1 : 0;
      patient[k] = p;
      last[k] = i === m - 1 ? 1 : 0;
      k++;
    }
  });
  return { x, y, patient, last, n, patients: rows.length };
}

/** F3 and its parts at a threshold. */
export interface Evaluation {
  readonly f3: number;
  readonly precision: number;
  readonly recall: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/** Evaluates scores against labels at a threshold. */
export function evaluate(scores: ArrayLike<number>, y: ArrayLike<number>, threshold: number): Evaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = (scores[i] as number) >= threshold;
    const a = (y[i] as number) === 1;
    if (p && a) tp++;
    else if (p) fp++;
    else if (a) fn++;
    else tn++;
  }
  return { f3: fbeta(tp, fp, fn), precision: precision(tp, fp), recall: recall(tp, fn), tp, fp, fn, tn };
}

/**
 * The threshold that maximises F3 on (scores, labels): midway (in log-odds) between the lowest
 * score kept positive and the next lower score. Ties in F3 keep the higher threshold.
 */
export function bestThreshold(scores: ArrayLike<number>, y: ArrayLike<number>): { threshold: number; f3: number } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i] as number;
  let tp = 0;
  let fp = 0;
  let best = { threshold: 1, f3: -1 };
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if ((y[i] as number) === 1) tp++;
    else fp++;
    const s = scores[i] as number;
    const nextIdx = order[k + 1];
    const next = nextIdx === undefined ? undefined : (scores[nextIdx] as number);
    if (next !== undefined && next === s) continue; // only cut between distinct scores
    const f3 = fbeta(tp, fp, pos - tp);
    if (f3 > best.f3) {
      const logit = (p: number): number => Math.log(Math.max(p, 1e-15) / Math.max(1 - p, 1e-15));
      const t = next === undefined ? s / 2 : 1 / (1 + Math.exp(-(logit(s) + logit(next)) / 2));
      // Keep the cut strictly between the two scores even where the logit saturates.
      best = { threshold: next !== undefined && !(t > next && t <= s) ? s : t, f3 };
    }
  }
  return best;
}

/** The families training compares. */
export type Family = 'logistic' | 'gbdt';

/** Options of `trainModel`. */
export interface TrainOptions {
  readonly seed?: number;
  readonly folds?: number;
  readonly holdout?: number;
  readonly families?: readonly Family[];
  readonly gbdt?: Omit<GbdtOptions, 'features'>;
  /**
   * Start of the live period (ms). Undefined: inferred from each group of rows (see
   * `inferStreamStart`); null: none (every result counts as live).
   */
  readonly streamStart?: number | null;
  /** Where the rows came from (recorded in the model file's `training.sources`). */
  readonly sources?: readonly string[];
  /** Progress messages (one line each). */
  readonly log?: (message: string) => void;
}

/** What training reports alongside the model. */
export interface TrainReport {
  readonly examples: number;
  readonly positives: number;
  readonly patients: number;
  readonly seed: number;
  readonly families: Record<string, Assessed>;
  readonly chosen: Family;
  readonly noDemographics: Assessed;
}

const DEFAULT_GBDT: Omit<GbdtOptions, 'features'> = { rounds: 100, depth: 4, learningRate: 0.15, lambda: 1, minChildWeight: 1, bins: 255, skipGradient: 1e-3 };

function fit(family: Family, ex: Examples, rows: Uint32Array, features: readonly number[], gbdt: Omit<GbdtOptions, 'features'>): ScorerParams {
  if (family === 'logistic') return trainLogistic(ex.x, FEATURE_COUNT, ex.y, rows, { features, l2: 1e-4 });
  return trainGbdt(ex.x, FEATURE_COUNT, ex.y, rows, { ...gbdt, features });
}

function scoreRows(s: ScorerParams, ex: Examples, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const view = ex.x.subarray((rows[k] as number) * FEATURE_COUNT, ((rows[k] as number) + 1) * FEATURE_COUNT);
    out[k] = s.type === 'gbdt' ? gbdtScore(s, view) : logisticScore(s, view);
  }
  return out;
}

function pick<T extends ArrayLike<number>>(a: T, rows: Uint32Array): Uint8Array {
  const out = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = a[rows[k] as number] as number;
  return out;
}

function rowsOf(ex: Examples, keep: (patient: number) => boolean): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < ex.n; i++) if (keep(ex.patient[i] as number)) out.push(i);
  return Uint32Array.from(out);
}

export interface Assessed {
  readonly cvF3: number;
  readonly threshold: number;
  readonly holdout: Evaluation;
  readonly holdoutLast: Evaluation;
  /** Mean log loss on the held-out examples (a proper score: less noisy than F3 at one threshold). */
  readonly holdoutLogLoss: number;
  /**
   * Every patient scored by a model that never saw them (out-of-fold for development patients,
   * the development model for held-out ones), at the CV threshold: the comparison's evidence.
   */
  readonly unseen: Evaluation;
  readonly unseenLogLoss: number;
}

function logLoss(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(Math.max(scores[i] as number, 1e-12), 1 - 1e-12);
    s -= (y[i] as number) === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return scores.length > 0 ? s / scores.length : 0;
}

/** Trains a model file from labelled rows. Deterministic for a given seed and input. */
export function trainModel(rows: readonly PatientRow[], options: TrainOptions = {}): { file: ModelFile; report: TrainReport } {
  const inferred = options.streamStart === undefined ? inferStreamStart(rows) : options.streamStart === null ? Number.NaN : options.streamStart;
  const seed = options.seed ?? 1;
  const folds = options.folds ?? 3;
  const holdoutShare = options.holdout ?? 0.2;
  const families = options.families ?? ['logistic', 'gbdt'];
  const gbdt = { ...DEFAULT_GBDT, ...options.gbdt };
  const log = options.log ?? ((): void => {});
  const ex = buildExamples(rows, inferred);
  let positives = 0;
  for (let i = 0; i < ex.n; i++) positives += ex.y[i] as number;
  if (ex.n === 0 || positives === 0) throw new AkiError(AkiErrorCode.training, `cannot train: ${ex.n} examples, ${positives} positive`);
  log(`examples: ${ex.n} from ${ex.patients} patients, ${positives} positive; stream start ${Number.isNaN(inferred) ? 'none' : new Date(inferred).toISOString()}`);

  // Patient-level assignment: fold (0..folds-1) for development patients, -1 for held out.
  const rng = createRng(seed).stream('split');
  const order = Array.from({ length: ex.patients }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const fold = new Int32Array(ex.patients);
  const nHold = Math.round(ex.patients * holdoutShare);
  order.forEach((p, rank) => {
    fold[p] = rank < nHold ? -1 : (rank - nHold) % folds;
  });
  const dev = rowsOf(ex, (p) => (fold[p] as number) >= 0);
  const hold = rowsOf(ex, (p) => fold[p] === -1);
  const holdY = pick(ex.y, hold);
  const holdLastIdx = Uint32Array.from(Array.from(hold).filter((i) => ex.last[i] === 1));
  const holdLastY = pick(ex.y, holdLastIdx);

  const full = Array.from({ length: FEATURE_COUNT }, (_, i) => i);
  const noDemo = full.filter((i) => !DEMOGRAPHIC_FEATURES.includes(i));

  const assess = (family: Family, features: readonly number[]): Assessed => {
    const oofScores: number[] = [];
    const oofY: number[] = [];
    for (let f = 0; f < folds; f++) {
      const trainRows = rowsOf(ex, (p) => (fold[p] as number) >= 0 && fold[p] !== f);
      const testRows = rowsOf(ex, (p) => fold[p] === f);
      if (testRows.length === 0) continue;
      const s = scoreRows(fit(family, ex, trainRows, features, gbdt), ex, testRows);
      for (let k = 0; k < testRows.length; k++) {
        oofScores.push(s[k] as number);
        oofY.push(ex.y[testRows[k] as number] as number);
      }
    }
    const { threshold, f3: cvF3 } = bestThreshold(oofScores, oofY);
    const model = fit(family, ex, dev, features, gbdt);
    const holdScores = scoreRows(model, ex, hold);
    const holdout = evaluate(holdScores, holdY, threshold);
    const holdoutLogLoss = logLoss(holdScores, holdY);
    const holdoutLast = holdLastIdx.length > 0 ? evaluate(scoreRows(model, ex, holdLastIdx), holdLastY, threshold) : evaluate([], [], threshold);
    log(
      `${family}${features.length < FEATURE_COUNT ? ' (no demographics)' : ''}: CV F3 ${cvF3.toFixed(4)} at threshold ${threshold.toPrecision(4)}; ` +
        `held-out F3 ${holdout.f3.toFixed(4)} (P ${holdout.precision.toFixed(4)}, R ${holdout.recall.toFixed(4)}), log loss ${holdoutLogLoss.toFixed(5)}; ` +
        `held-out last-result F3 ${holdoutLast.f3.toFixed(4)}`,
    );
    const allScores = oofScores.concat(Array.from(holdScores));
    const allY = oofY.concat(Array.from(holdY));
    const unseen = evaluate(allScores, allY, threshold);
    const unseenLogLoss = logLoss(allScores, allY);
    log(`  on every patient unseen: F3 ${unseen.f3.toFixed(4)} (P ${unseen.precision.toFixed(4)}, R ${unseen.recall.toFixed(4)}), log loss ${unseenLogLoss.toFixed(5)}`);
    return { cvF3, threshold, holdout, holdoutLast, holdoutLogLoss, unseen, unseenLogLoss };
  };

  const results: Record<string, Assessed> = {};
  for (const fam of families) results[fam] = assess(fam, full);
  // F3 over every patient scored unseen decides, unless two families are within one AKI's
  // worth of F3 (1 / positives: noise at this size); then the lower log loss over the same
  // predictions (a proper score over every example, not one threshold) decides.
  const tolerance = 1 / positives;
  let chosen = families[0] as Family;
  for (const fam of families) {
    const a = results[fam] as Assessed;
    const b = results[chosen] as Assessed;
    const diff = a.unseen.f3 - b.unseen.f3;
    if (diff > tolerance || (Math.abs(diff) <= tolerance && a.unseenLogLoss < b.unseenLogLoss)) chosen = fam;
  }
  log(`chosen: ${chosen}`);
  const nd = assess(chosen, noDemo);
  const all = Uint32Array.from({ length: ex.n }, (_, i) => i);
  const fullSub: SubModel = { scorer: fit(chosen, ex, all, full, gbdt), threshold: (results[chosen] as Assessed).threshold };
  const ndSub: SubModel = { scorer: fit(chosen, ex, all, noDemo, gbdt), threshold: nd.threshold };
  const report: TrainReport = { examples: ex.n, positives, patients: ex.patients, seed, families: results, chosen, noDemographics: nd };
  const hash = (hashString(JSON.stringify([fullSub, ndSub])) >>> 0).toString(16).padStart(8, '0');
  const file: ModelFile = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    version: `${chosen}-s${seed}-${hash}`,
    kind: chosen,
    featureNames: [...FEATURE_NAMES],
    full: fullSub,
    noDemographics: ndSub,
    streamStart: Number.isNaN(inferred) ? null : inferred,
    training: { ...(options.sources ? { sources: [...options.sources] } : {}), ...report },
  };
  return { file, report };
}
