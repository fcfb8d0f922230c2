/**
 * Fits the generator's `course` profile to the course's real data (labelled training-style CSVs).
 *
 *   npx tsx bench/generate-fit-course.ts <dir-with-training.csv-and-test.csv> [--write] [--seeds N] [--iterations N]
 *
 * Method (docs/generator.md § The course profile):
 * 1. AKI multiplier bands: for every AKI row, ratio = AKI result ÷ median(earlier results after the
 *    history boundary) — exactly the drawn multiplier. Ages are segmented by dynamic programming
 *    into bands, each a Uniform(low, high) whose MLE is (min, max), choosing the segmentation with
 *    the best BIC; low/high are then rounded to 0.05.
 * 2. Baseline multiplier bands: per patient, x = mean(ordinary results) ÷ the kit's nominal mu for
 *    sex and age. Ages are segmented the same way with a Gaussian cost; in each band, Uniform(a, b)
 *    (a, b on a 0.05 grid) is chosen to minimise the Kolmogorov–Smirnov distance between the real x
 *    and x simulated from the kit's mu model with the same patients' result counts.
 * 3. AKI age factors: starting from the kit's, the generator is run (seeds 1..N, a default year)
 *    and each band's factor is scaled by log(1 − real share) ÷ log(1 − generated share) until the
 *    per-band share of AKI rows matches the real one (fixed seeds: common random numbers).
 * Nothing from the data is written except the fitted figures (with --write: the profile file).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng } from '../src/core/random.js';
import { generate, loadProfile, validateProfile, type Profile } from '../src/generator/index.js';
import { AKI_AGE_BANDS, DAY_MS, EPOCH_MS, akiRatio, analyse, baselineRatios, fmt, readLabelled, type Row } from './generate-course-lib.js';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) {
  // `npm run bench` runs every bench/*.ts without arguments: say why nothing ran, and do not fail.
  process.stdout.write('skipped: needs the course data directory (training.csv and test.csv, labelled)\nusage: npx tsx bench/generate-fit-course.ts <course-data-dir> [--write] [--seeds N] [--iterations N]\n');
  process.exit(0);
}
const flag = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const write = args.includes('--write');
const seeds = flag('seeds', 3);
const iterations = flag('iterations', 5);
const historyDays = 90;

const rows: Row[] = [...readLabelled(path.join(dir, 'training.csv')), ...readLabelled(path.join(dir, 'test.csv'))];
process.stdout.write(`read ${rows.length} labelled rows from ${dir} (training.csv + test.csv)\n`);
const maxAge = rows.reduce((m, r) => Math.max(m, r.age), 0);

/** Optimal segmentation of ages 0..maxAge: minimises Σ cost(segment) + penalty per segment. */
function segment(cost: (lo: number, hi: number) => number, penalty: number): [number, number][] {
  const n = maxAge + 1;
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  for (let e = 1; e <= n; e++) {
    for (let s = 0; s < e; s++) {
      const c = (best[s] as number) + cost(s, e - 1) + penalty;
      if (c < (best[e] as number)) {
        best[e] = c;
        from[e] = s;
      }
    }
  }
  const segs: [number, number][] = [];
  for (let e = n; e > 0; e = from[e] as number) segs.unshift([from[e] as number, e - 1]);
  return segs;
}

// 1. AKI multiplier bands.
const boundary = EPOCH_MS + historyDays * DAY_MS;
const ratiosByAge: number[][] = Array.from({ length: maxAge + 1 }, () => []);
for (const r of rows) {
  const x = akiRatio(r, boundary);
  if (x !== undefined) (ratiosByAge[r.age] as number[]).push(x);
}
const totalRatios = ratiosByAge.reduce((s, a) => s + a.length, 0);
const akiSegs = segment((lo, hi) => {
  let n = 0;
  let mn = Infinity;
  let mx = -Infinity;
  for (let a = lo; a <= hi; a++) for (const x of ratiosByAge[a] as number[]) {
    n++;
    mn = Math.min(mn, x);
    mx = Math.max(mx, x);
  }
  if (n === 0) return 0;
  // −2 log L of Uniform(min, max); widths below 0.001 are CSV rounding (2 decimals), not signal.
  return 2 * n * Math.log(Math.max(mx - mn, 0.001));
}, 2 * Math.log(totalRatios));
const round05 = (x: number): number => Math.round(x * 20) / 20;
const akiMultipliers = akiSegs.map(([lo, hi]) => {
  const all = ratiosByAge.slice(lo, hi + 1).flat();
  const mn = Math.min(...all);
  const mx = Math.max(...all);
  return { lo, hi, n: all.length, min: mn, max: mx, low: round05(mn), high: round05(mx) };
});
process.stdout.write('\nAKI multiplier bands (ratio = AKI ÷ median of earlier stream results):\n');
for (const b of akiMultipliers) process.stdout.write(`  ages ${b.lo}-${b.hi}: n=${b.n} min ${b.min.toFixed(4)} max ${b.max.toFixed(4)} -> Uniform(${b.low}, ${b.high})\n`);

