/**
 * Writes the Grafana dashboard deploy/grafana/swemls-dashboard.json (detector and simulator),
 * from the panel list below, so that panels stay consistent (ids, layout, datasource).
 *
 *   node --import tsx deploy/scripts/render-dashboard.ts           # write it
 *   node --import tsx deploy/scripts/render-dashboard.ts --check   # exit 1 if it is out of date
 *
 * Import it in Grafana (Dashboards → Import), choosing the group's or the course's Prometheus.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Query {
  readonly expr: string;
  readonly legend: string;
}
interface Panel {
  readonly title: string;
  readonly type: 'timeseries' | 'stat' | 'table' | 'heatmap';
  readonly unit?: string;
  readonly description: string;
  readonly queries: readonly Query[];
  /** Width in grid units (24 per row); height is 8. */
  readonly w: number;
  /** A stat/table panel showing the last value instead of a series. */
  readonly instant?: boolean;
}
interface Row {
  readonly title: string;
  readonly panels: readonly Panel[];
}

const r = '$__rate_interval';

/** The dashboard's content. Metric names: docs/metrics.md. */
export const rows: readonly Row[] = [
  {
    title: 'Detector: feed',
    panels: [
      { title: 'Connected to the MLLP feed', type: 'stat', w: 4, instant: true, description: '1 while the detector holds the MLLP connection.', queries: [{ expr: 'max(detector_connected)', legend: 'connected' }] },
      { title: 'Seconds since the last message', type: 'stat', w: 4, unit: 's', instant: true, description: 'Time since the last HL7 message arrived (alert DetectorNoMessages after 30 min).', queries: [{ expr: 'time() - max(detector_last_message_timestamp_seconds)', legend: 'age' }] },
      { title: 'Messages by type and outcome', type: 'timeseries', w: 8, unit: 'ops', description: 'HL7 messages per second.', queries: [{ expr: `sum by (type, outcome) (rate(detector_messages_total[${r}]))`, legend: '{{type}} {{outcome}}' }] },
      { title: 'ACKs by code', type: 'timeseries', w: 8, unit: 'ops', description: 'Acknowledgements sent per second.', queries: [{ expr: `sum by (code) (rate(detector_acks_total[${r}]))`, legend: '{{code}}' }] },
      { title: 'Dead letters by reason (last hour)', type: 'timeseries', w: 8, description: 'Messages the detector could not understand, stored with the reason.', queries: [{ expr: 'sum by (reason) (increase(detector_dead_letters_total[1h]))', legend: '{{reason}}' }] },
      { title: 'Reconnects and restarts (last hour)', type: 'timeseries', w: 8, description: 'MLLP reconnects, and new detector processes.', queries: [
        { expr: 'sum(increase(detector_reconnects_total[1h]))', legend: 'reconnects' },
        { expr: 'sum(changes(detector_process_start_time_seconds[1h]))', legend: 'restarts' },
      ] },
      { title: 'Processing time p50 / p99', type: 'timeseries', w: 8, unit: 's', description: 'From frame in to ACK out.', queries: [
        { expr: `histogram_quantile(0.5, sum by (le) (rate(detector_processing_seconds_bucket[${r}])))`, legend: 'p50' },
        { expr: `histogram_quantile(0.99, sum by (le) (rate(detector_processing_seconds_bucket[${r}])))`, legend: 'p99' },
      ] },
    ],
  },
  {
    title: 'Detector: predictions and pages',
    panels: [
      { title: 'Predictions by outcome', type: 'timeseries', w: 8, unit: 'ops', description: 'Predictions per second, AKI or not.', queries: [{ expr: `sum by (outcome) (rate(detector_predictions_total[${r}]))`, legend: '{{outcome}}' }] },
      { title: 'Pages sent, retried, failed', type: 'timeseries', w: 8, unit: 'ops', description: 'Failed pages (4xx) are never retried: alert DetectorPagesFailing.', queries: [
        { expr: `sum(rate(detector_pages_sent_total[${r}]))`, legend: 'sent' },
        { expr: `sum(rate(detector_page_retries_total[${r}]))`, legend: 'retried' },
        { expr: `sum(rate(detector_pages_failed_total[${r}]))`, legend: 'failed' },
      ] },
      { title: 'Page latency p50 / p90 / p99', type: 'timeseries', w: 8, unit: 's', description: 'Message in to page accepted. The course marks p90; the target is under 3 s.', queries: [
        { expr: `histogram_quantile(0.5, sum by (le) (rate(detector_page_latency_seconds_bucket[${r}])))`, legend: 'p50' },
        { expr: `histogram_quantile(0.9, sum by (le) (rate(detector_page_latency_seconds_bucket[${r}])))`, legend: 'p90' },
        { expr: `histogram_quantile(0.99, sum by (le) (rate(detector_page_latency_seconds_bucket[${r}])))`, legend: 'p99' },
      ] },
      { title: 'Outbox depth', type: 'timeseries', w: 8, description: 'Pages waiting to be sent.', queries: [{ expr: 'max(detector_outbox_depth)', legend: 'pending' }] },
      { title: 'Oldest pending page', type: 'timeseries', w: 8, unit: 's', description: 'Age of the oldest page in the outbox (alert DetectorPagesStuck over 30 s).', queries: [{ expr: 'max(detector_outbox_oldest_age_seconds)', legend: 'oldest' }] },
      { title: 'Creatinine values (drift)', type: 'heatmap', w: 8, description: 'Distribution of creatinine results received: a shift means the data changed under the model.', queries: [{ expr: `sum by (le) (rate(detector_creatinine_umol_per_litre_bucket[${r}]))`, legend: '{{le}}' }] },
      { title: 'Resident memory', type: 'timeseries', w: 8, unit: 'bytes', description: 'The pod is killed at 1 Gi (alert DetectorMemoryHigh at 85%).', queries: [{ expr: 'max(detector_process_resident_memory_bytes)', legend: 'rss' }] },
      { title: 'Model', type: 'table', w: 8, instant: true, description: 'The model in use.', queries: [{ expr: 'max by (version, kind) (detector_model_info)', legend: '{{kind}} {{version}}' }] },
      { title: 'Results processed', type: 'stat', w: 8, instant: true, description: 'Creatinine results stored since the store was created.', queries: [{ expr: 'sum(detector_results_total)', legend: 'results' }] },
    ],
  },
  {
    title: 'Simulator: scores per group',
    panels: [
      { title: 'F3 (course scoring)', type: 'timeseries', w: 8, description: 'The course simulator\'s F3, quirks included.', queries: [{ expr: 'group:f3_score:max{group=~"$group"}', legend: '{{group}}' }] },
      { title: 'F3 (exact scoring)', type: 'timeseries', w: 8, description: 'F3 over distinct (MRN, time) pairs: never above 1.', queries: [{ expr: 'group:f3_score_exact:max{group=~"$group"}', legend: '{{group}}' }] },
      { title: 'F3 above the NHS algorithm', type: 'timeseries', w: 8, description: 'Course F3 minus the NHS algorithm\'s F3 on the same messages.', queries: [{ expr: 'group:f3_score_over_nhs:diff{group=~"$group"}', legend: '{{group}}' }] },
      { title: 'Page latency p90 (whole run)', type: 'timeseries', w: 8, unit: 's', description: 'From the result written to its first page.', queries: [
        { expr: 'group:simulator_page_latency_seconds:p90{group=~"$group"}', legend: '{{group}} exact' },
        { expr: 'group:latencies_90:max{group=~"$group"}', legend: '{{group}} course' },
      ] },
      { title: 'Page latency p90 (last 10 min)', type: 'timeseries', w: 8, unit: 's', description: 'Recent latency only.', queries: [{ expr: 'group:simulator_page_latency_seconds:p90_rate10m{group=~"$group"}', legend: '{{group}}' }] },
      { title: 'Confusion counts (course scoring)', type: 'table', w: 8, instant: true, description: 'TP, FP and FN of each group, as the course counts them.', queries: [
        { expr: 'max by (group) (true_positives{group=~"$group"})', legend: 'TP {{group}}' },
        { expr: 'max by (group) (false_positives{group=~"$group"})', legend: 'FP {{group}}' },
        { expr: 'max by (group) (false_negatives{group=~"$group"})', legend: 'FN {{group}}' },
      ] },
    ],
  },
  {
    title: 'Simulator: feed per group',
    panels: [
      { title: 'Messages sent', type: 'timeseries', w: 8, description: 'Messages acknowledged by each group.', queries: [{ expr: 'max by (group) (messages_sent{group=~"$group"})', legend: '{{group}}' }] },
      { title: 'Queue', type: 'timeseries', w: 8, description: 'Messages due but not yet acknowledged.', queries: [{ expr: 'max by (group) (queue{group=~"$group"})', legend: '{{group}}' }] },
      { title: 'Connected', type: 'timeseries', w: 8, description: '1 while a detector holds the group\'s feed.', queries: [{ expr: 'max by (group) (connections{group=~"$group"})', legend: '{{group}}' }] },
    ],
  },
];

