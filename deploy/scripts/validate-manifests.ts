/**
 * Validates the Kubernetes objects that `kubectl kustomize` builds from deploy/k8s, offline:
 *   1. schema: every object against the Kubernetes 1.27 schemas of kubernetes-models (types,
 *      required fields, enums);
 *   2. unknown fields: kubernetes-models ignores keys it does not know (a typo such as
 *      `livenessprobe` passes it), so every key is also checked against the models' TypeScript
 *      declarations, walked with the TypeScript checker;
 *   3. policy: the mistakes students made every year (state lost on restart, rolling updates that
 *      run two detectors against one feed, no probes, no limits), dangling references, and
 *      Service ports that the build's NetworkPolicies leave unreachable;
 *   4. the CLI: each swemls container's args and env parsed by that command's own option table
 *      (a misspelt flag or variable would crash-loop in the cluster).
 *
 *   node --import tsx deploy/scripts/validate-manifests.ts [KUSTOMIZE_DIR...]
 * (no argument: every overlay and base under deploy/k8s). Exit 1 on any problem.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as parsed from YAML. */
export type K8sObject = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; [key: string]: unknown };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `kubectl kustomize DIR` and returns its YAML. Throws with kubectl's message on failure. */
export function kustomize(dir: string): string {
  try {
    return execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl kustomize ${dir} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

/** `kustomize`, without blocking (builds of several directories run side by side). */
export async function kustomizeAsync(dir: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl kustomize ${dir} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

/** Every kustomization directory under deploy/k8s (bases and overlays). */
export function kustomizationDirs(k8sDir = path.join(repoRoot, 'deploy/k8s')): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    if (existsSync(path.join(dir, 'kustomization.yaml'))) out.push(dir);
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) visit(path.join(dir, e.name));
  };
  visit(k8sDir);
  return out.sort();
}

/** YAML stream → objects. */
export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as unknown;
    if (value !== null && value !== undefined) out.push(value as K8sObject);
  }
  return out;
}

function describe(obj: K8sObject): string {
  return `${String(obj.kind)}/${String(obj.metadata?.name ?? '?')}`;
}

