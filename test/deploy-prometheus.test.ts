// Prometheus and Alertmanager: the rules pass `promtool check rules`; every alert fires in its
// `promtool test rules` case and stays quiet in another; a broken rule, a changed threshold, a
// bad config and bad metric text all fail; docs/operations.md has a runbook entry per alert.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { checkMetricsText, isToleratedFinding } from '../deploy/scripts/check-metrics.js';
import { kustomize, parseManifests } from '../deploy/scripts/validate-manifests.js';
import { needTool, run } from './deploy-helpers.js';
import { tracked } from './children.js';

const root = path.resolve(import.meta.dirname, '..');
const rulesDir = path.join(root, 'deploy/k8s/base/monitoring/rules');
const testsDir = path.join(root, 'deploy/prometheus/tests');
const fixtures = path.join(root, 'test/fixtures/deploy');
const installPromtool = 'promtool (Debian: apt-get install prometheus)';
const ruleFiles = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.rules.yml'))
  .map((f) => path.join(rulesDir, f));
const ruleTests = readdirSync(testsDir)
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => path.join(testsDir, f));

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}
function rulesOf(file: string): Rule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}
const alerts = ruleFiles.flatMap(rulesOf).filter((r) => r.alert !== undefined);

/** A temporary copy of deploy/ (rules and their tests keep their relative paths). */
function copyDeploy(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'deploy-prom-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(root, 'deploy'), path.join(dir, 'deploy'), { recursive: true });
  return dir;
}

