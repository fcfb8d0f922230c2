// The Kubernetes manifests: every kustomization builds, every object validates against the
// Kubernetes schemas, unknown fields and the course's operational rules are caught, the
// per-group files match the groups file, and the state guard keeps or wipes /state as it should.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCohort, parseGroups, renderCohort, syncCohort } from '../deploy/scripts/render-cohort.js';
import {
  cliProblems,
  kustomizationDirs,
  kustomize,
  parseManifests,
  parseQuantity,
  policyProblems,
  schemaProblems,
  unknownFieldProblems,
  validateDirs,
  type K8sObject,
} from '../deploy/scripts/validate-manifests.js';
import { hasTool, needTool, run } from './deploy-helpers.js';

const root = path.resolve(import.meta.dirname, '..');
const k8s = path.join(root, 'deploy/k8s');
const installKubectl = 'kubectl with kustomize (preinstalled in the course image; Debian: kubernetes-client)';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('kustomize builds', () => {
  test('every base and overlay builds and validates: schemas, unknown fields, policy', async (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const dirs = kustomizationDirs();
    // The three bases, the simulator and namespaces overlays, and one overlay per group.
    const rel = dirs.map((d) => path.relative(k8s, d));
    for (const expected of ['base/detector', 'base/monitoring', 'base/simulator', 'overlays/simulator', 'overlays/namespaces', 'overlays/groups/mimico']) {
      assert.ok(rel.includes(expected), `${expected} is a kustomization (found ${rel.join(', ')})`);
    }
    const results = await validateDirs(dirs);
    for (const [dir, problems] of results) assert.deepEqual(problems, [], `${path.relative(root, dir)} has problems`);
  });

  test('a group overlay holds the detector, its volume, its Prometheus and its Alertmanager, in the group namespace', (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const objects = parseManifests(kustomize(path.join(k8s, 'overlays/groups/mimico')));
    const names = objects.map((o) => `${String(o.kind)}/${String(o.metadata?.name).replace(/-[a-z0-9]{10}$/, '')}`).sort();
    for (const n of ['Deployment/detector', 'PersistentVolumeClaim/detector-state', 'Service/detector', 'Deployment/prometheus', 'Deployment/alertmanager', 'ConfigMap/detector-feed']) {
      assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    }
    for (const o of objects) assert.equal(o.metadata?.namespace, 'mimico', `${String(o.kind)}/${String(o.metadata?.name)} namespace`);
    const feed = objects.find((o) => o.kind === 'ConfigMap' && String(o.metadata?.name).startsWith('detector-feed')) as Json;
    assert.equal(feed.data.MLLP_ADDRESS, 'group-mimico.simulator.svc.cluster.local:8440');
    assert.equal(feed.data.PAGER_ADDRESS, 'group-mimico.simulator.svc.cluster.local:8441');
  });

  test('the simulator overlay has a Service and a NetworkPolicy per group, mapping 8440/8441 to its ports', (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const objects = parseManifests(kustomize(path.join(k8s, 'overlays/simulator')));
    const groups = parseGroups(readFileSync(path.join(k8s, 'overlays/simulator/groups.yaml'), 'utf8')).groups;
    assert.ok(groups.length >= 2);
    for (const g of groups) {
      const svc = objects.find((o) => o.kind === 'Service' && o.metadata?.name === `group-${g.name}`) as Json;
      assert.ok(svc, `Service group-${g.name}`);
      assert.deepEqual(
        svc.spec.ports.map((p: Json) => [p.port, p.targetPort]),
        [
          [8440, g.mllp],
          [8441, g.pager],
        ],
      );
      const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata?.name === `group-${g.name}`) as Json;
      assert.deepEqual(np.spec.ingress[0].from[0].namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': g.name });
    }
    const groupsCm = objects.find((o) => o.kind === 'ConfigMap' && String(o.metadata?.name).startsWith('simulator-groups')) as Json;
    assert.deepEqual(parseGroups(groupsCm.data['groups.yaml']).groups, groups, 'the simulator reads the same groups file');
  });

  test('a broken kustomization fails the build with kubectl\'s message', (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-kust-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
    assert.throws(() => kustomize(dir), /kubectl kustomize .* failed: .*missing\.yaml/s);
  });
});

