/**
 * Gradient-boosted decision trees for binary classification (logistic loss, second-order
 * leaf values, histogram splits on quantile bins), hand-written so the model is a small
 * portable JSON file, training is deterministic and one prediction costs a few hundred ns.
 */

/** One tree in flat arrays; a leaf has `feature = -1` and its value in `value`. */
export interface TreeParams {
  readonly feature: readonly number[];
  readonly threshold: readonly number[];
  readonly left: readonly number[];
  readonly right: readonly number[];
  readonly value: readonly number[];
}

/** A trained boosted model, as stored in JSON. */
export interface GbdtParams {
  readonly type: 'gbdt';
  /** Indices of the features the trees may split on. */
  readonly features: readonly number[];
  readonly base: number;
  readonly trees: readonly TreeParams[];
}

/** Probability of AKI for one raw feature vector (`x[f] <= threshold` goes left). */
export function gbdtScore(p: GbdtParams, x: ArrayLike<number>): number {
  let z = p.base;
  for (const t of p.trees) {
    let node = 0;
    let f = t.feature[0] as number;
    while (f >= 0) {
      node = (x[f] as number) <= (t.threshold[node] as number) ? (t.left[node] as number) : (t.right[node] as number);
      f = t.feature[node] as number;
    }
    z += t.value[node] as number;
  }
  return 1 / (1 + Math.exp(-z));
}

/** Depth of a tree (a lone leaf has depth 0). */
function treeDepth(t: TreeParams, node = 0): number {
  if ((t.feature[node] as number) < 0) return 0;
  return 1 + Math.max(treeDepth(t, t.left[node] as number), treeDepth(t, t.right[node] as number));
}

/**
 * A scorer for the hot path, with the same result as `gbdtScore`: every tree laid out as a
 * complete binary tree of the forest's depth in flat typed arrays (a leaf above the bottom is
 * repeated below a split that always goes left), so scoring is a fixed number of index steps
 * per tree without chasing child pointers. Forests deeper than 10 keep the pointer walk.
 */
export function compileGbdt(p: GbdtParams): (x: ArrayLike<number>) => number {
  const depth = p.trees.reduce((d, t) => Math.max(d, treeDepth(t)), 0);
  const base = p.base;
  if (depth > 10) return (x) => gbdtScore(p, x);
  const inner = (1 << depth) - 1;
  const leaves = 1 << depth;
  const nTrees = p.trees.length;
  const feature = new Int32Array(nTrees * inner);
  const threshold = new Float64Array(nTrees * inner);
  const leaf = new Float64Array(nTrees * leaves);
  p.trees.forEach((t, k) => {
    const place = (node: number, pos: number, level: number): void => {
      const f = t.feature[node] as number;
      if (level === depth) {
        leaf[k * leaves + (pos - inner)] = t.value[node] as number;
        return;
      }
      if (f < 0) {
        feature[k * inner + pos] = 0;
        threshold[k * inner + pos] = Number.POSITIVE_INFINITY;
        place(node, 2 * pos + 1, level + 1);
        place(node, 2 * pos + 2, level + 1);
      } else {
        feature[k * inner + pos] = f;
        threshold[k * inner + pos] = t.threshold[node] as number;
        place(t.left[node] as number, 2 * pos + 1, level + 1);
        place(t.right[node] as number, 2 * pos + 2, level + 1);
      }
    };
    place(0, 0, 0);
  });
  return (x) => {
    let z = base;
    for (let k = 0; k < nTrees; k++) {
      const off = k * inner;
      let pos = 0;
      for (let l = 0; l < depth; l++) {
        pos = 2 * pos + ((x[feature[off + pos] as number] as number) <= (threshold[off + pos] as number) ? 1 : 2);
      }
      z += leaf[k * leaves + pos - inner] as number;
    }
    return 1 / (1 + Math.exp(-z));
  };
}

/** Options of `trainGbdt`. */
export interface GbdtOptions {
  readonly features: readonly number[];
  readonly rounds?: number;
  readonly depth?: number;
  readonly learningRate?: number;
  readonly lambda?: number;
  readonly minChildWeight?: number;
  readonly bins?: number;
  /** Rows whose |gradient| is at most this are left out of a round's tree (0: none). */
  readonly skipGradient?: number;
}

