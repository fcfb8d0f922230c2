/**
 * End to end against the real hospital: `swemls simulate` and `swemls detect` as processes on
 * loopback, a stream made by `swemls generate`, results read from the simulator's report
 * (exact scoring) and its durable event log (every page it received, duplicates included).
 * Every run uses `--rewind=false`: the detector reconnects after the simulator closes at the
 * end of the stream, and with the course's default (rewind on every connection) that replay
 * would start the scoring again.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRng } from '../src/core/random.js';
import { BIN, metricValue, repeatsNotAtAKill, spawnDetector, spawnSimulator, type SimulatorProcess } from './detector-helpers.js';

let tmp: string;
let data: string;
let run = 0;

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'det-sim-'));
  data = path.join(tmp, 'data');
  execFileSync(process.execPath, [BIN, 'generate', '--seed', '7', '--days', '7', '--history', '30', '--out', data], { stdio: 'ignore' });
});

after(() => rmSync(tmp, { recursive: true, force: true }));

interface Exact {
  tp: number;
  fp: number;
  fn: number;
  f3: number;
  nhs: { f3: number };
}
interface GroupReport {
  messages: { total: number; sent: number };
  exact: Exact;
  latency: { count: number; p50: number; p90: number; p99: number };
  faults: Record<string, number>;
}

function dirs() {
  run++;
  const d = { report: path.join(tmp, `report-${run}`), simState: path.join(tmp, `sim-${run}`), detState: path.join(tmp, `det-${run}`) };
  mkdirSync(d.simState, { recursive: true });
  return d;
}

function simArgs(d: ReturnType<typeof dirs>, extra: string[] = []): string[] {
  // --state-sync write: the event log survives a kill -9 of the simulator (not a power cut), and runs faster.
  return ['--messages', path.join(data, 'messages.mllp'), '--akis', path.join(data, 'aki.csv'), '--state', d.simState, '--state-sync', 'write', '--report', d.report, '--exit-when-done', '--grace', '2', ...extra];
}

/**
 * The clean run uses the shipped model (what `swemls detect` runs by default); the robustness
 * runs use the NHS algorithm, so they page often whatever the model, and compare with a clean
 * NHS run.
 */
function detArgs(sim: SimulatorProcess, d: ReturnType<typeof dirs>, extra: string[] = [], model = 'nhs'): string[] {
  return ['--mllp', sim.mllp, '--pager', sim.pager, '--state', d.detState, '--history', path.join(data, 'history.csv'), '--model', model, ...extra];
}

function report(d: ReturnType<typeof dirs>): GroupReport {
  return (JSON.parse(readFileSync(path.join(d.report, 'report.json'), 'utf8')) as { groups: GroupReport[] }).groups[0] as GroupReport;
}

/** Why the simulator dropped connections (from its event log). */
function disconnectReasons(d: ReturnType<typeof dirs>): string[] {
  const file = path.join(d.simState, 'hospital.events.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"disconnect"'))
    .map((l) => (JSON.parse(l) as { reason: string }).reason);
}

/** Pages the simulator received, from its event log: (MRN, time) → when (its `real`, ms), repeats included. */
function pagesReceived(d: ReturnType<typeof dirs>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const file = path.join(d.simState, 'hospital.events.jsonl');
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"type":"page"')) continue;
    const e = JSON.parse(line) as { mrn: string; time: number; real: number };
    const k = `${e.mrn},${e.time}`;
    out.set(k, [...(out.get(k) ?? []), e.real]);
  }
  return out;
}

function duplicates(pages: Map<string, number[]>): string[] {
  return [...pages].filter(([, t]) => t.length > 1).map(([k, t]) => `${k}×${t.length}`);
}

