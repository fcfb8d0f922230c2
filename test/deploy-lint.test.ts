// Lints of deploy/: the Dockerfile (dockerfile-utils + our rules), shell scripts (shellcheck),
// YAML (yamllint), and the Grafana dashboard (in sync, valid PromQL, known metric names).
// Each check is also shown failing on a broken input.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { checkDockerfile, contextProblems, inContext, parseInstructions } from '../deploy/scripts/check-dockerfile.js';
import { buildDashboard, dashboardPath, renderDashboard } from '../deploy/scripts/render-dashboard.js';
import { needTool, run } from './deploy-helpers.js';

const root = path.resolve(import.meta.dirname, '..');
const fixtures = path.join(root, 'test/fixtures/deploy');

/** Every shell script of deploy/. */
function shellScripts(): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.sh')) out.push(p);
    }
  };
  visit(path.join(root, 'deploy'));
  visit(path.join(root, 'scripts'));
  out.push(path.join(root, '.ci', 'run'));
  return out.sort();
}

describe('Dockerfile', () => {
  test('deploy/Dockerfile passes dockerfile-utils and our rules', () => {
    assert.deepEqual(checkDockerfile(readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8')), []);
  });

  test('its entry point is the compiled CLI entry, which exists as source', () => {
    const entry = parseInstructions(readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8')).filter((i) => i.keyword === 'ENTRYPOINT');
    assert.deepEqual(JSON.parse(entry.at(-1)?.args ?? 'null'), ['node', '/app/dist/cli/entry.js']);
    assert.ok(existsSync(path.join(root, 'src/cli/entry.ts')));
  });

  test('every file the Dockerfile copies from the context is let through by its .dockerignore; tests are not', () => {
    const dockerfile = readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8');
    const ignore = readFileSync(path.join(root, 'deploy/Dockerfile.dockerignore'), 'utf8');
    assert.deepEqual(contextProblems(dockerfile, ignore), []);
    assert.equal(inContext(ignore, 'src/aki/model.ts'), true);
    assert.equal(inContext(ignore, 'src/aki/model.test.ts'), false);
    assert.equal(inContext(ignore, 'node_modules/yaml/package.json'), false);
    assert.equal(inContext(ignore, 'test/trial.test.ts'), false);
    // Without its own line, scripts/build.mjs (which `npm run build` runs) would be left out.
    const problems = contextProblems(dockerfile, ignore.replace('!scripts/build.mjs\n', ''));
    assert.ok(problems.some((p) => /COPY scripts\/build\.mjs: the \.dockerignore leaves it out/.test(p)), problems.join('\n'));
  });

  test('a broken Dockerfile is reported on every count', () => {
    const problems = checkDockerfile(readFileSync(path.join(fixtures, 'Dockerfile.broken'), 'utf8'));
    const expected = [
      /Invalid containerPort: http/,
      /must be multi-stage/,
      /FROM node:latest must pin a tag/,
      /install with `npm ci`/,
      /production dependencies only/,
      /must not copy the whole context/,
      /must set a USER/,
      /ENTRYPOINT must be exec form/,
    ];
    for (const e of expected) assert.ok(problems.some((p) => e.test(p)), `${String(e)} in:\n${problems.join('\n')}`);
  });

  test('a root USER and a wrong entry point are reported', () => {
    const text = readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8').replace('USER 10001:10001', 'USER root').replace('/app/dist/cli/entry.js', '/app/dist/cli/main.js');
    const problems = checkDockerfile(text);
    assert.ok(problems.some((p) => /USER must not be root/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /ENTRYPOINT must run node \/app\/dist\/cli\/entry.js/.test(p)), problems.join('\n'));
  });
});

describe('shell scripts', () => {
  test('shellcheck passes on every shell script: deploy/, scripts/ and .ci/run', (t) => {
    if (!needTool(t, 'shellcheck', 'shellcheck (Debian: apt-get install shellcheck)')) return;
    const scripts = shellScripts();
    assert.ok(['state-guard.sh', 'build-image.sh', 'run-tests.sh', path.join('.ci', 'run')].every((n) => scripts.some((s) => s.endsWith(n))), scripts.join(', '));
    const r = run('shellcheck', ['--severity=style', ...scripts]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('shellcheck fails a script with unquoted variables', (t) => {
    if (!needTool(t, 'shellcheck', 'shellcheck (Debian: apt-get install shellcheck)')) return;
    const r = run('shellcheck', [path.join(fixtures, 'broken-script.sh')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /SC2086/);
  });
});

describe('YAML', () => {
  test('yamllint passes on deploy/', (t) => {
    if (!needTool(t, 'yamllint', 'yamllint (Debian: apt-get install yamllint)')) return;
    const r = run('yamllint', ['--strict', '-c', path.join(root, 'deploy/.yamllint.yaml'), path.join(root, 'deploy')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('yamllint fails a duplicated key and bad indentation', (t) => {
    if (!needTool(t, 'yamllint', 'yamllint (Debian: apt-get install yamllint)')) return;
    const r = run('yamllint', ['--strict', '-c', path.join(root, 'deploy/.yamllint.yaml'), path.join(fixtures, 'broken.yaml')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /duplication of key "name"/);
    assert.match(r.stdout, /wrong indentation/);
  });
});

describe('Grafana dashboard', () => {
  const exprs = (dashboard: Record<string, unknown>): string[] =>
    (dashboard.panels as { targets?: { expr: string }[] }[]).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  /** Grafana's variables replaced by values, so that promtool can parse the queries. */
  const concrete = (expr: string): string => expr.replaceAll('$__rate_interval', '1m').replaceAll('$group', '.*');

  /** Writes the queries as recording rules and runs promtool check rules on them. */
  function checkQueries(list: readonly string[], t: { after: (fn: () => void) => void }) {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-dash-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'dashboard.rules.yml');
    const rules = list.map((e, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(concrete(e))}\n`).join('');
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules}`);
    return run('promtool', ['check', 'rules', file]);
  }

  test('the committed JSON is what render-dashboard.ts writes', () => {
    assert.equal(readFileSync(dashboardPath, 'utf8'), renderDashboard(), 'run: node --import tsx deploy/scripts/render-dashboard.ts');
  });

  test('panels have unique ids, fit the 24-column grid and never overlap', () => {
    const panels = buildDashboard().panels as { id: number; gridPos: { x: number; y: number; w: number; h: number } }[];
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
    for (const [i, a] of panels.entries()) {
      assert.ok(a.gridPos.x + a.gridPos.w <= 24, `panel ${a.id} overflows`);
      for (const b of panels.slice(i + 1)) {
        const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        assert.ok(!overlap, `panels ${a.id} and ${b.id} overlap`);
      }
    }
  });

  test('every query is valid PromQL (promtool) and names only metrics that exist', (t) => {
    const list = exprs(buildDashboard());
    assert.ok(list.length >= 25, `${list.length} queries`);
    // Detector metric names, the simulator's course names and our recording rules.
    const recorded = (parse(readFileSync(path.join(root, 'deploy/k8s/base/monitoring/rules/simulator.rules.yml'), 'utf8')) as { groups: { rules: { record?: string }[] }[] }).groups
      .flatMap((g) => g.rules)
      .flatMap((r) => (r.record ? [r.record] : []));
    const known = new Set([
      ...recorded,
      'true_positives',
      'false_positives',
      'false_negatives',
      'messages_sent',
      'queue',
      'connections',
    ]);
    const detectorName = /^detector_(messages_total|acks_total|dead_letters_total|results_total|predictions_total|pages_sent_total|page_retries_total|pages_failed_total|outbox_depth|outbox_oldest_age_seconds|page_latency_seconds_bucket|processing_seconds_bucket|connected|reconnects_total|last_message_timestamp_seconds|creatinine_umol_per_litre_bucket|model_info|process_start_time_seconds|process_resident_memory_bytes)$/;
    for (const e of list) {
      // A metric name: an identifier followed by `{`, `[`, `)` or the end, outside label matchers and functions.
      const names = [...concrete(e).replace(/\{[^}]*\}/g, '{}').replace(/\b(by|without)\s*\([^)]*\)/g, '').matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[{[)]|$)/g)].map((m) => m[1] as string);
      const metricNames = names.filter((n) => !['sum', 'max', 'rate', 'increase', 'changes', 'time', 'histogram_quantile'].includes(n));
      assert.ok(metricNames.length > 0, `no metric in ${e}`);
      for (const n of metricNames) assert.ok(known.has(n) || detectorName.test(n), `unknown metric ${n} in ${e}`);
    }
    if (!needTool(t, 'promtool', 'promtool (Debian: apt-get install prometheus)')) return;
    const r = checkQueries(list, t);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('a query with a syntax error is caught', (t) => {
    if (!needTool(t, 'promtool', 'promtool (Debian: apt-get install prometheus)')) return;
    const r = checkQueries(['sum by (le) (rate(detector_page_latency_seconds_bucket[$__rate_interval])'], t);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /unclosed left parenthesis|parse error/);
  });
});