/** The kubernetes-models module path for an object, e.g. `kubernetes-models/apps/v1/Deployment`. */
function modelPath(obj: K8sObject): string | undefined {
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return undefined;
  if (!/^[A-Za-z0-9.]+(\/v[0-9a-z]+)?$/.test(obj.apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(obj.kind)) return undefined;
  return `kubernetes-models/${obj.apiVersion}/${obj.kind}`;
}

/** 1. Schema problems (kubernetes-models). */
export async function schemaProblems(objects: readonly K8sObject[]): Promise<string[]> {
  const out: string[] = [];
  for (const obj of objects) {
    const mod = modelPath(obj);
    if (!mod) {
      out.push(`${describe(obj)}: missing or malformed apiVersion/kind`);
      continue;
    }
    let Model: (new (data: unknown) => { validate(): void }) | undefined;
    try {
      const m = (await import(mod)) as Record<string, unknown>;
      Model = m[obj.kind as string] as typeof Model;
    } catch {
      Model = undefined;
    }
    if (!Model) {
      out.push(`${describe(obj)}: unknown kind ${String(obj.kind)} in ${String(obj.apiVersion)}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (err) {
      out.push(`${describe(obj)}: ${(err as Error).message}`);
    }
  }
  return out;
}

interface TypeProgram {
  readonly kinds: Map<string, string>;
  readonly checker: ts.TypeChecker;
  readonly types: Map<string, ts.Type>;
}
let cachedProgram: TypeProgram | undefined;

/** A TypeScript program over the models' declarations of these kinds (cached; grown as needed). */
function typeProgram(wanted: Map<string, string>): TypeProgram {
  if (cachedProgram && [...wanted.keys()].every((k) => cachedProgram?.kinds.has(k))) return cachedProgram;
  const kinds = new Map([...(cachedProgram?.kinds ?? []), ...wanted]);
  const virtual = path.join(repoRoot, '__deploy_k8s_types__.ts');
  const source = [...kinds].map(([alias, mod]) => `import type { I${mod.split('/').pop()} as ${alias} } from '${mod}';\nexport type ${alias}_ = ${alias};`).join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => (name === virtual ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, onError, create));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === virtual || fileExists(name);
  const program = ts.createProgram([virtual], options, host);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(virtual);
  if (!sf) throw new Error('validate-manifests: could not load the Kubernetes type declarations');
  const types = new Map<string, ts.Type>();
  for (const stmt of sf.statements) {
    if (ts.isTypeAliasDeclaration(stmt)) types.set(stmt.name.text.slice(0, -1), checker.getTypeAtLocation(stmt));
  }

  cachedProgram = { kinds, checker, types };
  return cachedProgram;
}

/** 2. Unknown fields, checked against the models' TypeScript declarations. */
export function unknownFieldProblems(objects: readonly K8sObject[]): string[] {
  return unknownFieldProblemsByObject(objects).flat();
}

/** Unknown fields, one list per object (one TypeScript program for the whole batch: ~2 s). */
export function unknownFieldProblemsByObject(objects: readonly K8sObject[]): string[][] {
  const kinds = new Map<string, string>(); // alias → module
  const aliasOf = (obj: K8sObject): string | undefined => {
    const mod = modelPath(obj);
    if (!mod) return undefined;
    const alias = `T_${mod.replace(/[^A-Za-z0-9]/g, '_')}`;
    kinds.set(alias, mod);
    return alias;
  };
  const aliases = objects.map(aliasOf);
  if (kinds.size === 0) return objects.map(() => []);

  const { checker, types } = typeProgram(kinds);
  const isObjectType = (t: ts.Type): boolean => (t.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(t);
  let out: string[] = [];
  const walk = (value: unknown, type: ts.Type, where: string, depth: number): void => {
    if (value === null || value === undefined || depth > 64) return;
    let t = checker.getNonNullableType(type);
    if (t.isUnion()) {
      const members = t.types.filter((m) => (Array.isArray(value) ? checker.isArrayType(m) : typeof value === 'object' && isObjectType(m)));
      if (members.length !== 1) return; // a primitive, or ambiguous: the schema check covers types
      t = members[0]!;
    }
    if (Array.isArray(value)) {
      if (!checker.isArrayType(t)) return;
      const [element] = checker.getTypeArguments(t as ts.TypeReference);
      if (element) value.forEach((v, i) => walk(v, element, `${where}[${i}]`, depth + 1));
      return;
    }
    if (typeof value !== 'object' || !isObjectType(t)) return;
    const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
    if (index) {
      for (const [k, v] of Object.entries(value)) walk(v, index.type, `${where}.${k}`, depth + 1);
      return;
    }
    if (checker.getPropertiesOfType(t).length === 0) return; // `object`, `{}`: free-form
    for (const [k, v] of Object.entries(value)) {
      const prop = checker.getPropertyOfType(t, k);
      if (!prop) out.push(`${where}.${k}: unknown field`);
      else walk(v, checker.getTypeOfSymbol(prop), `${where}.${k}`, depth + 1);
    }
  };
  return objects.map((obj, i) => {
    out = [];
    const alias = aliases[i];
    const t = alias ? types.get(alias) : undefined;
    if (t) walk(obj, t, describe(obj), 0);
    return out;
  });
}

// ---- 3. Policy ---------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const asObj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const asArr = (v: unknown): Json[] => (Array.isArray(v) ? v.map(asObj) : []);

/** Quantity → number (cores or bytes). Undefined if absent or not understood. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return n * (unit[m[2] ?? ''] ?? NaN);
}

/** The detector's budget in the course's cluster. */
export const detectorLimits = { cpu: 1, memoryBytes: 2 ** 30 } as const;

function podSpecOf(obj: K8sObject): Json | undefined {
  const spec = asObj(obj.spec);
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(String(obj.kind))) return asObj(asObj(spec.template).spec);
  if (obj.kind === 'Pod') return spec;
  return undefined;
}

/** 3. Policy problems across one build's objects. */
export function policyProblems(objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  const byKind = (kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
  const names = (kind: string): Set<string> => new Set(byKind(kind).map((o) => String(o.metadata?.name)));
  const configMaps = names('ConfigMap');
  const secrets = names('Secret');
  const claims = names('PersistentVolumeClaim');

  for (const obj of objects) {
    const pod = podSpecOf(obj);
    if (!pod) continue;
    const what = describe(obj);
    const spec = asObj(obj.spec);
    const template = asObj(spec.template);
    const podLabels = asObj(asObj(template.metadata).labels);
    if (obj.kind === 'Deployment') {
      // Every workload here is a single writer of its volume and a single client of its feed.
      if (asObj(spec.strategy).type !== 'Recreate') out.push(`${what}: spec.strategy.type must be Recreate (a rolling update runs two pods against one feed and one volume)`);
      if (typeof spec.replicas === 'number' && spec.replicas > 1) out.push(`${what}: replicas must be 1`);
      const selector = asObj(asObj(spec.selector).matchLabels);
      for (const [k, v] of Object.entries(selector)) if (podLabels[k] !== v) out.push(`${what}: selector ${k}=${String(v)} does not match the pod template's labels`);
    }
    if (asObj(pod.securityContext).runAsNonRoot !== true) out.push(`${what}: pod securityContext.runAsNonRoot must be true`);

    const volumes = new Map(asArr(pod.volumes).map((v) => [String(v.name), v]));
    for (const v of volumes.values()) {
      const cm = asObj(v.configMap).name;
      if (cm !== undefined && !configMaps.has(String(cm))) out.push(`${what}: volume ${String(v.name)} refers to ConfigMap ${String(cm)}, which is not in the build`);
      const sec = asObj(v.secret).secretName;
      if (sec !== undefined && !secrets.has(String(sec))) out.push(`${what}: volume ${String(v.name)} refers to Secret ${String(sec)}, which is not in the build`);
      const claim = asObj(v.persistentVolumeClaim).claimName;
      if (claim !== undefined && !claims.has(String(claim))) out.push(`${what}: volume ${String(v.name)} refers to PersistentVolumeClaim ${String(claim)}, which is not in the build`);
    }

    const containers = [...asArr(pod.initContainers).map((c) => ({ c, init: true })), ...asArr(pod.containers).map((c) => ({ c, init: false }))];
    for (const { c, init } of containers) {
      const cwhat = `${what} container ${String(c.name)}`;
      const limits = asObj(asObj(c.resources).limits);
      if (parseQuantity(limits.cpu) === undefined || parseQuantity(limits.memory) === undefined) out.push(`${cwhat}: resources.limits.cpu and .memory must be set`);
      for (const m of asArr(c.volumeMounts)) if (!volumes.has(String(m.name))) out.push(`${cwhat}: mounts volume ${String(m.name)}, which the pod does not define`);
      for (const e of asArr(c.env)) {
        const ref = asObj(asObj(e.valueFrom).configMapKeyRef).name;
        if (ref !== undefined && !configMaps.has(String(ref))) out.push(`${cwhat}: env ${String(e.name)} refers to ConfigMap ${String(ref)}, which is not in the build`);
      }
      for (const e of asArr(c.envFrom)) {
        const ref = asObj(e.configMapRef).name;
        if (ref !== undefined && !configMaps.has(String(ref))) out.push(`${cwhat}: envFrom refers to ConfigMap ${String(ref)}, which is not in the build`);
      }
      const stateMount = asArr(c.volumeMounts).find((m) => m.mountPath === '/state');
      if (stateMount && !init) {
        const vol = volumes.get(String(stateMount.name));
        if (!vol || vol.persistentVolumeClaim === undefined) out.push(`${cwhat}: /state must be a PersistentVolumeClaim (anything else is lost on restart)`);
      }
      if (!init && (c.livenessProbe === undefined || c.readinessProbe === undefined)) out.push(`${cwhat}: needs a livenessProbe and a readinessProbe`);
      if (asObj(c.securityContext).allowPrivilegeEscalation !== false) out.push(`${cwhat}: securityContext.allowPrivilegeEscalation must be false`);
    }

    // The detector: the course's environment and budget.
    const detector = asArr(pod.containers).find((c) => Array.isArray(c.args) && c.args[0] === 'detect');
    if (detector) {
      const cwhat = `${what} container ${String(detector.name)}`;
      const limits = asObj(asObj(detector.resources).limits);
      const cpu = parseQuantity(limits.cpu);
      const mem = parseQuantity(limits.memory);
      if (cpu !== undefined && cpu > detectorLimits.cpu) out.push(`${cwhat}: CPU limit ${String(limits.cpu)} is over the course's 1 CPU`);
      if (mem !== undefined && mem > detectorLimits.memoryBytes) out.push(`${cwhat}: memory limit ${String(limits.memory)} is over the course's 1 Gi`);
      const mounts = asArr(detector.volumeMounts).map((m) => m.mountPath);
      if (!mounts.includes('/state')) out.push(`${cwhat}: must mount /state`);
      if (!mounts.includes('/data')) out.push(`${cwhat}: must mount /data (history.csv)`);
      const envKeys = new Set(asArr(detector.env).map((e) => String(e.name)));
      for (const e of asArr(detector.envFrom)) {
        const cm = byKind('ConfigMap').find((o) => o.metadata?.name === asObj(e.configMapRef).name);
        for (const k of Object.keys(asObj(cm?.data))) envKeys.add(k);
      }
      for (const k of ['MLLP_ADDRESS', 'PAGER_ADDRESS']) if (!envKeys.has(k)) out.push(`${cwhat}: environment lacks ${k}`);
      const writesHistory = asArr(pod.initContainers).some((ic) => asArr(ic.volumeMounts).some((m) => volumes.get(String(m.name)) !== undefined && asArr(detector.volumeMounts).some((dm) => dm.mountPath === '/data' && dm.name === m.name)));
      if (!writesHistory) out.push(`${what}: an init container must fill the volume mounted at /data`);
      const annotations = asObj(asObj(template.metadata).annotations);
      const hasMonitor = byKind('ServiceMonitor').length > 0 || byKind('PodMonitor').length > 0;
      if (annotations['prometheus.io/scrape'] !== 'true' && !hasMonitor) out.push(`${what}: needs prometheus.io/scrape annotations or a ServiceMonitor`);
    }
    // The simulator: its event logs must survive a restart.
    const simulator = asArr(pod.containers).find((c) => Array.isArray(c.args) && c.args[0] === 'simulate');
    if (simulator) {
      const args = (simulator.args as unknown[]).map(String);
      const stateArg = args.find((a) => a.startsWith('--state='))?.slice('--state='.length) ?? (args.includes('--state') ? args[args.indexOf('--state') + 1] : undefined);
      if (!stateArg) out.push(`${what}: simulate needs --state (without it a restart rewinds every group)`);
      else {
        const m = asArr(simulator.volumeMounts).find((vm) => vm.mountPath === stateArg);
        if (!m || volumes.get(String(m.name))?.persistentVolumeClaim === undefined) out.push(`${what}: --state ${stateArg} must be on a PersistentVolumeClaim`);
      }
      if (!args.some((a) => a.startsWith('--addr=0.0.0.0') || a === '0.0.0.0')) out.push(`${what}: simulate must listen on --addr=0.0.0.0 in a pod`);
      const probePath = asObj(asObj(simulator.livenessProbe).httpGet).path;
      if (probePath !== '/healthy') out.push(`${what}: the simulator's livenessProbe must be GET /healthy`);
    }
  }

  // Services must select some pod and name ports that exist.
  const pods = objects.map((o) => ({ o, pod: podSpecOf(o) })).filter((x) => x.pod !== undefined);
  for (const svc of byKind('Service')) {
    const spec = asObj(svc.spec);
    const selector = asObj(spec.selector);
    if (Object.keys(selector).length === 0) continue;
    const matching = pods.filter(({ o }) => selectorMatches(selector, podLabels(o)));
    if (matching.length === 0) {
      out.push(`${describe(svc)}: selector matches no pod in the build`);
      continue;
    }
    for (const p of asArr(spec.ports)) {
      if (typeof p.targetPort !== 'string') continue;
      const named = matching.some(({ pod }) => containerPort(asObj(pod), p.targetPort) !== undefined);
      if (!named) out.push(`${describe(svc)}: targetPort ${p.targetPort} is not a named container port`);
    }
  }
  out.push(...networkPolicyProblems(objects, pods));
  return out;
}

/** The labels of a workload's pod template. */
function podLabels(o: K8sObject): Json {
  return asObj(asObj(asObj(asObj(o.spec).template).metadata).labels);
}

/** Whether `labels` has every key and value of `selector` (a Service selector, or a matchLabels). */
function selectorMatches(selector: Json, labels: Json): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A container port of a pod spec, given by number or by name (undefined: no such named port). */
function containerPort(pod: Json, target: unknown): number | undefined {
  if (typeof target === 'number') return target;
  for (const c of asArr(pod.containers)) for (const cp of asArr(c.ports)) if (cp.name === target && typeof cp.containerPort === 'number') return cp.containerPort;
  return undefined;
}

/**
 * A Service port on pods that NetworkPolicies select for Ingress must be allowed by one of them
 * (a rule with that port, or with no ports); otherwise it is closed to everything, Prometheus
 * included, in a cluster that enforces policies.
 */
function networkPolicyProblems(objects: readonly K8sObject[], pods: { o: K8sObject; pod: Json | undefined }[]): string[] {
  const out: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => ({ o, spec: asObj(o.spec) }));
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = asObj(svc.spec);
    const selector = asObj(spec.selector);
    if (Object.keys(selector).length === 0) continue;
    for (const { o, pod } of pods) {
      const labels = podLabels(o);
      if (!pod || !selectorMatches(selector, labels)) continue;
      const ingress = policies.filter(({ spec: ps }) => selectorMatches(asObj(asObj(ps.podSelector).matchLabels), labels) && (asArr(ps.policyTypes).length === 0 || (ps.policyTypes as unknown[]).includes('Ingress')));
      if (ingress.length === 0) continue;
      for (const p of asArr(spec.ports)) {
        const port = containerPort(pod, p.targetPort ?? p.port);
        const allowed = ingress.some(({ spec: ps }) => asArr(ps.ingress).some((rule) => asArr(rule.ports).length === 0 || asArr(rule.ports).some((rp) => rp.port === port || (typeof rp.port === 'string' && containerPort(pod, rp.port) === port))));
        if (!allowed) out.push(`${describe(svc)}: port ${String(p.port)} (container port ${String(port)}) of ${describe(o)} is allowed by none of the NetworkPolicies that select the pod`);
      }
    }
  }
  return out;
}