describe('validation catches broken manifests', () => {
  let objects: K8sObject[] = [];
  const fresh = (): K8sObject[] => structuredClone(objects);
  const detectorOf = (objs: K8sObject[]): Json => objs.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'detector') as Json;

  before(() => {
    if (hasTool('kubectl')) objects = parseManifests(kustomize(path.join(k8s, 'overlays/groups/mimico')));
  });

  test('the unbroken build has no problem (the baseline of the cases below)', async (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    assert.deepEqual([...(await schemaProblems(objects)), ...unknownFieldProblems(objects), ...policyProblems(objects)], []);
  });

  test('schema: a wrong type, a missing required field and an unknown kind', async (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const objs = fresh();
    detectorOf(objs).spec.replicas = 'one';
    detectorOf(objs).spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const svc = objs.find((o) => o.kind === 'Service') as Json;
    delete svc.apiVersion;
    objs.push({ apiVersion: 'v1', kind: 'Deploymint', metadata: { name: 'x' } });
    const problems = await schemaProblems(objs);
    assert.ok(problems.some((p) => /Deployment\/detector: .*replicas must be integer/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /containerPort must be integer/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /Service\/.*: missing or malformed apiVersion/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /unknown kind Deploymint/.test(p)), problems.join('\n'));
  });

  test('unknown fields: typos the schema check lets through are caught at any depth', (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const objs = fresh();
    const c = detectorOf(objs).spec.template.spec.containers[0];
    c.livenessprobe = c.livenessProbe; // lower-case p: a typo kubectl apply would drop
    c.readinessProbe.httpGet.paht = '/readyz';
    detectorOf(objs).spec.stratgy = { type: 'Recreate' };
    const pvc = objs.find((o) => o.kind === 'PersistentVolumeClaim') as Json;
    pvc.spec.resources.request = { storage: '1Gi' };
    assert.deepEqual(unknownFieldProblems(objs).sort(), [
      'Deployment/detector.spec.stratgy: unknown field',
      'Deployment/detector.spec.template.spec.containers[0].livenessprobe: unknown field',
      'Deployment/detector.spec.template.spec.containers[0].readinessProbe.httpGet.paht: unknown field',
      'PersistentVolumeClaim/detector-state.spec.resources.request: unknown field',
    ]);
  });

  // Each case breaks one rule; the check must name it.
  const policyCases: [string, (objs: K8sObject[]) => void, RegExp][] = [
    ['a rolling update', (o) => void (detectorOf(o).spec.strategy = { type: 'RollingUpdate' }), /strategy.type must be Recreate/],
    ['two replicas', (o) => void (detectorOf(o).spec.replicas = 2), /replicas must be 1/],
    ['/state on an emptyDir', (o) => void (detectorOf(o).spec.template.spec.volumes.find((v: Json) => v.name === 'state').persistentVolumeClaim = undefined), /\/state must be a PersistentVolumeClaim/],
    ['a 2 Gi memory limit', (o) => void (detectorOf(o).spec.template.spec.containers[0].resources.limits.memory = '2Gi'), /memory limit 2Gi is over the course's 1 Gi/],
    ['a 1500m CPU limit', (o) => void (detectorOf(o).spec.template.spec.containers[0].resources.limits.cpu = '1500m'), /CPU limit 1500m is over the course's 1 CPU/],
    ['no limits', (o) => void delete detectorOf(o).spec.template.spec.containers[0].resources.limits, /resources.limits.cpu and .memory must be set/],
    ['no liveness probe', (o) => void delete detectorOf(o).spec.template.spec.containers[0].livenessProbe, /needs a livenessProbe and a readinessProbe/],
    ['no readiness probe', (o) => void delete detectorOf(o).spec.template.spec.containers[0].readinessProbe, /needs a livenessProbe and a readinessProbe/],
    ['a selector the pod template does not carry', (o) => void (detectorOf(o).spec.selector.matchLabels = { 'app.kubernetes.io/name': 'detektor' }), /selector app.kubernetes.io\/name=detektor does not match the pod template's labels/],
    ['privilege escalation allowed', (o) => void (detectorOf(o).spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true), /allowPrivilegeEscalation must be false/],
    ['an envFrom naming a missing ConfigMap', (o) => void (detectorOf(o).spec.template.spec.containers[0].envFrom[0].configMapRef.name = 'detector-fead'), /envFrom refers to ConfigMap detector-fead, which is not in the build/],
    ['a volume naming a missing Secret', (o) => void detectorOf(o).spec.template.spec.volumes.push({ name: 'creds', secret: { secretName: 'pager-creds' } }), /volume creds refers to Secret pager-creds, which is not in the build/],
    ['a mount of an undefined volume', (o) => void detectorOf(o).spec.template.spec.containers[0].volumeMounts.push({ name: 'ghost', mountPath: '/ghost' }), /mounts volume ghost, which the pod does not define/],
    ['no /data mount', (o) => void (detectorOf(o).spec.template.spec.containers[0].volumeMounts = detectorOf(o).spec.template.spec.containers[0].volumeMounts.filter((m: Json) => m.mountPath !== '/data')), /must mount \/data/],
    ['no PAGER_ADDRESS', (o) => void delete (o.find((x) => x.kind === 'ConfigMap' && String(x.metadata?.name).startsWith('detector-feed')) as Json).data.PAGER_ADDRESS, /environment lacks PAGER_ADDRESS/],
    ['no init container for /data', (o) => void (detectorOf(o).spec.template.spec.initContainers = []), /an init container must fill the volume mounted at \/data/],
    ['no MLLP_ADDRESS', (o) => void delete (o.find((x) => x.kind === 'ConfigMap' && String(x.metadata?.name).startsWith('detector-feed')) as Json).data.MLLP_ADDRESS, /environment lacks MLLP_ADDRESS/],
    ['running as root', (o) => void (detectorOf(o).spec.template.spec.securityContext.runAsNonRoot = false), /runAsNonRoot must be true/],
    ['no scrape annotations', (o) => void delete detectorOf(o).spec.template.metadata.annotations, /needs prometheus.io\/scrape annotations or a ServiceMonitor/],
    ['a dangling PVC reference', (o) => void o.splice(o.findIndex((x) => x.kind === 'PersistentVolumeClaim'), 1), /refers to PersistentVolumeClaim detector-state, which is not in the build/],
    ['a Service selecting nothing', (o) => void ((o.find((x) => x.kind === 'Service' && x.metadata?.name === 'detector') as Json).spec.selector = { app: 'nope' }), /Service\/detector: selector matches no pod/],
    ['a Service naming a missing port', (o) => void ((o.find((x) => x.kind === 'Service' && x.metadata?.name === 'detector') as Json).spec.ports[0].targetPort = 'metrix'), /targetPort metrix is not a named container port/],
  ];
  for (const [name, breakIt, expected] of policyCases) {
    test(`policy: ${name} is reported`, (t) => {
      if (!needTool(t, 'kubectl', installKubectl)) return;
      const objs = fresh();
      breakIt(objs);
      const problems = policyProblems(objs);
      assert.ok(problems.some((p) => expected.test(p)), `expected ${String(expected)} in:\n${problems.join('\n')}`);
    });
  }

  test('policy: a simulator without --state on a volume is reported', (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const objs = parseManifests(kustomize(path.join(k8s, 'overlays/simulator')));
    assert.deepEqual(policyProblems(objs), []);
    const sim = objs.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'simulator') as Json;
    sim.spec.template.spec.containers[0].args = sim.spec.template.spec.containers[0].args.filter((a: string) => !a.startsWith('--state'));
    sim.spec.template.spec.containers[0].livenessProbe.httpGet.path = '/healthz';
    const problems = policyProblems(objs);
    assert.ok(problems.some((p) => /simulate needs --state/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /livenessProbe must be GET \/healthy/.test(p)), problems.join('\n'));
    // --state on a volume that is not a claim, and the default (loopback) address.
    const again = parseManifests(kustomize(path.join(k8s, 'overlays/simulator')));
    const sim2 = again.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'simulator') as Json;
    const c = sim2.spec.template.spec.containers[0];
    c.args = c.args.filter((a: string) => !a.startsWith('--addr'));
    const stateVolume = c.volumeMounts.find((m: Json) => m.mountPath === '/state').name;
    const v = sim2.spec.template.spec.volumes.find((x: Json) => x.name === stateVolume);
    delete v.persistentVolumeClaim;
    v.emptyDir = {};
    const p2 = policyProblems(again);
    assert.ok(p2.some((p) => /--state \/state must be on a PersistentVolumeClaim/.test(p)), p2.join('\n'));
    assert.ok(p2.some((p) => /simulate must listen on --addr=0.0.0.0 in a pod/.test(p)), p2.join('\n'));
  });

  test('policy: a Service port that the NetworkPolicies close is reported (the backstage port, which Prometheus scrapes)', (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const objs = parseManifests(kustomize(path.join(k8s, 'overlays/simulator')));
    assert.deepEqual(policyProblems(objs), []);
    objs.splice(
      objs.findIndex((o) => o.kind === 'NetworkPolicy' && o.metadata?.name === 'simulator-backstage'),
      1,
    );
    const problems = policyProblems(objs);
    assert.ok(problems.some((p) => /Service\/simulator-backstage: port 9001 .* allowed by none of the NetworkPolicies/.test(p)), problems.join('\n'));
  });

  test("cli: a container's args and env are parsed by its command's option table", async (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const sim = parseManifests(kustomize(path.join(k8s, 'overlays/simulator')));
    const det = fresh();
    assert.deepEqual([...(await cliProblems(sim)), ...(await cliProblems(det))], []);
    const simC = (sim.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'simulator') as Json).spec.template.spec.containers[0];
    simC.args = simC.args.map((a: string) => (a === '--replay-in-real-time' ? '--replay-in-realtime' : a)).concat('--rewind', 'false');
    const detC = detectorOf(det).spec.template.spec.containers[0];
    detC.env.push({ name: 'HISTORY_FILE', value: '/data/history.csv' }, { name: 'METRICS_PORT', value: 'eight thousand' });
    const problems = [...(await cliProblems(sim)), ...(await cliProblems(det))];
    assert.ok(problems.some((p) => /unknown option '--replay-in-realtime'/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /unexpected argument 'false'/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /env HISTORY_FILE is not a variable of swemls detect/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /METRICS_PORT/.test(p) && /expected an integer/.test(p)), problems.join('\n'));
  });

  test('quantities are read in the units Kubernetes uses', () => {
    assert.equal(parseQuantity('1'), 1);
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('512Mi'), 2 ** 29);
    assert.equal(parseQuantity('1G'), 1e9);
    assert.equal(parseQuantity(2), 2);
    assert.equal(parseQuantity('lots'), undefined);
  });
});