/** Quantile cut points of one feature over the training rows (ascending, distinct). */
function cutPoints(x: Float64Array, width: number, f: number, rows: Uint32Array, bins: number): Float64Array {
  const vals = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) vals[r] = x[(rows[r] as number) * width + f] as number;
  vals.sort();
  const cuts: number[] = [];
  for (let b = 1; b < bins; b++) {
    const v = vals[Math.min(vals.length - 1, Math.floor((b * vals.length) / bins))] as number;
    if (cuts.length === 0 || v > (cuts[cuts.length - 1] as number)) cuts.push(v);
  }
  // Place each cut midway to the next distinct value, so thresholds generalise between samples.
  const out = new Float64Array(cuts.length);
  for (let i = 0; i < cuts.length; i++) {
    const c = cuts[i] as number;
    // the smallest value strictly above c
    let lo = 0;
    let hi = vals.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((vals[mid] as number) > c) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo < vals.length ? (c + (vals[lo] as number)) / 2 : c;
  }
  return out;
}

/** Bin index: the number of cut points strictly below x (x ≤ cuts[b] ⟺ bin ≤ b). */
function binOf(cuts: Float64Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cuts[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Trains on rows of `x` (row-major, `width` raw features per row) with labels `y` (0/1),
 * restricted to the rows listed in `rows`. Deterministic: no sampling.
 */
export function trainGbdt(x: Float64Array, width: number, y: Uint8Array, rows: Uint32Array, options: GbdtOptions): GbdtParams {
  const feats = options.features;
  const nf = feats.length;
  const n = rows.length;
  const rounds = options.rounds ?? 120;
  const depth = options.depth ?? 4;
  const lr = options.learningRate ?? 0.15;
  const lambda = options.lambda ?? 1;
  const minChild = options.minChildWeight ?? 1;
  const nbins = Math.min(options.bins ?? 64, 255);
  const skip = options.skipGradient ?? 0;
  const cuts = feats.map((f) => cutPoints(x, width, f, rows, nbins));
  const binned = feats.map((f, j) => {
    const col = new Uint8Array(n);
    const c = cuts[j] as Float64Array;
    for (let r = 0; r < n; r++) col[r] = binOf(c, x[(rows[r] as number) * width + f] as number);
    return col;
  });
  let pos = 0;
  for (let r = 0; r < n; r++) pos += y[rows[r] as number] as number;
  const prior = Math.min(Math.max(pos / Math.max(n, 1), 1e-6), 1 - 1e-6);
  const base = Math.log(prior / (1 - prior));
  const score = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  // Histograms: per node, per feature, per bin: [grad sum, hess sum] interleaved.
  const stride = Math.max(...cuts.map((c) => c.length + 1), 1);
  const histSize = nf * stride * 2;
  const nbOf = cuts.map((c) => c.length + 1);
  const trees: TreeParams[] = [];
  const idx = new Uint32Array(n);
  const tmp = new Uint32Array(n);

  const build = (hist: Float64Array, start: number, end: number): void => {
    hist.fill(0);
    for (let j = 0; j < nf; j++) {
      const col = binned[j] as Uint8Array;
      const off = j * stride * 2;
      for (let k = start; k < end; k++) {
        const r = idx[k] as number;
        const b = off + 2 * (col[r] as number);
        hist[b] = (hist[b] as number) + (grad[r] as number);
        hist[b + 1] = (hist[b + 1] as number) + (hess[r] as number);
      }
    }
  };

  interface Node {
    id: number;
    start: number;
    end: number;
    hist: Float64Array;
  }

  for (let round = 0; round < rounds; round++) {
    // Rows the model already gets right with near certainty (|gradient| below `skip`) carry
    // almost no weight in any split or leaf; leaving them out of this round's tree is what
    // keeps training fast (most results are plainly ordinary). Deterministic: no sampling.
    let active = 0;
    for (let r = 0; r < n; r++) {
      const p = 1 / (1 + Math.exp(-(score[r] as number)));
      const g = p - (y[rows[r] as number] as number);
      grad[r] = g;
      hess[r] = Math.max(p * (1 - p), 1e-12);
      if (g > skip || g < -skip) idx[active++] = r;
    }
    const na = active;
    const feature: number[] = [-1];
    const threshold: number[] = [0];
    const left: number[] = [-1];
    const right: number[] = [-1];
    const value: number[] = [0];
    const rootHist = new Float64Array(histSize);
    build(rootHist, 0, na);
    let level: Node[] = [{ id: 0, start: 0, end: na, hist: rootHist }];
    for (let dpt = 0; dpt <= depth && level.length > 0; dpt++) {
      const next: Node[] = [];
      for (const node of level) {
        // Node totals from the first feature's histogram (every row falls in one of its bins).
        let G = 0;
        let H = 0;
        const nb0 = nbOf[0] as number;
        for (let b = 0; b < nb0; b++) {
          G += node.hist[2 * b] as number;
          H += node.hist[2 * b + 1] as number;
        }
        value[node.id] = (-G / (H + lambda)) * lr;
        if (dpt === depth || H < 2 * minChild) continue;
        const parentGain = (G * G) / (H + lambda);
        let bestGain = 1e-9;
        let bestF = -1;
        let bestBin = -1;
        for (let j = 0; j < nf; j++) {
          const nb = nbOf[j] as number;
          const off = j * stride * 2;
          let gl = 0;
          let hl = 0;
          for (let b = 0; b < nb - 1; b++) {
            gl += node.hist[off + 2 * b] as number;
            hl += node.hist[off + 2 * b + 1] as number;
            const hr = H - hl;
            if (hl < minChild || hr < minChild) continue;
            const gr = G - gl;
            const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentGain;
            if (gain > bestGain) {
              bestGain = gain;
              bestF = j;
              bestBin = b;
            }
          }
        }
        if (bestF < 0) continue;
        // Partition idx[start, end) stably: bin ≤ bestBin left.
        const col = binned[bestF] as Uint8Array;
        let w = node.start;
        for (let k = node.start; k < node.end; k++) if ((col[idx[k] as number] as number) <= bestBin) tmp[w++] = idx[k] as number;
        const mid = w;
        for (let k = node.start; k < node.end; k++) if ((col[idx[k] as number] as number) > bestBin) tmp[w++] = idx[k] as number;
        for (let k = node.start; k < node.end; k++) idx[k] = tmp[k] as number;
        const l = feature.length;
        feature.push(-1, -1);
        threshold.push(0, 0);
        left.push(-1, -1);
        right.push(-1, -1);
        value.push(0, 0);
        feature[node.id] = feats[bestF] as number;
        threshold[node.id] = (cuts[bestF] as Float64Array)[bestBin] as number;
        left[node.id] = l;
        right[node.id] = l + 1;
        // Histogram subtraction: scan the smaller child, derive the larger from the parent.
        const small = new Float64Array(histSize);
        const leftSmaller = mid - node.start <= node.end - mid;
        if (leftSmaller) build(small, node.start, mid);
        else build(small, mid, node.end);
        const large = node.hist;
        for (let i = 0; i < histSize; i++) large[i] = (large[i] as number) - (small[i] as number);
        const lh = leftSmaller ? small : large;
        const rh = leftSmaller ? large : small;
        next.push({ id: l, start: node.start, end: mid, hist: lh }, { id: l + 1, start: mid, end: node.end, hist: rh });
      }
      level = next;
    }
    // Internal nodes keep value 0 in the file (only leaves are read).
    for (let i = 0; i < feature.length; i++) if ((feature[i] as number) >= 0) value[i] = 0;
    trees.push({ feature, threshold, left, right, value });
    // Update the training scores: walk each row to its leaf.
    for (let r = 0; r < n; r++) {
      let node = 0;
      const rowBase = (rows[r] as number) * width;
      while ((feature[node] as number) >= 0) {
        const f = feature[node] as number;
        node = (x[rowBase + f] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
      }
      score[r] = (score[r] as number) + (value[node] as number);
    }
  }
  return { type: 'gbdt', features: [...feats], base, trees };
}