/** Environment variables a swemls container may carry that are not swemls options. */
const NON_SWEMLS_ENV = new Set(['NODE_OPTIONS', 'NODE_ENV', 'TZ']);

/** 4. Every swemls container's args (and literal env values) parsed by its command's option table. */
export async function cliProblems(objects: readonly K8sObject[]): Promise<string[]> {
  const { commands } = await import('../../src/cli/main.js');
  const { parseArgs } = await import('../../src/core/config.js');
  const out: string[] = [];
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [String(o.metadata?.name), asObj(o.data)]));
  for (const obj of objects) {
    const pod = podSpecOf(obj);
    if (!pod) continue;
    for (const c of asArr(pod.containers)) {
      const args = Array.isArray(c.args) ? (c.args as unknown[]).map(String) : [];
      const name = args[0];
      const entry = name === undefined ? undefined : Object.hasOwn(commands, name) ? commands[name] : undefined;
      if (!entry) continue;
      const { command } = await entry.load();
      const cwhat = `${describe(obj)} container ${String(c.name)}`;
      const known = new Set(command.spec.options.flatMap((o) => (o.env ? [o.env] : [])));
      const env: Record<string, string> = {};
      const names: string[] = [];
      for (const e of asArr(c.env)) {
        names.push(String(e.name));
        if (typeof e.value === 'string') env[String(e.name)] = e.value;
      }
      // A ConfigMap imported whole (envFrom) may carry keys for other consumers (the detector's
      // feed ConfigMap holds FEED_ID for its state-guard): only explicit env names are checked,
      // but every value is parsed.
      for (const ef of asArr(c.envFrom)) {
        for (const [k, v] of Object.entries(configMaps.get(String(asObj(ef.configMapRef).name)) ?? {})) env[k] ??= String(v);
      }
      for (const n of names) if (!known.has(n) && !NON_SWEMLS_ENV.has(n)) out.push(`${cwhat}: env ${n} is not a variable of swemls ${name} (see docs/configuration.md)`);
      try {
        parseArgs(command.spec, args.slice(1), env);
      } catch (err) {
        out.push(`${cwhat}: swemls ${name} ${args.slice(1).join(' ')}: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

/** Every problem of one build's objects (`fields`: its unknown-field problems, when already found). */
export async function validateObjects(objects: readonly K8sObject[], fields: readonly string[] = unknownFieldProblems(objects)): Promise<string[]> {
  return [...(await schemaProblems(objects)), ...fields, ...policyProblems(objects), ...(await cliProblems(objects))];
}

/** Every problem of each kustomization directory (rendering errors included), dir → problems. */
export async function validateDirs(dirs: readonly string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  const built: { dir: string; objects: K8sObject[] }[] = [];
  const texts = await Promise.allSettled(dirs.map((dir) => kustomizeAsync(dir)));
  texts.forEach((r, i) => {
    const dir = dirs[i] as string;
    try {
      if (r.status === 'rejected') throw r.reason;
      built.push({ dir, objects: parseManifests(r.value) });
    } catch (err) {
      result.set(dir, [(err as Error).message]);
    }
  });
  // One TypeScript program for every object of every build.
  const unknown = unknownFieldProblemsByObject(built.flatMap((b) => b.objects));
  let i = 0;
  for (const { dir, objects } of built) {
    const fields = unknown.slice(i, i + objects.length).flat();
    i += objects.length;
    result.set(dir, await validateObjects(objects, fields));
  }
  return new Map(dirs.map((d) => [d, result.get(d) ?? []]));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : kustomizationDirs();
  let failed = 0;
  for (const [dir, problems] of await validateDirs(dirs)) {
    const rel = path.relative(process.cwd(), dir) || '.';
    if (problems.length === 0) process.stdout.write(`ok    ${rel}\n`);
    else {
      failed++;
      process.stdout.write(`FAIL  ${rel}\n${problems.map((p) => `      ${p}\n`).join('')}`);
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