/** Polls the simulator until it has had `n` messages acknowledged; returns the position it saw. */
async function untilPosition(sim: SimulatorProcess, n: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const p = metricValue(await sim.metrics(), 'simulator_position');
    if (p >= n) return p;
    assert.ok(performance.now() - t0 < 30_000, `the replay did not reach message ${n} within 30 s (at ${p})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cleanRuns = new Map<string, { exact: Exact; pages: Map<string, number[]> }>();

/** A clean run with `model` ('nhs', or the shipped models/default.json). */
async function cleanRun(model = 'nhs') {
  const done = cleanRuns.get(model);
  if (done) return done;
  const d = dirs();
  const sim = await spawnSimulator(simArgs(d, ['--rewind=false']));
  const det = await spawnDetector(detArgs(sim, d, [], model));
  try {
    assert.equal((await sim.exited).code, 0);
    const r = report(d);
    const clean = { exact: r.exact, pages: pagesReceived(d) };
    assert.deepEqual(duplicates(clean.pages), []);
    assert.ok(r.latency.count > 0);
    cleanRuns.set(model, clean);
    return clean;
  } finally {
    det.child.kill('SIGKILL');
    sim.child.kill('SIGKILL');
  }
}

test('simulator clean run with the shipped model: exact F3 at least 0.98 and above the NHS baseline', { timeout: 120_000 }, async () => {
  const c = await cleanRun(path.resolve('models/default.json'));
  assert.ok(c.exact.f3 >= 0.98, `exact F3 ${c.exact.f3.toFixed(4)} (TP ${c.exact.tp} FP ${c.exact.fp} FN ${c.exact.fn}) should be ≥ 0.98`);
  assert.ok(c.exact.f3 > c.exact.nhs.f3, `exact F3 ${c.exact.f3.toFixed(4)} should beat NHS ${c.exact.nhs.f3.toFixed(4)}`);
});

test('simulator crash test: the detector is SIGKILLed at 5 random instants (--rewind=false); same TP/FP/FN, no page twice but one in flight at a kill', { timeout: 120_000 }, async () => {
  const ref = await cleanRun();
  const d = dirs();
  const sim = await spawnSimulator(simArgs(d, ['--rewind=false']));
  const rng = createRng('detector simulator crash test');
  const kills: number[] = [];
  let det = await spawnDetector(detArgs(sim, d, ['--sqlite-synchronous', 'normal']));
  try {
    const total = metricValue(await sim.metrics(), 'simulator_replay_messages');
    const killedAt: number[] = [];
    for (let k = 0; k < 5; k++) {
      // At a random message of the k-th fifth of the replay: a fixed sleep could land after the
      // end of a fast replay, and then the kill would test nothing.
      const at = rng.int(Math.floor((k * total) / 5), Math.floor(((k + 1) * total) / 5) - 100);
      killedAt.push(await untilPosition(sim, at));
      kills.push(Date.now());
      det.child.kill('SIGKILL');
      await det.exited;
      det = await spawnDetector(detArgs(sim, d, ['--sqlite-synchronous', 'normal']));
    }
    assert.ok(killedAt.every((p) => p < total), `every kill is mid-replay (at messages ${killedAt.join(', ')} of ${total})`);
    assert.equal((await sim.exited).code, 0);
    const r = report(d);
    assert.deepEqual({ tp: r.exact.tp, fp: r.exact.fp, fn: r.exact.fn }, { tp: ref.exact.tp, fp: ref.exact.fp, fn: ref.exact.fn });
    const receipts = pagesReceived(d);
    assert.deepEqual(repeatsNotAtAKill(receipts, kills), []);
    const repeats = [...receipts.values()].filter((t) => t.length > 1).length;
    assert.ok(repeats <= kills.length, `${repeats} pages repeated for ${kills.length} kills`);
  } finally {
    det.child.kill('SIGKILL');
    sim.child.kill('SIGKILL');
  }
});

for (const mode of ['error500', 'hang'] as const) {
  test(`simulator pager outage (${mode}): every page delivered, none twice, no feed timeout`, { timeout: 120_000 }, async () => {
    const ref = await cleanRun();
    const d = dirs();
    const plan = path.join(tmp, `plan-${mode}.yaml`);
    // Drawn per page attempt, not a window of time: however fast the replay runs, about a quarter
    // of the attempts fail (a hang holds the request 1 s, then answers 503 without recording it),
    // and the grace after the last ACK leaves time for the retries.
    writeFileSync(plan, `seed: 3\npager:\n  ${mode === 'hang' ? 'hang_rate: 0.25\n  hang_ms: 1000' : 'error_rate: 0.25'}\n`);
    const sim = await spawnSimulator(simArgs(d, ['--rewind=false', '--fault-plan', plan, '--grace', '10']));
    // A timeout longer than the hang: the detector waits for the 503 rather than abandoning the attempt.
    const det = await spawnDetector(detArgs(sim, d, ['--sqlite-synchronous', 'normal', '--pager-timeout-ms', '3000', '--page-retry-max-ms', '500']));
    try {
      assert.equal((await sim.exited).code, 0);
      const r = report(d);
      assert.ok((r.faults.pager_error500 ?? 0) + (r.faults.pager_hang ?? 0) > 0, 'the outage refused pages');
      assert.deepEqual({ tp: r.exact.tp, fp: r.exact.fp, fn: r.exact.fn }, { tp: ref.exact.tp, fp: ref.exact.fp, fn: ref.exact.fn });
      assert.deepEqual(duplicates(pagesReceived(d)), []);
      const m = await det.metrics();
      assert.ok(metricValue(m, 'detector_page_retries_total') > 0, 'refused pages were retried');
      assert.deepEqual(disconnectReasons(d).filter((r) => r.includes('timeout')), [], 'the feed never stalled into a timeout');
    } finally {
      det.child.kill('SIGKILL');
      sim.child.kill('SIGKILL');
    }
  });
}

test('simulator corrupt data: 1% corrupted messages, no crash, dead letters counted', { timeout: 120_000 }, async () => {
  const ref = await cleanRun();
  const d = dirs();
  const sim = await spawnSimulator(simArgs(d, ['--rewind=false', '--corrupt-rate', '0.01', '--fault-seed', '3']));
  const det = await spawnDetector(detArgs(sim, d, ['--sqlite-synchronous', 'normal']));
  try {
    assert.equal((await sim.exited).code, 0);
    const r = report(d);
    const injected = Object.entries(r.faults)
      .filter(([k]) => k.startsWith('corrupt'))
      .reduce((a, [, n]) => a + n, 0);
    assert.ok(injected > 0);
    const m = await det.metrics();
    const dead = metricValue(m, 'detector_dead_letters_total');
    // Some corruptions leave a readable message (a non-ASCII name, say): never more dead letters than corruptions.
    assert.ok(dead > 0 && dead <= injected, `${dead} dead letters for ${injected} corruptions`);
    assert.ok(r.exact.tp >= ref.exact.tp - injected, `TP ${r.exact.tp} vs clean ${ref.exact.tp} with ${injected} corruptions`);
    assert.equal(det.child.exitCode, null, 'the detector is still running');
  } finally {
    det.child.kill('SIGKILL');
    sim.child.kill('SIGKILL');
  }
});

test('the simulator is killed mid-replay and restarted: the detector reconnects within 2 s and the run completes', { timeout: 120_000 }, async () => {
  const ref = await cleanRun();
  const d = dirs();
  let sim = await spawnSimulator(simArgs(d, ['--rewind=false']));
  const det = await spawnDetector(detArgs(sim, d, ['--sqlite-synchronous', 'normal']));
  try {
    // Kill once a few hundred of the ~2,000 messages are acknowledged (a fixed sleep could land
    // after the end of a fast replay, and then nothing would be left to reconnect for).
    const total = metricValue(await sim.metrics(), 'simulator_replay_messages');
    await untilPosition(sim, 200);
    sim.child.kill('SIGKILL');
    await sim.exited;
    const [mllpPort, pagerPort, backPort] = [sim.mllp, sim.pager, sim.backstage].map((a) => a.slice(a.lastIndexOf(':') + 1));
    const reconnected = det.nextLog(/feed: connected/);
    sim = await spawnSimulator(simArgs(d, ['--rewind=false', '--mllp', mllpPort as string, '--pager', pagerPort as string, '--backstage', backPort as string]));
    const t0 = performance.now(); // the hospital is listening again
    const resumedAt = metricValue(await sim.metrics(), 'simulator_position');
    assert.ok(resumedAt >= 200 && resumedAt < total, `the restarted simulator resumes mid-replay (at ${resumedAt} of ${total})`);
    await reconnected;
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `reconnected ${ms.toFixed(0)} ms after the simulator listened again`);
    assert.equal((await sim.exited).code, 0);
    const r = report(d);
    assert.deepEqual({ tp: r.exact.tp, fn: r.exact.fn }, { tp: ref.exact.tp, fn: ref.exact.fn });
  } finally {
    det.child.kill('SIGKILL');
    sim.child.kill('SIGKILL');
  }
});
