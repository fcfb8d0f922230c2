/**
 * F-beta scoring and confusion counts, as the course marks predictions (F3: recall weighs nine
 * times as much as precision). Conventions follow the course kit's simulator (spec/simulator.md):
 * precision is 0 when TP+FP = 0, recall is 0 when TP+FN = 0, F is 0 when both are 0.
 */

/** Counts of a binary confusion matrix. */
export interface Confusion {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/** Precision, 0 when nothing was predicted positive. */
export function precision(tp: number, fp: number): number {
  return tp + fp === 0 ? 0 : tp / (tp + fp);
}

/** Recall, 0 when nothing was actually positive. */
export function recall(tp: number, fn: number): number {
  return tp + fn === 0 ? 0 : tp / (tp + fn);
}

/**
 * F-beta: `(1+β²)·P·R / (β²·P + R)`, 0 when P and R are both 0. Default β = 3 (the course's F3).
 */
export function fbeta(tp: number, fp: number, fn: number, beta = 3): number {
  const p = precision(tp, fp);
  const r = recall(tp, fn);
  const b2 = beta * beta;
  const denom = b2 * p + r;
  return denom === 0 ? 0 : ((1 + b2) * p * r) / denom;
}

/** An empty confusion matrix. */
export function createConfusion(): Confusion {
  return { tp: 0, tn: 0, fp: 0, fn: 0 };
}

/** Adds one (expected, predicted) pair to `c` and returns it. */
export function addOutcome(c: Confusion, expected: boolean, predicted: boolean): Confusion {
  if (expected) {
    if (predicted) c.tp++;
    else c.fn++;
  } else if (predicted) c.fp++;
  else c.tn++;
  return c;
}

/** Counts a confusion matrix from two equally long label lists. Throws on a length mismatch. */
export function confusion(expected: ArrayLike<boolean>, predicted: ArrayLike<boolean>): Confusion {
  if (expected.length !== predicted.length) {
    throw new RangeError(`expected ${expected.length} labels but got ${predicted.length} predictions`);
  }
  const c = createConfusion();
  for (let i = 0; i < expected.length; i++) addOutcome(c, expected[i] as boolean, predicted[i] as boolean);
  return c;
}

/** F-beta of a confusion matrix (default β = 3). */
export function confusionFbeta(c: Confusion, beta = 3): number {
  return fbeta(c.tp, c.fp, c.fn, beta);
}
