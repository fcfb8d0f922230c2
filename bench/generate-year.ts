/**
 * Benchmark: a year of the hospital (`swemls generate` with default options: 365 + 90 days,
 * 10,000 people, 30 admissions a day), end to end as a user runs it (a fresh process through
 * bin/swemls.js, so tsx start-up is included), measured with /usr/bin/time: wall seconds and
 * peak resident memory, and CPU seconds (user + sys, less sensitive to other load). Also the engine alone (in this process, after a warm-up), which leaves out
 * process start-up.
 *
 *   npx tsx bench/generate-year.ts [--runs N] [--profile kit|course]
 *
 * Targets (issue 3): ≤ 5 s wall, ≤ 300 MB peak. The course kit takes about 420 s (issue text).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '../src/generator/index.js';

const args = process.argv.slice(2);
const flag = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const runs = Number(flag('runs', '5'));
const profile = flag('profile', 'kit');
const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'bin', 'swemls.js');
const work = mkdtempSync(path.join(tmpdir(), 'swemls-bench-gen-'));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

try {
  const wall: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = path.join(work, `cli${i}`);
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', process.execPath, bin, 'generate', '--seed', String(i + 1), '--profile', profile, '--out', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`run ${i} failed: ${r.stderr}`);
    const last = r.stderr.trim().split('\n').pop() ?? '';
    const [sec, kb, user, sys] = last.split(' ').map(Number) as [number, number, number, number];
    wall.push(sec);
    rss.push(kb / 1024);
    cpu.push(user + sys);
    process.stdout.write(`cli run ${i + 1}: ${sec.toFixed(2)} s wall, ${(user + sys).toFixed(2)} s CPU, ${(kb / 1024).toFixed(0)} MB peak RSS — ${r.stdout.trim()}\n`);
    rmSync(out, { recursive: true, force: true });
  }
  // The engine alone, in process (after one warm-up run).
  await generate({ seed: 99, out: path.join(work, 'warm'), profile });
  const engine: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await generate({ seed: i + 1, out: path.join(work, `eng${i}`), profile });
    engine.push((performance.now() - t0) / 1000);
    rmSync(path.join(work, `eng${i}`), { recursive: true, force: true });
  }
  process.stdout.write(
    `\nprofile ${profile}, ${runs} runs, ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n` +
      `CLI end to end: median ${median(wall).toFixed(2)} s wall (min ${Math.min(...wall).toFixed(2)}, max ${Math.max(...wall).toFixed(2)}), median ${median(cpu).toFixed(2)} s CPU (user + sys), median peak RSS ${median(rss).toFixed(0)} MB (max ${Math.max(...rss).toFixed(0)})\n` +
      `engine in process: median ${median(engine).toFixed(2)} s (min ${Math.min(...engine).toFixed(2)}, max ${Math.max(...engine).toFixed(2)})\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
