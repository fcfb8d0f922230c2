/**
 * End to end over real sockets: `swemls detect` as a real process against a hospital feed
 * double (MLLP replay, position kept across connections like `simulate --rewind=false`) and a
 * pager double, on a stream made by `swemls generate`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRng } from '../src/core/random.js';
import { buildResultMessage, parseHl7, readCourseMessage, readMllpFile } from '../src/hl7/index.js';
import { parsePatientCsv } from '../src/aki/dataset.js';
import { trainModel } from '../src/aki/train.js';
import { BIN, metricValue, readExpected, scoreExact, spawnDetector, startFeedDouble, receiptsOf, repeatsNotAtAKill, startPagerDouble, waitForMetrics, type Expected } from './detector-helpers.js';

let tmp: string;
let data: string;
let frames: Buffer[];
let expected: Expected;
let modelPath: string;
/** Pages of clean runs (distinct) by model, the reference for the other runs. */
const cleanRuns = new Map<string, { pages: Set<string>; tp: number; fp: number; fn: number; f3: number }>();

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'det-e2e-'));
  data = path.join(tmp, 'data');
  execFileSync(process.execPath, [BIN, 'generate', '--seed', '7', '--days', '7', '--history', '30', '--out', data], { stdio: 'ignore' });
  frames = readMllpFile(path.join(data, 'messages.mllp')).frames;
  expected = readExpected(readFileSync(path.join(data, 'aki.csv'), 'utf8'));
  // The shipped model when there is one; else one trained on this hospital's training.csv.
  const shipped = path.resolve('models/default.json');
  if (existsSync(shipped)) modelPath = shipped;
  else {
    modelPath = path.join(tmp, 'model.json');
    const rows = parsePatientCsv(readFileSync(path.join(data, 'training.csv'), 'utf8')).rows;
    writeFileSync(modelPath, JSON.stringify(trainModel(rows, { families: ['logistic'] }).file));
  }
});