// 2. Baseline multiplier bands.
const kit = loadProfile('kit');
const base = baselineRatios(rows);
const baseByAge: (typeof base)[] = Array.from({ length: maxAge + 1 }, () => []);
for (const b of base) (baseByAge[b.age] as typeof base).push(b);
const baseSegs = segment((lo, hi) => {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let a = lo; a <= hi; a++) for (const b of baseByAge[a] as typeof base) {
    n++;
    s += b.x;
    s2 += b.x * b.x;
  }
  if (n < 2) return 0;
  const v = Math.max((s2 - (s * s) / n) / n, 1e-9);
  return n * Math.log(v);
}, 2 * Math.log(base.length));

function ks(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    if ((a[i] as number) <= (b[j] as number)) i++;
    else j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

function simulateBaseline(patients: typeof base, a: number, b: number, seed: number): number[] {
  const rng = createRng(seed);
  const out: number[] = [];
  for (const p of patients) {
    const band = kit.creatinine.bands.find((x) => x.sex === p.sex && p.age >= x.ageMin && p.age <= x.ageMax);
    if (!band) continue;
    for (let rep = 0; rep < 4; rep++) {
      const mu = Math.max(rng.normal(band.muMean, band.muSd), kit.creatinine.muMin[p.sex]);
      const m = rng.uniform(a, b);
      const mean = m * (mu + rng.normal(0, band.sigma / Math.sqrt(p.k)));
      out.push(mean / (p.sex === 'm' ? (p.age <= 50 ? 100 : 105) : p.age <= 50 ? 80 : 85));
    }
  }
  return out.sort((x, y) => x - y);
}

const baselineBands = baseSegs.map(([lo, hi], idx) => {
  const patients = baseByAge.slice(lo, hi + 1).flat();
  const real = patients.map((p) => p.x).sort((x, y) => x - y);
  let best = { a: 1, b: 1, d: Infinity };
  for (let ai = 6; ai <= 40; ai++) {
    for (let bi = ai; bi <= 60; bi++) {
      const a = ai / 20;
      const b = bi / 20;
      const d = ks(real, simulateBaseline(patients, a, b, 1000 + idx));
      if (d < best.d) best = { a, b, d };
    }
  }
  return { lo, hi, n: patients.length, low: best.a, high: best.b, ks: best.d };
});
process.stdout.write('\nBaseline multiplier bands (x = patient mean ÷ nominal mu):\n');
for (const b of baselineBands) process.stdout.write(`  ages ${b.lo}-${b.hi}: n=${b.n} -> Uniform(${b.low}, ${b.high}) (KS ${b.ks.toFixed(3)})\n`);

// 3. AKI age factors: the kit's age bands, split where a multiplier band edge falls inside one.
const ageMax = 200;
const edges = new Set<number>();
for (const [lo] of AKI_AGE_BANDS) edges.add(lo);
for (const s of akiSegs) edges.add(s[0]);
const starts = [...edges].sort((x, y) => x - y);
const kitBands = kit.aki.bands;
let bands = starts.map((lo, i) => {
  const hi = i + 1 < starts.length ? (starts[i + 1] as number) - 1 : ageMax;
  const m = akiMultipliers.find((s) => lo >= s.lo && lo <= s.hi) ?? akiMultipliers[akiMultipliers.length - 1];
  const k = kitBands.find((b) => lo >= b.ageMin && lo <= b.ageMax);
  return { ageMin: lo, ageMax: hi, factor: k?.factor ?? 1, low: m?.low ?? 2, high: m?.high ?? 2 };
});
// The last multiplier segment ends at the oldest age seen; it covers everyone older.
const lastSeg = baselineBands[baselineBands.length - 1];
if (lastSeg) lastSeg.hi = ageMax;

const realShares = bands.map((b) => {
  const inBand = rows.filter((r) => r.age >= b.ageMin && r.age <= b.ageMax);
  return inBand.length === 0 ? 0 : inBand.filter((r) => r.aki).length / inBand.length;
});

function profileWith(factorBands: typeof bands): Profile {
  return validateProfile(
    {
      ...kit,
      name: 'course',
      description: "Fitted to the course's 2025 coursework data (docs/generator.md).",
      creatinine: { ...kit.creatinine, multiplierBands: baselineBands.map((b) => ({ ageMin: b.lo, ageMax: b.hi, low: b.low, high: b.high })) },
      aki: { ...kit.aki, bands: factorBands },
    },
    'course (fitting)',
  );
}

// Factors used in each iteration (for the log).
const used: number[][] = [];
const work = mkdtempSync(path.join(tmpdir(), 'swemls-fit-'));
try {
  for (let it = 0; it <= iterations; it++) {
    const profile = profileWith(bands);
    const simRows: Row[] = [];
    for (let s = 1; s <= seeds; s++) {
      const out = path.join(work, `s${s}`);
      await generate({ seed: s, out, profile });
      simRows.push(...readLabelled(path.join(out, 'training.csv')));
    }
    const sim = bands.map((b) => {
      const inBand = simRows.filter((r) => r.age >= b.ageMin && r.age <= b.ageMax);
      return inBand.length === 0 ? 0 : inBand.filter((r) => r.aki).length / inBand.length;
    });
    const stats = analyse(simRows, historyDays);
    process.stdout.write(
      `\niteration ${it}: generated AKI share ${fmt(stats.akiShare)}, NHS F3 ${fmt(stats.nhsF3)}\n` +
        bands.map((b, i) => `  ages ${b.ageMin}-${b.ageMax}: factor ${b.factor.toFixed(4)} share real ${fmt(realShares[i] as number)} generated ${fmt(sim[i] as number)}`).join('\n') +
        '\n',
    );
    used.push(bands.map((b) => b.factor));
    if (it === iterations) break;
    bands = bands.map((b, i) => {
      const target = realShares[i] as number;
      const got = sim[i] as number;
      if (got <= 0 || got >= 1 || target <= 0 || target >= 1) return b;
      return { ...b, factor: b.factor * (Math.log(1 - target) / Math.log(1 - got)) };
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const sig3 = (x: number): number => Number(x.toPrecision(3));
// The generator draws each patient's AKI from their own stream, so a band's share moves smoothly
// and monotonically with its factor for fixed seeds: the last evaluated iterate is the fit.
bands = bands.map((b) => ({ ...b, factor: sig3(b.factor) }));
process.stdout.write(`\nfactors: iteration ${iterations} (${used.length} evaluated)\n`);

const yaml = [
  '# Fitted to the course\'s real 2025 data (training.csv and test.csv, labelled) by',
  '# bench/generate-fit-course.ts; docs/generator.md has the method and the comparison with the',
  '# real data. Everything not listed here is the kit\'s model (extends: kit).',
  'name: course',
  "description: Fitted to the course's 2025 coursework data (docs/generator.md).",
  'extends: kit',
  '',
  'creatinine:',
  '  multiplierBands:',
  ...baselineBands.map((b) => `    - { ageMin: ${b.lo}, ageMax: ${b.hi}, low: ${b.low}, high: ${b.high} }`),
  '',
  'aki:',
  '  bands:',
  ...bands.map((b) => `    - { ageMin: ${b.ageMin}, ageMax: ${b.ageMax}, factor: ${b.factor}, low: ${b.low}, high: ${b.high} }`),
  '',
].join('\n');
process.stdout.write(`\nfitted profile:\n${yaml}`);
if (write) {
  const target = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'src', 'generator', 'profiles', 'course.yaml');
  writeFileSync(target, yaml);
  loadProfile('course');
  process.stdout.write(`wrote ${target}\n`);
}
