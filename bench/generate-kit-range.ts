/**
 * The kit profile against the course kit's own year (issue 3): for several seeds, a default year
 * (365 + 90 days, 10,000 people, 30 admissions a day) and each count next to the kit's reference
 * run (seed 7): 60,402 ORU^R01, 11,964 ADT^A01, 10,816 ADT^A03, 1,526 AKIs, 7,328 training rows,
 * NHS F3 on the stream 0.924. Target: each count within ±10%, F3 within 0.88–0.96.
 *
 *   npx tsx bench/generate-kit-range.ts [--seeds 1,2,3,4,5,6,7,8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '../src/generator/index.js';

const args = process.argv.slice(2);
const i = args.indexOf('--seeds');
const seeds = (i >= 0 ? (args[i + 1] ?? '') : '1,2,3,4,5,6,7,8').split(',').map(Number);
const REF = { oru: 60_402, a01: 11_964, a03: 10_816, akis: 1_526, training: 7_328, f3: 0.924 };
const work = mkdtempSync(path.join(tmpdir(), 'swemls-kit-range-'));
const pct = (got: number, want: number): string => `${got >= want ? '+' : ''}${(((got - want) / want) * 100).toFixed(1)}%`;
let worst = 0;
let f3min = Infinity;
let f3max = -Infinity;
const lines = ['| seed | ORU^R01 | ADT^A01 | ADT^A03 | AKIs | training rows | NHS F3 (stream) |', '|---|---|---|---|---|---|---|'];
try {
  for (const seed of seeds) {
    const out = path.join(work, String(seed));
    const s = await generate({ seed, out, profile: 'kit' });
    const cells: [number, number][] = [
      [s.messages['ORU^R01'], REF.oru],
      [s.messages['ADT^A01'], REF.a01],
      [s.messages['ADT^A03'], REF.a03],
      [s.akis, REF.akis],
      [s.trainingRows, REF.training],
    ];
    for (const [g, w] of cells) worst = Math.max(worst, Math.abs(g - w) / w);
    f3min = Math.min(f3min, s.nhs.f3);
    f3max = Math.max(f3max, s.nhs.f3);
    lines.push(`| ${seed} | ${cells.map(([g, w]) => `${g.toLocaleString('en-GB')} (${pct(g, w)})`).join(' | ')} | ${s.nhs.f3.toFixed(3)} |`);
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
lines.push(`| kit, seed 7 | ${REF.oru.toLocaleString('en-GB')} | ${REF.a01.toLocaleString('en-GB')} | ${REF.a03.toLocaleString('en-GB')} | ${REF.akis.toLocaleString('en-GB')} | ${REF.training.toLocaleString('en-GB')} | ${REF.f3} |`);
process.stdout.write(lines.join('\n') + '\n\n');
process.stdout.write(`largest count deviation ${(worst * 100).toFixed(1)}% (target ≤ 10%); NHS F3 ${f3min.toFixed(3)}–${f3max.toFixed(3)} (target 0.88–0.96)\n`);
