/**
 * The `course` profile against the course's real 2025 data: per AKI age band, the share of AKI rows
 * and quantiles of the AKI ratio (AKI result ÷ median of the patient's earlier stream results);
 * overall AKI share and NHS F3 of the training file; and the baseline (patient mean ÷ the kit's
 * nominal mu) per multiplier band. Data generated with `--profile kit` is shown for contrast.
 * Prints Markdown (for docs/generator.md).
 *
 *   npx tsx bench/generate-compare-course.ts <dir-with-training.csv-and-test.csv> [--seeds 1,2,3,4,5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate, type GenerateSummary } from '../src/generator/index.js';
import { analyse, baselineRatios, fmt, quantile, readLabelled, type FileStats, type Row } from './generate-course-lib.js';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--') && !/^[\d,]+$/.test(a));
if (!dir) {
  // `npm run bench` runs every bench/*.ts without arguments: say why nothing ran, and do not fail.
  process.stdout.write('skipped: needs the course data directory (training.csv and test.csv, labelled)\nusage: npx tsx bench/generate-compare-course.ts <course-data-dir> [--seeds 1,2,3,4,5]\n');
  process.exit(0);
}
const si = args.indexOf('--seeds');
const seeds = (si >= 0 ? (args[si + 1] ?? '') : '1,2,3,4,5').split(',').map(Number);

const realTrain = readLabelled(path.join(dir, 'training.csv'));
const realTest = readLabelled(path.join(dir, 'test.csv'));
const work = mkdtempSync(path.join(tmpdir(), 'swemls-compare-'));

async function generated(profile: string): Promise<{ rows: Row[]; perSeed: FileStats[]; summaries: GenerateSummary[] }> {
  const rows: Row[] = [];
  const perSeed: FileStats[] = [];
  const summaries: GenerateSummary[] = [];
  for (const seed of seeds) {
    const out = path.join(work, `${profile}-${seed}`);
    summaries.push(await generate({ seed, out, profile }));
    const r = readLabelled(path.join(out, 'training.csv'));
    perSeed.push(analyse(r));
    rows.push(...r);
    rmSync(out, { recursive: true, force: true });
  }
  return { rows, perSeed, summaries };
}

try {
  const course = await generated('course');
  const kit = await generated('kit');
  const sets: [string, Row[]][] = [
    ['real 2025 (training + test)', [...realTrain, ...realTest]],
    [`course profile (seeds ${seeds.join(',')})`, course.rows],
    [`kit profile (seeds ${seeds.join(',')})`, kit.rows],
  ];
  const stats = sets.map(([name, rows]) => [name, analyse(rows)] as const);
  const out: string[] = [];
  const range = (xs: number[]): string => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  const rt = analyse(realTrain);
  const rtest = analyse(realTest);
  out.push('| | rows | AKI rows | NHS F3 on the training file |', '|---|---|---|---|');
  out.push(`| real 2025 training.csv | ${rt.rows} | ${(rt.akiShare * 100).toFixed(1)}% | ${fmt(rt.nhsF3)} |`);
  out.push(`| real 2025 test.csv | ${rtest.rows} | ${(rtest.akiShare * 100).toFixed(1)}% | ${fmt(rtest.nhsF3)} |`);
  for (const [name, g] of [
    ['course', course],
    ['kit', kit],
  ] as const) {
    const shares = g.perSeed.map((s) => s.akiShare * 100);
    const f3 = g.perSeed.map((s) => s.nhsF3);
    const n = g.perSeed.map((s) => s.rows);
    out.push(`| --profile ${name}, ${seeds.length} seeds (range) | ${Math.min(...n)}–${Math.max(...n)} | ${Math.min(...shares).toFixed(1)}–${Math.max(...shares).toFixed(1)}% | ${range(f3)} |`);
  }
  out.push('');
  out.push('Share of AKI rows per age band:', '', `| ages | ${stats.map(([n]) => n).join(' | ')} |`, `|---|${stats.map(() => '---').join('|')}|`);
  const bands = stats[0]?.[1].bands ?? [];
  bands.forEach((b, i) => {
    out.push(`| ${b.band[0]}–${b.band[1] > 150 ? '' : b.band[1]} | ${stats.map(([, s]) => `${((s.bands[i]?.share ?? 0) * 100).toFixed(1)}% (${s.bands[i]?.akiRows}/${s.bands[i]?.rows})`).join(' | ')} |`);
  });
  out.push('');
  out.push('AKI ratio (AKI result ÷ median of earlier stream results), quantiles 5 / 25 / 50 / 75 / 95%:', '', `| ages | ${stats.map(([n]) => n).join(' | ')} |`, `|---|${stats.map(() => '---').join('|')}|`);
  bands.forEach((b, i) => {
    out.push(
      `| ${b.band[0]}–${b.band[1] > 150 ? '' : b.band[1]} | ${stats
        .map(([, s]) => {
          const r = s.bands[i]?.ratios ?? [];
          return [0.05, 0.25, 0.5, 0.75, 0.95].map((q) => fmt(quantile(r, q), 2)).join(' / ');
        })
        .join(' | ')} |`,
    );
  });
  out.push('');
  out.push('Baseline (patient mean of ordinary results ÷ the kit\'s nominal mu), quantiles 10 / 50 / 90%:', '', `| ages | ${stats.map(([n]) => n).join(' | ')} |`, `|---|${stats.map(() => '---').join('|')}|`);
  for (const [lo, hi] of [
    [0, 17],
    [18, 29],
    [30, 49],
    [50, 64],
    [65, 200],
  ] as const) {
    out.push(
      `| ${lo}–${hi > 150 ? '' : hi} | ${sets
        .map(([, rows]) => {
          const x = baselineRatios(rows.filter((r) => r.age >= lo && r.age <= hi))
            .map((b) => b.x)
            .sort((a, b) => a - b);
          return [0.1, 0.5, 0.9].map((q) => fmt(quantile(x, q), 2)).join(' / ');
        })
        .join(' | ')} |`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
