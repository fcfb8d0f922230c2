// The real services' live /metrics pass `promtool check metrics`, expose every metric the alert
// and recording rules use, and answer the probe paths the manifests name. Runs the real
// `swemls simulate` and `swemls detect` on loopback (port 0) against a small generated hospital.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { checkMetricsText } from '../deploy/scripts/check-metrics.js';
import { hasTool, run } from './deploy-helpers.js';
import { skipUnless } from './tools.js';
import { tracked } from './children.js';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'bin/swemls.js');
const rulesDir = path.join(root, 'deploy/k8s/base/monitoring/rules');

/** Metric names a rules file reads (series selectors), without the histogram suffix stripped. */
function metricsUsedBy(file: string, prefix: RegExp): Set<string> {
  const doc = parse(readFileSync(path.join(rulesDir, file), 'utf8')) as { groups: { rules: { expr: string; record?: string }[] }[] };
  const recorded = new Set(doc.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
  const names = new Set<string>();
  for (const r of doc.groups.flatMap((g) => g.rules)) {
    const text = r.expr.replace(/\{[^}]*\}/g, '').replace(/\b(by|on|without)\s*\([^)]*\)/g, '');
    for (const m of text.matchAll(/\b([a-z_][a-z0-9_]*)\b/g)) {
      const n = m[1] as string;
      if (prefix.test(n) && !recorded.has(n)) names.add(n);
    }
  }
  return names;
}

/** Starts a CLI command; resolves with the process and the first stdout/stderr line matching `ready`. */
function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = tracked(spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  return new Promise((resolve, reject) => {
    const onLine = (line: string): void => {
      output += line + '\n';
      const m = ready.exec(line);
      if (m) resolve({ child, match: m, output: () => output });
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => reject(new Error(`swemls ${args[0]} exited ${String(code)} before it was ready:\n${output}`)));
    child.once('error', reject);
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Fetches text, asserting 200. */
async function get(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  return res.text();
}

/** Polls `read` until `done` holds (the services move on their own; bounded by `ms`). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (performance.now() > deadline) throw new Error(`condition not met within ${ms} ms; last value:\n${String(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Which command, if any, is still the placeholder. */
function notBuilt(): string | undefined {
  for (const cmd of ['generate', 'simulate', 'detect']) {
    const r = run(process.execPath, [cli, cmd, '--help']);
    if (/not built yet/.test(r.stdout + r.stderr)) return cmd;
  }
  return undefined;
}

describe('live /metrics of the real simulator and detector', () => {
  const missing = notBuilt();
  const skip = skipUnless(missing === undefined, `swemls ${missing ?? ''} is not built yet`) || skipUnless(hasTool('promtool'), 'promtool not installed: apt-get install prometheus');

  let dir = '';
  let simulator: ChildProcess | undefined;
  let detector: ChildProcess | undefined;
  let backstage = '';
  let pagerMetrics = '';
  let detectorBase = '';

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), 'deploy-live-'));
    const data = path.join(dir, 'data');
    const gen = run(process.execPath, [cli, 'generate', '--seed', '3', '--days', '4', '--history', '20', '--population', '800', '--admits', '30', '--out', data]);
    assert.equal(gen.status, 0, gen.stderr);
    const sim = await start(
      ['simulate', '--messages', path.join(data, 'messages.mllp'), '--akis', path.join(data, 'aki.csv'), '--mllp', '0', '--pager', '0', '--backstage', '0', '--addr', '127.0.0.1'],
      /listening mllp=([^ ]+) pager=([^ ]+) backstage=([^ ]+)/,
    );
    simulator = sim.child;
    const [, mllp, pager, back] = sim.match;
    backstage = `http://${String(back)}`;
    pagerMetrics = `http://${String(pager)}/metrics`;
    const det = await start(
      ['detect', '--mllp', String(mllp), '--pager', String(pager), '--history', path.join(data, 'history.csv'), '--state', path.join(dir, 'state'), '--metrics-port', '0', '--metrics-host', '127.0.0.1'],
      /listening metrics=(\S+)/,
    );
    detector = det.child;
    detectorBase = `http://${String(det.match[1])}`;
  });

  after(async () => {
    await stop(detector);
    await stop(simulator);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the detector: promtool-clean, every metric the alerts use, probes answer', { skip }, async () => {
    // Wait until it has taken messages (pages included), so that labelled series exist.
    const text = await until(() => get(`${detectorBase}/metrics`), (t) => /^detector_pages_sent_total [1-9]/m.test(t), 30_000);
    const check = checkMetricsText(text);
    assert.deepEqual(check.problems, [], 'promtool check metrics findings');
    const used = metricsUsedBy('detector.rules.yml', /^detector_/);
    assert.ok(used.size >= 10, `only ${[...used].join(', ')}`);
    for (const name of used) {
      // A labelled counter with nothing counted yet shows only its HELP and TYPE lines.
      const family = name.replace(/_bucket$/, '');
      assert.ok(new RegExp(`^# TYPE ${family} `, 'm').test(text), `${name} (used by an alert) is not exposed`);
    }
    await get(`${detectorBase}/healthz`);
    await get(`${detectorBase}/readyz`);
  });

  test('the simulator: promtool-clean backstage and pager /metrics, every metric the rules use, /healthy answers', { skip }, async () => {
    const text = await until(() => get(`${backstage}/metrics`), (t) => /^simulator_page_latency_seconds_bucket\{/m.test(t), 30_000);
    const check = checkMetricsText(text);
    assert.deepEqual(check.problems, [], 'promtool check metrics findings on the backstage port');
    const used = metricsUsedBy('simulator.rules.yml', /^(simulator_|f3_score|nhs_f3_score|latencies_90|queue|connections)/);
    assert.deepEqual([...used].sort(), ['connections', 'f3_score', 'latencies_90', 'nhs_f3_score', 'queue', 'simulator_f3_score', 'simulator_page_latency_seconds_bucket']);
    for (const name of used) {
      assert.ok(new RegExp(`^${name}\\{[^}]*group="hospital"`, 'm').test(text), `${name} (used by a rule) is not exposed with a group label`);
    }
    assert.ok(/^simulator_f3_score\{[^}]*scoring="exact"/m.test(text), 'simulator_f3_score{scoring="exact"} is not exposed');
    const pagerText = await get(pagerMetrics);
    assert.deepEqual(checkMetricsText(pagerText).problems, [], 'promtool check metrics findings on the pager port');
    await get(`${backstage}/healthy`);
  });
});
