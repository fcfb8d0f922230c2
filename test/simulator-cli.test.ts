/**
 * `swemls simulate` as a process: start-up lines, the listening line, a full replay of generated
 * data with a paging client, --exit-when-done writing report.json and report.html.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { metrics, spawnSim, tmpDir } from './simulator-helpers.js';
import { akiKeys, runClient } from './simulator-client.js';
import { validateReport } from '../src/simulator/report.js';

/** Small generated data (3 days), shared by the tests of this file. */
export function generate(seed: number, days = 3): string {
  const dir = tmpDir('simgen-');
  const r = spawnSync(process.execPath, [path.resolve('bin/swemls.js'), 'generate', '--seed', String(seed), '--days', String(days), '--history', '10', '--out', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

test('a full replay with --exit-when-done exits 0 and writes both reports with both scorings', async () => {
  const data = generate(11);
  const report = path.join(data, 'report');
  const sim = await spawnSim(['--messages', 'messages.mllp', '--akis', 'aki.csv', '--report', report, '--exit-when-done', '--grace', '0.3'], { cwd: data });
  const err = sim.stderr();
  const frames = fs.readFileSync(path.join(data, 'messages.mllp')).filter((b) => b === 0x0b).length;
  assert.match(err, new RegExp(`hospital: ${frames} messages`));
  assert.match(err, /hospital: \d+ akis/);
  assert.match(err, /hospital: NHS f3 \d\.\d{6}/);
  const csv = fs.readFileSync(path.join(data, 'aki.csv'), 'utf8');
  const keys = akiKeys(csv);
  assert.ok(keys.size > 0, 'the generated data has AKIs');
  const before = await metrics(sim.backstage);
  assert.equal(before.values.queue, frames);
  const r = await runClient({ port: sim.mllp, pager: sim.pager, pageAt: keys });
  assert.equal(r.received, frames);
  assert.equal(r.pages, keys.size);
  const exit = await sim.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, sim.stderr());
  const rep = validateReport(JSON.parse(fs.readFileSync(path.join(report, 'report.json'), 'utf8')));
  const g = rep.groups[0]!;
  assert.equal(g.name, 'hospital');
  assert.equal(g.messages.sent, frames);
  assert.deepEqual({ tp: g.exact.tp, fp: g.exact.fp, fn: g.exact.fn, f3: g.exact.f3 }, { tp: keys.size, fp: 0, fn: 0, f3: 1 });
  assert.deepEqual({ tp: g.compatible.tp, fp: g.compatible.fp, fn: g.compatible.fn, f3: g.compatible.f3 }, { tp: keys.size, fp: 0, fn: 0, f3: 1 });
  assert.equal(g.latency.count, keys.size);
  assert.ok(g.latency.p50 > 0 && g.latency.max >= g.latency.p99 && g.latency.p99 >= g.latency.p90 && g.latency.p90 >= g.latency.p50);
  assert.equal(g.acks.AA, frames);
  const html = fs.readFileSync(path.join(report, 'report.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)/, 'no external resources');
});

test('a silent client: the exact scoring closes every AKI as missed at the end, the compatible one only those with a later result', async () => {
  const data = generate(12);
  const report = path.join(data, 'report');
  const sim = await spawnSim(['--messages', 'messages.mllp', '--akis', 'aki.csv', '--report', report, '--exit-when-done', '--grace', '0'], { cwd: data });
  await runClient({ port: sim.mllp, pager: sim.pager });
  assert.equal((await sim.exited).code, 0);
  const keys = akiKeys(fs.readFileSync(path.join(data, 'aki.csv'), 'utf8'));
  const g = validateReport(JSON.parse(fs.readFileSync(path.join(report, 'report.json'), 'utf8'))).groups[0]!;
  assert.equal(g.exact.fn, keys.size);
  assert.equal(g.exact.f3, 0);
  assert.ok(g.compatible.fn <= keys.size);
});

test('bad flags are reported together with exit status 2', () => {
  const r = spawnSync(process.execPath, [path.resolve('bin/swemls.js'), 'simulate', '--mllp=x', '--on-nak=maybe', '--bogus'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--mllp/);
  assert.match(r.stderr, /on-nak/);
  assert.match(r.stderr, /--bogus/);
});

test('a missing messages file is a clear error, not a crash', () => {
  const dir = tmpDir();
  const r = spawnSync(process.execPath, [path.resolve('bin/swemls.js'), 'simulate', '--messages', 'nope.mllp', '--akis', 'nope.csv', '--mllp=0', '--pager=0', '--backstage=0'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /SIM_ERR_INPUT.*nope\.mllp/);
});

test('the kit-run client modes on generated data: pages before/after the ACK, with and without a time, agree in both scorings', async () => {
  const { startSim } = await import('./simulator-helpers.js');
  const data = generate(13);
  const keys = akiKeys(fs.readFileSync(path.join(data, 'aki.csv'), 'utf8'));
  const modes = [
    { body: 'mrn,timestamp', pageMode: 'before' },
    { body: 'mrn', pageMode: 'before' },
    { body: 'mrn,timestamp', pageMode: 'after' },
  ] as const;
  const figures: unknown[] = [];
  for (const mode of modes) {
    const s = await startSim(['--messages=messages.mllp', '--akis=aki.csv'], data);
    try {
      const r = await runClient({ port: s.mllp, pager: s.pager, pageAt: keys, ...mode });
      assert.equal(r.pages, keys.size, JSON.stringify(mode));
      const m = await metrics(s.backstage);
      const exact = (n: string): number | undefined => m.all.find((x) => x.name === n && x.labels.includes('scoring="exact"'))?.value;
      figures.push({ tp: m.values.true_positives, fp: m.values.false_positives, fn: m.values.false_negatives, exactTp: exact('simulator_true_positives'), exactFp: exact('simulator_false_positives'), exactFn: exact('simulator_false_negatives') });
    } finally {
      await s.sim.close();
    }
  }
  assert.deepEqual(figures[0], { tp: keys.size, fp: 0, fn: 0, exactTp: keys.size, exactFp: 0, exactFn: 0 });
  assert.deepEqual(figures[1], figures[0]);
  assert.deepEqual(figures[2], figures[0]);
});