after(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Arguments of a detector run. The robustness runs use the NHS algorithm (`--model nhs`), so
 * they page often whatever the shipped model does; the F3 run uses the shipped model.
 */
function detectorArgs(feedPort: number, pagerPort: number, state: string, extra: string[] = [], model = 'nhs'): string[] {
  return ['--mllp', `127.0.0.1:${feedPort}`, '--pager', `127.0.0.1:${pagerPort}`, '--state', state, '--history', path.join(data, 'history.csv'), '--model', model, ...extra];
}

/** Runs the whole stream once with the default settings (fsync before every ACK). */
async function cleanRun(model = 'nhs') {
  const done = cleanRuns.get(model);
  if (done) return done;
  const feed = await startFeedDouble(frames);
  const pager = await startPagerDouble();
  const det = await spawnDetector(detectorArgs(feed.port, pager.port, path.join(tmp, `clean-${cleanRuns.size}`), [], model));
  try {
    await feed.done;
    const metrics = await det.metrics();
    const predicted = metricValue(metrics, 'detector_predictions_total', { outcome: 'aki' });
    await pager.waitFor(predicted);
    det.child.kill('SIGTERM');
    assert.deepEqual(await det.exited, { code: 0, signal: null });
    assert.equal(feed.timeouts, 0);
    const s = scoreExact(pager.pages, expected);
    assert.equal(s.duplicates, 0);
    const clean = { pages: new Set(pager.pages), tp: s.tp, fp: s.fp, fn: s.fn, f3: s.f3 };
    cleanRuns.set(model, clean);
    return clean;
  } finally {
    det.child.kill('SIGKILL');
    await feed.close();
    await pager.close();
  }
}

test('clean run with the shipped model: exact F3 at least 0.98 and above the NHS baseline; every page carries the OBR-7 time', { timeout: 120_000 }, async () => {
  const c = await cleanRun(modelPath);
  const obr7 = new Set<string>();
  for (const f of frames) {
    const m = readCourseMessage(parseHl7(f));
    if (m.kind === 'result') obr7.add(`${m.mrn},${m.timeText}`);
  }
  for (const p of c.pages) assert.ok(obr7.has(p), `page ${p} names a result's MRN and OBR-7 time`);
  assert.ok(c.f3 >= 0.98, `exact F3 ${c.f3.toFixed(4)} (TP ${c.tp}, FP ${c.fp}, FN ${c.fn}) should be ≥ 0.98`);
  assert.ok(c.f3 > expected.nhs.f3, `exact F3 ${c.f3.toFixed(4)} should beat the NHS baseline ${expected.nhs.f3.toFixed(4)}`);
});

test('crash test: SIGKILL at 5 random points during a replay; the same TP/FP/FN, no page twice but one in flight at a kill', { timeout: 120_000 }, async () => {
  const ref = await cleanRun();
  assert.ok(ref.pages.size >= 10, `the reference run pages ${ref.pages.size} times`);
  const feed = await startFeedDouble(frames);
  const pager = await startPagerDouble();
  const state = path.join(tmp, 'crash');
  const rng = createRng('detector crash test');
  const points = Array.from({ length: 5 }, () => rng.int(Math.floor(frames.length * 0.05), Math.floor(frames.length * 0.95))).sort((a, b) => a - b);
  const args = detectorArgs(feed.port, pager.port, state, ['--sqlite-synchronous', 'normal']);
  const kills: number[] = [];
  let det = await spawnDetector(args);
  try {
    for (const p of points) {
      await feed.reach(p);
      // Kill at a random instant after that ACK: between messages, mid-transaction or mid-page.
      await new Promise((r) => setTimeout(r, rng.int(0, 4)));
      kills.push(Date.now());
      det.child.kill('SIGKILL');
      assert.equal((await det.exited).signal, 'SIGKILL');
      det = await spawnDetector(args);
    }
    await feed.done;
    await pager.waitFor(ref.pages.size);
    det.child.kill('SIGTERM');
    assert.deepEqual(await det.exited, { code: 0, signal: null });
    const s = scoreExact(pager.pages, expected);
    assert.deepEqual({ tp: s.tp, fp: s.fp, fn: s.fn }, { tp: ref.tp, fp: ref.fp, fn: ref.fn });
    assert.deepEqual(new Set(pager.pages), ref.pages);
    assert.deepEqual(repeatsNotAtAKill(receiptsOf(pager), kills), [], 'a page was delivered twice that was not in flight at a kill');
    assert.ok(s.duplicates <= kills.length, `${s.duplicates} repeats for ${kills.length} kills`);
    assert.equal(feed.connections, points.length + 1);
    assert.equal(feed.timeouts, 0);
  } finally {
    det.child.kill('SIGKILL');
    await feed.close();
    await pager.close();
  }
});

for (const mode of ['error', 'hang'] as const) {
  test(`pager outage (${mode === 'error' ? 'HTTP 500' : 'hanging'}): every page delivered once after recovery, the feed never stalls`, { timeout: 120_000 }, async () => {
    const ref = await cleanRun();
    const feed = await startFeedDouble(frames);
    const pager = await startPagerDouble();
    const args = detectorArgs(feed.port, pager.port, path.join(tmp, `outage-${mode}`), ['--sqlite-synchronous', 'normal', '--pager-timeout-ms', '200', '--page-retry-max-ms', '400']);
    const det = await spawnDetector(args);
    try {
      await feed.reach(Math.floor(frames.length * 0.2));
      pager.mode = mode;
      // The outage lasts until the detector has retried at least one page (a hang is only noticed
      // when --pager-timeout-ms runs out), however fast the feed goes meanwhile.
      const during = await waitForMetrics(det, (m) => metricValue(m, 'detector_page_retries_total') > 0);
      pager.mode = 'ok';
      await feed.done;
      await pager.waitFor(ref.pages.size);
      det.child.kill('SIGTERM');
      assert.deepEqual(await det.exited, { code: 0, signal: null });
      assert.ok(pager.refused > 0, 'the outage refused some pages');
      assert.ok(metricValue(during, 'detector_outbox_depth') > 0, 'pages wait in the outbox during the outage');
      assert.deepEqual(new Set(pager.pages), ref.pages);
      assert.equal(pager.pages.length, ref.pages.size, 'no page twice');
      assert.equal(feed.timeouts, 0, 'no ACK waited for the pager');
      assert.equal(feed.connections, 1);
    } finally {
      det.child.kill('SIGKILL');
      await feed.close();
      await pager.close();
    }
  });
}

test('corrupt data: ~1% corrupted messages run to the end, counted as dead letters; only AKIs whose own result was corrupted are lost', { timeout: 120_000 }, async () => {
  const ref = await cleanRun();
  const rng = createRng('detector corrupt test');
  const kinds = ['value', 'pid', 'garbage', 'empty', 'time'] as const;
  const corrupted = new Set<number>();
  const lostAkis = new Set<string>();
  const sent = frames.map((f, i) => {
    if (i === 0 || !rng.chance(0.01)) return f;
    corrupted.add(i);
    const text = f.toString('latin1');
    const m = readCourseMessage(parseHl7(f));
    if (m.kind === 'result' && ref.pages.has(`${m.mrn},${m.timeText}`)) lostAkis.add(`${m.mrn},${m.timeText}`);
    switch (kinds[corrupted.size % kinds.length]) {
      case 'value':
        return Buffer.from(text.includes('OBX') ? text.replace(/CREATININE\|\|[^\r]*/, 'CREATININE||abc') : text.replace(/PID\|1\|\|\d+/, 'PID|1||X'), 'latin1');
      case 'pid':
        return Buffer.from(text.replace(/PID\|[^\r]*\r/, ''), 'latin1');
      case 'garbage':
        return Buffer.from(`\u0000garbage ${i}`, 'latin1');
      case 'empty':
        return Buffer.alloc(0);
      default:
        return Buffer.from(text.includes('OBR') ? text.replace(/OBR\|1\|\|\|\|\|\|\d+/, 'OBR|1||||||notatime') : text.replace(/^MSH\|/, 'MSX|'), 'latin1');
    }
  });
  assert.ok(corrupted.size >= 5, `${corrupted.size} messages corrupted`);
  const feed = await startFeedDouble(sent);
  const pager = await startPagerDouble();
  const det = await spawnDetector(detectorArgs(feed.port, pager.port, path.join(tmp, 'corrupt'), ['--sqlite-synchronous', 'normal']));
  try {
    await feed.done;
    const metrics = await det.metrics();
    assert.equal(metricValue(metrics, 'detector_dead_letters_total'), corrupted.size);
    assert.equal(metricValue(metrics, 'detector_acks_total', { code: 'AA' }), frames.length);
    await pager.waitFor(metricValue(metrics, 'detector_pages_sent_total') + metricValue(metrics, 'detector_outbox_depth'));
    det.child.kill('SIGTERM');
    assert.deepEqual(await det.exited, { code: 0, signal: null });
    const s = scoreExact(pager.pages, expected);
    const missing = [...ref.pages].filter((p) => !pager.pages.includes(p) && expected.akis.has(p));
    // Every AKI of the clean run is still paged unless its own message was corrupted.
    assert.deepEqual(missing.filter((p) => !lostAkis.has(p)), [], 'an AKI was lost although its own result arrived intact');
    assert.equal(s.tp, ref.tp - missing.length);
    assert.equal(feed.timeouts, 0);
  } finally {
    det.child.kill('SIGKILL');
    await feed.close();
    await pager.close();
  }
});

test('the hospital restarts: the detector reconnects within 2 s and carries on from where it was', { timeout: 60_000 }, async () => {
  const part = frames.slice(0, Math.min(frames.length, 600));
  const state = { position: 0, timeouts: 0 };
  let feed = await startFeedDouble(part, { state });
  const port = feed.port;
  const pager = await startPagerDouble();
  const det = await spawnDetector(detectorArgs(port, pager.port, path.join(tmp, 'restart'), ['--sqlite-synchronous', 'normal']));
  try {
    await feed.reach(200);
    await feed.close();
    const t0 = performance.now();
    feed = await startFeedDouble(part, { port, state });
    await new Promise<void>((r) => feed.once('connection', () => r()));
    const reconnectMs = performance.now() - t0;
    assert.ok(reconnectMs < 2000, `reconnected after ${reconnectMs.toFixed(0)} ms`);
    await feed.done;
    const metrics = await det.metrics();
    assert.equal(metricValue(metrics, 'detector_reconnects_total'), 1);
    assert.equal(metricValue(metrics, 'detector_connected'), 1);
    assert.equal(state.timeouts, 0);
  } finally {
    det.child.kill('SIGKILL');
    await feed.close();
    await pager.close();
  }
});

test('SIGTERM mid-stream: stops reading, closes cleanly, and a restart carries on with nothing lost', { timeout: 60_000 }, async () => {
  const part = frames.slice(0, Math.min(frames.length, 400));
  const feed = await startFeedDouble(part);
  const pager = await startPagerDouble();
  const args = detectorArgs(feed.port, pager.port, path.join(tmp, 'sigterm'), ['--sqlite-synchronous', 'normal']);
  let det = await spawnDetector(args);
  try {
    await feed.reach(150);
    det.child.kill('SIGTERM');
    assert.deepEqual(await det.exited, { code: 0, signal: null });
    det = await spawnDetector(args);
    await feed.done;
    const m = await det.metrics();
    // The restarted process saw only what was left (the store kept the rest, history was not reloaded).
    assert.ok(metricValue(m, 'detector_messages_total') <= part.length - 150 + 1);
    assert.ok(det.logs.some((l) => l.includes('history already in the store')));
  } finally {
    det.child.kill('SIGKILL');
    await feed.close();
    await pager.close();
  }
});

test('metrics: every detector metric has HELP and TYPE, and /healthz and /readyz answer', { timeout: 60_000 }, async () => {
  const feed = await startFeedDouble([Buffer.from(buildResultMessage({ time: Date.UTC(2024, 0, 1), mrn: '1', value: 90 }))]);
  const pager = await startPagerDouble();
  const det = await spawnDetector(detectorArgs(feed.port, pager.port, path.join(tmp, 'metrics'), ['--sqlite-synchronous', 'normal']));
  try {
    await feed.done;
    const text = await det.metrics();
    const names = [
      'detector_messages_total',
      'detector_acks_total',
      'detector_dead_letters_total',
      'detector_results_total',
      'detector_predictions_total',
      'detector_pages_sent_total',
      'detector_page_retries_total',
      'detector_pages_failed_total',
      'detector_outbox_depth',
      'detector_outbox_oldest_age_seconds',
      'detector_page_latency_seconds',
      'detector_processing_seconds',
      'detector_connected',
      'detector_reconnects_total',
      'detector_last_message_timestamp_seconds',
      'detector_creatinine_umol_per_litre',
      'detector_model_info',
      'detector_process_start_time_seconds',
    ];
    for (const n of names) {
      assert.match(text, new RegExp(`^# HELP ${n} `, 'm'), `HELP of ${n}`);
      assert.match(text, new RegExp(`^# TYPE ${n} `, 'm'), `TYPE of ${n}`);
    }
    assert.equal(metricValue(text, 'detector_results_total'), 1);
    assert.equal(metricValue(text, 'detector_model_info'), 1);
    const get = (p: string) => fetch(`http://127.0.0.1:${det.metricsPort}${p}`).then(async (r) => [r.status, await r.text()] as const);
    assert.deepEqual(await get('/healthz'), [200, 'ok\n']);
    const [status, body] = await get('/readyz');
    assert.equal(status, 200);
    assert.match(body, /ready \(feed connected\)/);
  } finally {
    det.child.kill('SIGKILL');
    await feed.close();
    await pager.close();
  }
});