/** The dashboard JSON (Grafana 10/11 model). */
export function buildDashboard(): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  for (const row of rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      if (x + p.w > 24) {
        x = 0;
        y += 8;
      }
      panels.push({
        id: id++,
        type: p.type,
        title: p.title,
        description: p.description,
        datasource,
        gridPos: { h: 8, w: p.w, x, y },
        fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
        options: p.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] } } : {},
        targets: p.queries.map((q, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource,
          expr: q.expr,
          legendFormat: q.legend,
          ...(p.instant ? { instant: true, range: false } : {}),
          ...(p.type === 'heatmap' ? { format: 'heatmap' } : {}),
        })),
      });
      x += p.w;
    }
    y += 8;
  }
  return {
    title: 'swemls: AKI detector and simulator',
    uid: 'swemls-overview',
    description: 'A group\'s detector (feed, predictions, pages) and the simulator\'s per-group F3 and latency. See docs/operations.md.',
    tags: ['swemls'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        {
          name: 'group',
          label: 'Group',
          type: 'query',
          datasource,
          query: { query: 'label_values(f3_score, group)', refId: 'group' },
          definition: 'label_values(f3_score, group)',
          includeAll: true,
          multi: true,
          allValue: '.*',
          current: {},
          refresh: 2,
          hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

export const dashboardPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../grafana/swemls-dashboard.json');

/** The file's content as written. */
export function renderDashboard(): string {
  return JSON.stringify(buildDashboard(), null, 2) + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = renderDashboard();
  if (process.argv.includes('--check')) {
    const same = existsSync(dashboardPath) && readFileSync(dashboardPath, 'utf8') === text;
    process.stdout.write(same ? 'render-dashboard: up to date\n' : 'render-dashboard: deploy/grafana/swemls-dashboard.json is out of date\n');
    process.exitCode = same ? 0 : 1;
  } else {
    writeFileSync(dashboardPath, text);
    process.stdout.write(`render-dashboard: wrote ${dashboardPath}\n`);
  }
}
