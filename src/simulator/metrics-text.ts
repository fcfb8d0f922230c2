/**
 * The metrics text. The course's names come first, printed as the reference prints them (no
 * HELP/TYPE, integers as integers, floats with six decimals), so tools written for the course
 * read the compatible numbers; then our own `simulator_*` metrics with HELP and TYPE.
 */
import type { GroupState } from './group-state.js';

/** The reference's metric names, in its order. */
export const COURSE_METRICS = [
  'true_positives', 'false_positives', 'false_negatives', 'f3_score',
  'nhs_true_positives', 'nhs_false_positives', 'nhs_false_negatives', 'nhs_f3_score',
  'messages_sent', 'results_sent', 'queue', 'latency', 'latencies_50', 'latencies_90', 'connections',
] as const;
export type CourseMetric = (typeof COURSE_METRICS)[number];

const FLOATS = new Set<CourseMetric>(['f3_score', 'nhs_f3_score', 'latency', 'latencies_50', 'latencies_90']);

/** What the metrics need of a live group beyond its state. */
export interface GroupView {
  readonly name: string;
  readonly state: GroupState;
  /** Messages due and not yet acknowledged (the reference's `queue`). */
  queue(): number;
  connected(): boolean;
}

export function courseValues(g: GroupView): Record<CourseMetric, number> {
  const c = g.state.compatibleSnapshot();
  return {
    true_positives: c.tp,
    false_positives: c.fp,
    false_negatives: c.fn,
    f3_score: c.f3,
    nhs_true_positives: c.nhsTp,
    nhs_false_positives: c.nhsFp,
    nhs_false_negatives: c.nhsFn,
    nhs_f3_score: c.nhsF3,
    messages_sent: c.messagesSent,
    results_sent: c.resultsSent,
    queue: g.queue(),
    latency: c.latency,
    latencies_50: c.latencies50,
    latencies_90: c.latencies90,
    connections: g.connected() ? 1 : 0,
  };
}

function fmt(name: CourseMetric, v: number): string {
  return FLOATS.has(name) ? v.toFixed(6) : String(Math.trunc(v));
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The pager port's `/metrics`: one group, course names only, no labels (as the reference). */
export function renderPagerMetrics(g: GroupView): string {
  const v = courseValues(g);
  let out = '';
  for (const name of COURSE_METRICS) out += `${name} ${fmt(name, v[name])}\n`;
  return out;
}

/** Extra lines a caller adds (fault counters and the like). */
export interface ExtraMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly { labels: Record<string, string>; value: number }[];
}