describe('alert and recording rules', () => {
  test('promtool check rules accepts every rules file', (t) => {
    if (!needTool(t, 'promtool', installPromtool)) return;
    assert.ok(ruleFiles.length >= 2);
    const r = run('promtool', ['check', 'rules', ...ruleFiles]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('promtool test rules: every unit test passes', (t) => {
    if (!needTool(t, 'promtool', installPromtool)) return;
    const r = run('promtool', ['test', 'rules', ...ruleTests]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /FAILED/);
  });

  test('every alert has a case where it fires and a case where it stays quiet', () => {
    const fires = new Set<string>();
    const quiet = new Set<string>();
    for (const file of ruleTests) {
      const doc = parse(readFileSync(file, 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] };
      for (const tc of doc.tests) {
        for (const a of tc.alert_rule_test ?? []) (a.exp_alerts.length > 0 ? fires : quiet).add(a.alertname);
      }
    }
    for (const a of alerts) {
      assert.ok(fires.has(a.alert as string), `${String(a.alert)} has no test where it fires`);
      assert.ok(quiet.has(a.alert as string), `${String(a.alert)} has no test where it stays quiet`);
    }
  });

  test('every alert has a severity, a summary, a description and a runbook link into docs/operations.md', () => {
    assert.ok(alerts.length >= 8, `${alerts.length} alerts`);
    for (const a of alerts) {
      assert.match(a.labels?.severity ?? '', /^(critical|warning)$/, `${String(a.alert)} severity`);
      assert.ok(a.annotations?.summary, `${String(a.alert)} summary`);
      assert.ok(a.annotations?.description, `${String(a.alert)} description`);
      assert.equal(a.annotations?.runbook_url, `docs/operations.md#${String(a.alert).toLowerCase()}`);
    }
  });

  test('the detector alerts use only the detector\'s metric names (and up)', () => {
    const known = /^(up|detector_(messages_total|acks_total|dead_letters_total|results_total|predictions_total|pages_sent_total|page_retries_total|pages_failed_total|outbox_depth|outbox_oldest_age_seconds|page_latency_seconds_bucket|processing_seconds_bucket|connected|reconnects_total|last_message_timestamp_seconds|process_start_time_seconds|process_resident_memory_bytes))$/;
    const detector = rulesOf(path.join(rulesDir, 'detector.rules.yml'));
    for (const r of detector) {
      const names = r.expr.match(/\b(up|detector_[a-z_]+)\b/g) ?? [];
      assert.ok(names.length > 0, r.expr);
      for (const n of names) assert.match(n, known, `${String(r.alert)} uses ${n}`);
    }
  });

  test('a syntax error in a rule fails promtool check rules', (t) => {
    if (!needTool(t, 'promtool', installPromtool)) return;
    const dir = copyDeploy(t);
    const file = path.join(dir, 'deploy/k8s/base/monitoring/rules/detector.rules.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('expr: detector_outbox_oldest_age_seconds > 30', 'expr: detector_outbox_oldest_age_seconds >'));
    const r = run('promtool', ['check', 'rules', file]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /parse error|unexpected/);
  });

  test('a rule whose threshold drifts fails its unit test', (t) => {
    if (!needTool(t, 'promtool', installPromtool)) return;
    const dir = copyDeploy(t);
    const file = path.join(dir, 'deploy/k8s/base/monitoring/rules/detector.rules.yml');
    // 300 s instead of 30 s: the stuck page of the test (165 s) would no longer alert.
    writeFileSync(file, readFileSync(file, 'utf8').replace('detector_outbox_oldest_age_seconds > 30', 'detector_outbox_oldest_age_seconds > 300'));
    const r = run('promtool', ['test', 'rules', path.join(dir, 'deploy/prometheus/tests/detector.rules.test.yml')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /FAILED[\s\S]*DetectorPagesStuck/);
  });

  test('a rule that fires too eagerly fails its quiet case', (t) => {
    if (!needTool(t, 'promtool', installPromtool)) return;
    const dir = copyDeploy(t);
    const file = path.join(dir, 'deploy/k8s/base/monitoring/rules/detector.rules.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('expr: changes(detector_process_start_time_seconds[30m]) >= 2', 'expr: changes(detector_process_start_time_seconds[30m]) >= 1'));
    const r = run('promtool', ['test', 'rules', path.join(dir, 'deploy/prometheus/tests/detector.rules.test.yml')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /DetectorRestarting stays quiet after a single restart/);
  });
});

describe('Prometheus and Alertmanager configuration as deployed', () => {
  /** Writes a build's ConfigMaps where the pods mount them, rewritten under dir. */
  function mountConfigMaps(overlay: string, dir: string): { prometheus: string; alertmanager: string } {
    const objs = parseManifests(kustomize(path.join(root, overlay)));
    const data = (prefix: string): Record<string, string> =>
      (objs.find((o) => o.kind === 'ConfigMap' && String(o.metadata?.name).startsWith(prefix)) as { data: Record<string, string> }).data;
    mkdirSync(path.join(dir, 'etc/prometheus-rules'), { recursive: true });
    for (const [name, text] of Object.entries(data('prometheus-rules'))) writeFileSync(path.join(dir, 'etc/prometheus-rules', name), text);
    const prometheus = path.join(dir, 'prometheus.yml');
    writeFileSync(prometheus, (data('prometheus-config')['prometheus.yml'] ?? '').replaceAll('/etc/prometheus-rules/', `${dir}/etc/prometheus-rules/`));
    const alertmanager = path.join(dir, 'alertmanager.yml');
    writeFileSync(alertmanager, data('alertmanager-config')['alertmanager.yml'] ?? '');
    return { prometheus, alertmanager };
  }

  for (const overlay of ['deploy/k8s/overlays/groups/mimico', 'deploy/k8s/overlays/simulator']) {
    test(`${overlay}: promtool check config and amtool check-config accept what the pods mount`, (t) => {
      if (!needTool(t, 'kubectl', 'kubectl with kustomize')) return;
      if (!needTool(t, 'promtool', installPromtool)) return;
      if (!needTool(t, 'amtool', 'amtool (Debian: apt-get install prometheus-alertmanager)')) return;
      const dir = mkdtempSync(path.join(tmpdir(), 'deploy-cfg-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const { prometheus, alertmanager } = mountConfigMaps(overlay, dir);
      const p = run('promtool', ['check', 'config', prometheus]);
      assert.equal(p.status, 0, p.stdout + p.stderr);
      assert.match(p.stdout + p.stderr, /SUCCESS: \d+ rules found/);
      const a = run('amtool', ['check-config', alertmanager]);
      assert.equal(a.status, 0, a.stdout + a.stderr);
    });
  }

  test("a group's alerts carry its group label: the real Prometheus, run with the Deployment's args and env, reports external label group=<namespace>", async (t) => {
    if (!needTool(t, 'kubectl', 'kubectl with kustomize')) return;
    if (!needTool(t, 'prometheus', 'prometheus (Debian: apt-get install prometheus)')) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-prom-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const objs = parseManifests(kustomize(path.join(root, 'deploy/k8s/overlays/groups/mimico')));
    const deployment = objs.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'prometheus') as unknown as {
      metadata: { namespace: string };
      spec: { template: { spec: { containers: { args: string[]; env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }[] } } };
    };
    const c = deployment.spec.template.spec.containers[0]!;
    const groupEnv = c.env.find((e) => e.name === 'GROUP');
    assert.equal(groupEnv?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace', 'GROUP comes from the pod namespace');
    const { prometheus } = mountConfigMaps('deploy/k8s/overlays/groups/mimico', dir);
    // The Deployment's own args, with the paths moved under dir and a free loopback port.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const args = c.args
      .map((a) => a.replace(/^--config\.file=.*/, `--config.file=${prometheus}`).replace(/^--storage\.tsdb\.path=.*/, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`))
      .concat(`--web.listen-address=127.0.0.1:${port}`);
    const child = tracked(spawn('prometheus', args, { env: { ...process.env, GROUP: deployment.metadata.namespace }, stdio: 'ignore' }));
    t.after(() => child.kill('SIGKILL'));
    let config = '';
    for (let i = 0; i < 100 && !config; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/status/config`);
        if (res.ok) config = ((await res.json()) as { data: { yaml: string } }).data.yaml;
      } catch {
        // not up yet
      }
    }
    assert.ok(config, 'prometheus answered /api/v1/status/config');
    const global = (parse(config) as { global: { external_labels?: Record<string, string> } }).global;
    assert.deepEqual(global.external_labels, { group: 'mimico' });
    // Without the feature flag the label would be the literal text: the check above would fail.
    assert.ok(c.args.includes('--enable-feature=expand-external-labels'));
  });

  test('a config naming a missing rule file, and a broken Alertmanager route, are refused', (t) => {
    if (!needTool(t, 'kubectl', 'kubectl with kustomize')) return;
    if (!needTool(t, 'promtool', installPromtool)) return;
    if (!needTool(t, 'amtool', 'amtool (Debian: apt-get install prometheus-alertmanager)')) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-cfg-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { prometheus, alertmanager } = mountConfigMaps('deploy/k8s/overlays/groups/mimico', dir);
    writeFileSync(prometheus, readFileSync(prometheus, 'utf8').replace('detector.rules.yml', 'detectr.rules.yml'));
    const p = run('promtool', ['check', 'config', prometheus]);
    assert.notEqual(p.status, 0);
    assert.match(p.stdout + p.stderr, /does not point to an existing file/);
    writeFileSync(alertmanager, readFileSync(alertmanager, 'utf8').replace('receiver: default\n  group_by', 'receiver: nobody\n  group_by'));
    const a = run('amtool', ['check-config', alertmanager]);
    assert.notEqual(a.status, 0);
    assert.match(a.stdout + a.stderr, /undefined receiver "nobody"/);
  });
});

describe('promtool check metrics (hand-written metric text)', () => {
  const check = (name: string) => checkMetricsText(readFileSync(path.join(fixtures, name), 'utf8'));

  test('good detector and simulator text passes, with only the known findings accepted', (t) => {
    if (!needTool(t, 'promtool', installPromtool)) return;
    const d = check('detector-metrics.good.prom');
    assert.deepEqual(d.problems, []);
    assert.deepEqual(d.tolerated, ['detector_nodejs_active_handles_total non-counter metrics should not have "_total" suffix']);
    const s = check('simulator-metrics.good.prom');
    assert.deepEqual(s.problems, []);
    assert.ok(s.tolerated.every((x) => / no help text$/.test(x)), s.tolerated.join('\n'));
  });

  const broken: [string, RegExp][] = [
    ['metrics.counter-without-total.prom', /detector_pages_sent counter metrics should have "_total" suffix/],
    ['metrics.no-help.prom', /detector_outbox_depth no help text/],
    ['metrics.syntax-error.prom', /parsing error in line 3/],
    ['metrics.course-name-on-ours.prom', /simulator_results_sent counter metrics should have "_total" suffix/],
  ];
  for (const [name, expected] of broken) {
    test(`broken metric text fails: ${name}`, (t) => {
      if (!needTool(t, 'promtool', installPromtool)) return;
      const r = check(name);
      assert.ok(r.problems.some((p) => expected.test(p)), `expected ${String(expected)} in ${JSON.stringify(r)}`);
    });
  }

  test('only the listed findings are ever accepted', () => {
    assert.equal(isToleratedFinding('detector_nodejs_active_handles_total', 'non-counter metrics should not have "_total" suffix'), true);
    assert.equal(isToleratedFinding('detector_outbox_total', 'non-counter metrics should not have "_total" suffix'), false);
    assert.equal(isToleratedFinding('true_positives', 'no help text'), true);
    assert.equal(isToleratedFinding('true_positives', 'metric name has upper case'), false);
    assert.equal(isToleratedFinding('simulator_queue', 'no help text'), false);
  });
});

describe('docs/operations.md', () => {
  test('has a runbook entry for every alert: its heading (the runbook_url anchor), meaning and what to do', () => {
    const doc = readFileSync(path.join(root, 'docs/operations.md'), 'utf8');
    for (const a of alerts) {
      const name = String(a.alert);
      const at = doc.search(new RegExp(`^#{3,4} ${name}$`, 'm'));
      assert.ok(at >= 0, `no "### ${name}" heading`);
      const section = doc.slice(at).split(/\n#{2,4} /)[0] ?? '';
      assert.match(section, /\*\*Means:\*\*/, `${name}: no **Means:** line`);
      assert.match(section, /\*\*Do:\*\*/, `${name}: no **Do:** line`);
    }
  });
});
