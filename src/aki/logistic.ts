/**
 * L2-regularised logistic regression, trained by Newton's method (IRLS) on standardised
 * features: exact, deterministic, no learning rate to tune. Features are passed through
 * `transform` first (log of ratios), which is what makes a linear model fit ratio rules.
 */

/** A trained logistic model, as stored in JSON. */
export interface LogisticParams {
  readonly type: 'logistic';
  /** Indices of the features used, in order. */
  readonly features: readonly number[];
  /** Per used feature: mean and scale of the transformed value. */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly weights: readonly number[];
  readonly bias: number;
}

/** The transform applied to each raw feature before standardising (logs of positive ratios). */
export function transformFeature(index: number, x: number): number {
  // Ratios (2–6, 8, 9) are multiplicative: their log is what a linear model can threshold.
  if ((index >= 2 && index <= 6) || index === 8 || index === 9) return Math.log(Math.max(x, 1e-3));
  if (index === 0) return Math.log(Math.max(x, 1e-3));
  return x;
}

/** Probability of AKI for one raw feature vector. */
export function logisticScore(p: LogisticParams, x: ArrayLike<number>): number {
  let z = p.bias;
  const f = p.features;
  for (let j = 0; j < f.length; j++) {
    const i = f[j] as number;
    z += (p.weights[j] as number) * ((transformFeature(i, x[i] as number) - (p.mean[j] as number)) / (p.scale[j] as number));
  }
  return 1 / (1 + Math.exp(-z));
}

/** Options of `trainLogistic`. */
export interface LogisticOptions {
  readonly features: readonly number[];
  readonly l2?: number;
  readonly iterations?: number;
}

/** Solves A x = b (A symmetric positive definite, n×n row-major) by Cholesky. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) l[i * n + i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i * n + j] = s / (l[j * n + j] as number);
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = s / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = s / (l[i * n + i] as number);
  }
  return x;
}

/**
 * Trains on rows of `x` (row-major, `width` raw features per row) with labels `y` (0/1),
 * optionally restricted to the rows listed in `rows`.
 */
export function trainLogistic(x: Float64Array, width: number, y: Uint8Array, rows: Uint32Array, options: LogisticOptions): LogisticParams {
  const feats = options.features;
  const d = feats.length;
  const n = rows.length;
  const l2 = options.l2 ?? 1e-3;
  // Transform and standardise into a dense design matrix.
  const m = new Float64Array(n * d);
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(1);
  for (let r = 0; r < n; r++) {
    const base = (rows[r] as number) * width;
    for (let j = 0; j < d; j++) {
      const fi = feats[j] as number;
      m[r * d + j] = transformFeature(fi, x[base + fi] as number);
    }
  }
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += m[r * d + j] as number;
    const mu = n > 0 ? s / n : 0;
    let v = 0;
    for (let r = 0; r < n; r++) v += ((m[r * d + j] as number) - mu) ** 2;
    const sd = n > 1 ? Math.sqrt(v / n) : 1;
    mean[j] = mu;
    scale[j] = sd > 1e-9 ? sd : 1;
    for (let r = 0; r < n; r++) m[r * d + j] = ((m[r * d + j] as number) - mu) / (scale[j] as number);
  }
  // Newton steps on the penalised log-likelihood; parameter vector [weights..., bias].
  const k = d + 1;
  const w = new Float64Array(k);
  const iterations = options.iterations ?? 25;
  for (let it = 0; it < iterations; it++) {
    const g = new Float64Array(k);
    const h = new Float64Array(k * k);
    for (let r = 0; r < n; r++) {
      let z = w[d] as number;
      for (let j = 0; j < d; j++) z += (w[j] as number) * (m[r * d + j] as number);
      const p = 1 / (1 + Math.exp(-z));
      const e = p - (y[rows[r] as number] as number);
      const s = Math.max(p * (1 - p), 1e-10);
      for (let a = 0; a < k; a++) {
        const xa = a === d ? 1 : (m[r * d + a] as number);
        g[a] = (g[a] as number) + e * xa;
        for (let b = 0; b <= a; b++) {
          const xb = b === d ? 1 : (m[r * d + b] as number);
          h[a * k + b] = (h[a * k + b] as number) + s * xa * xb;
        }
      }
    }
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < a; b++) h[b * k + a] = h[a * k + b] as number;
      if (a < d) {
        g[a] = (g[a] as number) + l2 * n * (w[a] as number);
        h[a * k + a] = (h[a * k + a] as number) + l2 * n;
      } else h[a * k + a] = (h[a * k + a] as number) + 1e-9;
    }
    const step = solveSpd(h, g, k);
    let maxStep = 0;
    for (let a = 0; a < k; a++) {
      w[a] = (w[a] as number) - (step[a] as number);
      maxStep = Math.max(maxStep, Math.abs(step[a] as number));
    }
    if (maxStep < 1e-8) break;
  }
  return {
    type: 'logistic',
    features: [...feats],
    mean,
    scale,
    weights: Array.from(w.subarray(0, d)),
    bias: w[d] as number,
  };
}