/** The backstage `/metrics`: course names per group (compatible values, labelled) first, then ours. */
export function renderBackstageMetrics(groups: readonly GroupView[], extra: readonly ExtraMetric[] = []): string {
  const values = groups.map((g) => ({ g, v: courseValues(g) }));
  let out = '';
  for (const name of COURSE_METRICS) {
    for (const { g, v } of values) out += `${name}{group="${esc(g.name)}"} ${fmt(name, v[name])}\n`;
  }
  const metrics: ExtraMetric[] = [];
  const perScoring = (name: string, help: string, pick: (s: { tp: number; fp: number; fn: number; f3: number }) => number, nhs: boolean): void => {
    const samples: { labels: Record<string, string>; value: number }[] = [];
    for (const { g } of values) {
      const c = g.state.compatibleSnapshot();
      const e = g.state.exact.scores();
      const compat = nhs ? { tp: c.nhsTp, fp: c.nhsFp, fn: c.nhsFn, f3: c.nhsF3 } : { tp: c.tp, fp: c.fp, fn: c.fn, f3: c.f3 };
      samples.push({ labels: { group: g.name, scoring: 'compatible' }, value: pick(compat) });
      samples.push({ labels: { group: g.name, scoring: 'exact' }, value: pick(nhs ? e.nhs : e) });
    }
    metrics.push({ name, help, type: 'gauge', samples });
  };
  perScoring('simulator_true_positives', 'AKIs paged at their AKI time (scoring: compatible = the course simulator\'s count, exact = distinct (MRN, time) pairs).', (s) => s.tp, false);
  perScoring('simulator_false_positives', 'Pages that are not an AKI, by scoring.', (s) => s.fp, false);
  perScoring('simulator_false_negatives', 'AKIs missed, by scoring (exact: AKIs sent and not paged; all unpaged AKIs once the stream has ended).', (s) => s.fn, false);
  perScoring('simulator_f3_score', 'F3 = 10PR/(9P+R), by scoring.', (s) => s.f3, false);
  perScoring('simulator_nhs_true_positives', 'The NHS algorithm (aki file nhs column) scored like a detector: true positives.', (s) => s.tp, true);
  perScoring('simulator_nhs_false_positives', 'The NHS algorithm: false positives.', (s) => s.fp, true);
  perScoring('simulator_nhs_false_negatives', 'The NHS algorithm: false negatives.', (s) => s.fn, true);
  perScoring('simulator_nhs_f3_score', 'The NHS algorithm: F3.', (s) => s.f3, true);
  const per = (name: string, help: string, type: 'counter' | 'gauge', f: (g: GroupView) => number): void => {
    metrics.push({ name, help, type, samples: values.map(({ g }) => ({ labels: { group: g.name }, value: f(g) })) });
  };
  per('simulator_replay_messages', 'Messages in the replay.', 'gauge', (g) => g.state.messages.length);
  per('simulator_position', 'Index of the next message to send (messages acknowledged since the last rewind).', 'gauge', (g) => g.state.position);
  per('simulator_messages_written_total', 'Messages written to the client, resends included.', 'counter', (g) => g.state.writes);
  per('simulator_resends_total', 'Messages written again after a negative acknowledgement.', 'counter', (g) => g.state.resends);
  per('simulator_errors_total', 'Errors (bad replies, timeouts, dropped connections, bad pages).', 'counter', (g) => g.state.errors);
  per('simulator_connected', '1 while a client is served.', 'gauge', (g) => (g.connected() ? 1 : 0));
  per('simulator_time_base_simulated_seconds', 'Simulated time at the last rewind (the time base), s since the epoch.', 'gauge', (g) => g.state.startSim / 1000);
  per('simulator_time_base_real_seconds', 'Real time (UTC) of the last rewind (the time base), s since the epoch.', 'gauge', (g) => g.state.rewindReal / 1000);
  metrics.push({
    name: 'simulator_acks_total',
    help: 'Replies received, by MSA-1 code ("(unreadable)" for replies that are not a readable ACK).',
    type: 'counter',
    samples: values.flatMap(({ g }) => Object.entries(g.state.acks).map(([code, n]) => ({ labels: { group: g.name, code }, value: n }))),
  });
  metrics.push({
    name: 'simulator_faults_injected_total',
    help: 'Faults injected, by kind.',
    type: 'counter',
    samples: values.flatMap(({ g }) => Object.entries(g.state.faults).map(([kind, n]) => ({ labels: { group: g.name, kind }, value: n }))),
  });
  metrics.push(...extra);
  for (const m of metrics) out += renderMetric(m);
  out += renderLatencyHistogram(values.map(({ g }) => g));
  return out;
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function renderMetric(m: ExtraMetric): string {
  let out = `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} ${m.type}\n`;
  for (const s of m.samples) out += `${m.name}${labelText(s.labels)} ${num(s.value)}\n`;
  return out;
}

function renderLatencyHistogram(groups: readonly GroupView[]): string {
  const name = 'simulator_page_latency_seconds';
  let out = `# HELP ${name} Exact scoring: time from writing a result to its first page, per (MRN, observation time).\n# TYPE ${name} histogram\n`;
  for (const g of groups) {
    const l = g.state.exact.latency();
    for (const b of l.buckets) out += `${name}_bucket${labelText({ group: g.name, le: b.le === null ? '+Inf' : String(b.le) })} ${b.count}\n`;
    out += `${name}_sum${labelText({ group: g.name })} ${num(l.sum)}\n${name}_count${labelText({ group: g.name })} ${l.count}\n`;
  }
  return out;
}