describe('cohort rendering from the groups file', () => {
  test('the committed per-group files are what the groups file renders to', () => {
    assert.deepEqual(syncCohort(k8s, true), [], 'run: node --import tsx deploy/scripts/render-cohort.ts');
  });

  test('--check fails when the groups file changed and the files were not rendered again', (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-cohort-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(path.join(k8s, 'overlays'), path.join(dir, 'overlays'), { recursive: true });
    const groupsFile = path.join(dir, 'overlays/simulator/groups.yaml');
    writeFileSync(groupsFile, readFileSync(groupsFile, 'utf8') + '  - name: newgroup\n    mllp: 9499\n    pager: 10499\n');
    const stale = syncCohort(dir, true);
    assert.ok(stale.includes('overlays/groups/newgroup/kustomization.yaml is missing'), stale.join('\n'));
    assert.ok(stale.includes('overlays/simulator/groups.generated.yaml is out of date'), stale.join('\n'));
    assert.deepEqual(syncCohort(dir, false), []);
    assert.deepEqual(syncCohort(dir, true), []);
    assert.ok(existsSync(path.join(dir, 'overlays/groups/newgroup/kustomization.yaml')));
    // Removing a group removes its overlay.
    writeFileSync(groupsFile, 'groups:\n  - name: solo\n    mllp: 9440\n    pager: 10440\n');
    assert.deepEqual(syncCohort(dir, false), []);
    assert.ok(!existsSync(path.join(dir, 'overlays/groups/mimico')));
    assert.ok(existsSync(path.join(dir, 'overlays/groups/solo/kustomization.yaml')));
  });

  test('a cohort of N groups renders N group overlays, N Services and N NetworkPolicies', () => {
    const n = 25;
    const text = 'groups:\n' + Array.from({ length: n }, (_, i) => `  - name: g${i}\n    mllp: ${9440 + i}\n    pager: ${10440 + i}\n`).join('');
    const { groups, problems } = parseGroups(text);
    assert.deepEqual(problems, []);
    const files = renderCohort(groups, parseCohort('run: spring-2\nimage: registry.example/swemls:1.2.3\n'));
    const overlays = [...files.keys()].filter((f) => f.startsWith('overlays/groups/'));
    assert.equal(overlays.length, n);
    const generated = parseManifests(files.get('overlays/simulator/groups.generated.yaml') ?? '');
    assert.equal(generated.filter((o) => o.kind === 'Service').length, n);
    assert.equal(generated.filter((o) => o.kind === 'NetworkPolicy').length, n);
    const g7 = files.get('overlays/groups/g7/kustomization.yaml') ?? '';
    assert.match(g7, /FEED_ID=group-g7\.simulator\.svc\.cluster\.local\/spring-2/);
    assert.match(g7, /newName: registry\.example\/swemls\n\s+newTag: 1\.2\.3/);
  });

  test('bad groups files are refused with every problem named', () => {
    const { problems } = parseGroups(
      [
        'groups:',
        '  - name: Mimico_1', // not a DNS label
        '    mllp: 9440',
        '    pager: 10440',
        '  - name: dup',
        '    mllp: 9001', // the backstage port
        '    pager: 80', // below 1024
        '  - name: dup',
        '    mllp: 9441',
        '    pager: 9441', // used twice
        '    mlp: 3', // unknown key
      ].join('\n'),
    );
    const expected = [/groups\[0\]: name "Mimico_1" must be a DNS label/, /dup.*mllp port 9001 is already used by the backstage/, /pager port 80 must be an integer 1024\.\.65535/, /name 'dup' is used twice/, /pager port 9441 is already used by dup's mllp port/, /unknown key 'mlp'/];
    for (const e of expected) assert.ok(problems.some((p) => e.test(p)), `${String(e)} in:\n${problems.join('\n')}`);
    assert.deepEqual(parseGroups('groups: []\n').problems, ['groups file needs a non-empty `groups:` list']);
    assert.match(parseGroups('groups: [\n').problems[0] ?? '', /not YAML/);
  });
});

describe('state guard (init container)', () => {
  const script = path.join(k8s, 'base/detector/state-guard.sh');
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'deploy-state-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const guard = (state: string, feed: string | undefined) => run('sh', [script], { env: { PATH: process.env.PATH, STATE_DIR: state, ...(feed === undefined ? {} : { FEED_ID: feed }) } });

  test('keeps the store for the same feed and wipes it for a new one, sparing lost+found', () => {
    const state = path.join(dir, 'state');
    mkdirSync(path.join(state, 'lost+found'), { recursive: true });
    writeFileSync(path.join(state, 'old.sqlite'), 'from before the guard');
    let r = guard(state, 'sim-a/run-1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /no feed recorded/);
    assert.ok(!existsSync(path.join(state, 'old.sqlite')), 'state of an unknown feed is wiped');
    assert.ok(existsSync(path.join(state, 'lost+found')));
    assert.equal(readFileSync(path.join(state, '.feed-id'), 'utf8'), 'sim-a/run-1\n');

    writeFileSync(path.join(state, 'detector.sqlite'), 'results of run 1');
    mkdirSync(path.join(state, 'sub'));
    r = guard(state, 'sim-a/run-1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /same feed/);
    assert.equal(readFileSync(path.join(state, 'detector.sqlite'), 'utf8'), 'results of run 1');

    r = guard(state, 'sim-b/run-1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /feed changed from 'sim-a\/run-1' to 'sim-b\/run-1'/);
    assert.ok(!existsSync(path.join(state, 'detector.sqlite')));
    assert.ok(!existsSync(path.join(state, 'sub')));
    assert.ok(existsSync(path.join(state, 'lost+found')));
    assert.equal(readFileSync(path.join(state, '.feed-id'), 'utf8'), 'sim-b/run-1\n');
  });

  test('refuses to run without FEED_ID or without the state directory', () => {
    const r = guard(path.join(dir, 'state2'), 'x');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /is not a directory/);
    mkdirSync(path.join(dir, 'state3'));
    const r2 = guard(path.join(dir, 'state3'), undefined);
    assert.notEqual(r2.status, 0);
    assert.match(r2.stderr, /FEED_ID must be set/);
  });

  test('the script is what the ConfigMap ships and the init container runs', (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const objs = parseManifests(kustomize(path.join(k8s, 'base/detector')));
    const cm = objs.find((o) => o.kind === 'ConfigMap' && String(o.metadata?.name).startsWith('detector-scripts')) as Json;
    assert.equal(cm.data['state-guard.sh'], readFileSync(script, 'utf8'));
    const dep = objs.find((o) => o.kind === 'Deployment') as Json;
    const guardInit = dep.spec.template.spec.initContainers.find((c: Json) => c.name === 'state-guard');
    assert.deepEqual(guardInit.command, ['/bin/sh', '/scripts/state-guard.sh']);
  });
});

describe('the operator commands of docs/operations.md', () => {
  test('render-cohort.ts --check passes here, and validate-manifests.ts exits 1 on a broken kustomization', (t) => {
    if (!needTool(t, 'kubectl', installKubectl)) return;
    const check = run(process.execPath, ['--import', 'tsx', path.join(root, 'deploy/scripts/render-cohort.ts'), '--check'], { cwd: root });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /up to date/);
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n  - deployment.yaml\n');
    writeFileSync(path.join(dir, 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: detector\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n        - name: d\n          image: swemls\n          args: [detect]\n          livenessprobe: {}\n');
    const r = run(process.execPath, ['--import', 'tsx', path.join(root, 'deploy/scripts/validate-manifests.ts'), dir], { cwd: root });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL/);
    assert.match(r.stdout, /livenessprobe: unknown field/);
    assert.match(r.stdout, /strategy.type must be Recreate/);
    assert.match(r.stdout, /must mount \/state/);
  });
});
