/**
 * The simulator's end-of-run report: its JSON shape (validated with a schema, so the trial and
 * the tests can trust a report read back from disk) and a readable, self-contained HTML page
 * with a latency histogram and F3 over simulated time drawn as inline SVG.
 *
 * Pure: no I/O, no clock. Every piece of text that reaches the page is escaped.
 */
import { z } from 'zod';
import { SwemlsError } from '../core/errors.js';

export interface ScoreCounts {
  tp: number;
  fp: number;
  fn: number;
  f3: number;
}

export interface GroupReport {
  name: string;
  messages: { total: number; sent: number; results: number; resends: number; errors: number };
  compatible: ScoreCounts & { nhs: ScoreCounts };
  exact: ScoreCounts & { precision: number; recall: number; nhs: ScoreCounts };
  /** Seconds; cumulative buckets; `le: null` is +Inf. */
  latency: { count: number; p50: number; p90: number; p99: number; max: number; buckets: { le: number | null; count: number }[] };
  /** Exact scoring over simulated time (ISO 8601). */
  f3OverTime: { simulatedTime: string; tp: number; fp: number; fn: number; f3: number }[];
  faults: Record<string, number>;
  acks: Record<string, number>;
}

export interface SimulatorReport {
  version: 1;
  generatedAt: string;
  messagesFile: string;
  akisFile: string;
  groups: GroupReport[];
}

/** A report that does not have the expected shape. `problems` lists every one found. */
export class ReportValidationError extends SwemlsError {
  constructor(readonly problems: readonly string[]) {
    super('SIM_ERR_REPORT_INVALID', `invalid simulator report: ${problems.join('; ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Schema

const count = z.number().int('must be an integer').min(0, 'must be >= 0');
const signedCount = z.number().int('must be an integer');
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const unit = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const seconds = z.number().min(0, 'must be >= 0').refine(Number.isFinite, 'must be a finite number');
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

// The reference's counts can go negative (FN −1 after a wrong-time page) and its F3 above 1.
const compatibleCounts = z.object({ tp: signedCount, fp: signedCount, fn: signedCount, f3: finite });
const exactCounts = z.object({ tp: count, fp: count, fn: count, f3: unit });

const bucket = z.object({ le: z.number().positive('must be > 0').refine(Number.isFinite, 'must be finite').nullable(), count });

const latency = z
  .object({ count, p50: seconds, p90: seconds, p99: seconds, max: seconds, buckets: z.array(bucket) })
  .superRefine((l, ctx) => {
    l.buckets.forEach((b, i) => {
      const prev = l.buckets[i - 1];
      if (b.le === null && i !== l.buckets.length - 1) ctx.addIssue({ code: 'custom', path: ['buckets', i, 'le'], message: 'only the last bucket can be +Inf (null)' });
      if (prev && prev.le !== null && b.le !== null && b.le <= prev.le)
        ctx.addIssue({ code: 'custom', path: ['buckets', i, 'le'], message: 'bucket bounds must increase' });
      if (prev && b.count < prev.count) ctx.addIssue({ code: 'custom', path: ['buckets', i, 'count'], message: 'buckets are cumulative: counts must not decrease' });
    });
    const last = l.buckets[l.buckets.length - 1];
    if (last && last.le === null && last.count !== l.count)
      ctx.addIssue({ code: 'custom', path: ['buckets', l.buckets.length - 1, 'count'], message: `the +Inf bucket (${last.count}) must equal count (${l.count})` });
    if (l.count > 0 && !(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max))
      ctx.addIssue({ code: 'custom', message: 'percentiles must satisfy p50 <= p90 <= p99 <= max' });
  });

const f3Point = z.object({ simulatedTime: isoTime, tp: count, fp: count, fn: count, f3: unit });

const groupSchema = z.object({
  name: z.string().min(1, 'must not be empty'),
  messages: z.object({ total: count, sent: count, results: count, resends: count, errors: count }),
  compatible: compatibleCounts.extend({ nhs: compatibleCounts }),
  exact: exactCounts.extend({ precision: unit, recall: unit, nhs: exactCounts }),
  latency,
  // Points follow the order results were sent; observation times need not be monotonic (a
  // late-reported result), so no order is required here and the chart sorts them.
  f3OverTime: z.array(f3Point),
  faults: z.record(z.string(), count),
  acks: z.record(z.string(), count),
});

const reportSchema = z.object({
  version: z.literal(1, { error: 'must be 1' }),
  generatedAt: isoTime,
  messagesFile: z.string(),
  akisFile: z.string(),
  groups: z.array(groupSchema).superRefine(
    (gs, ctx) => {
      const seen = new Set<string>();
      gs.forEach((g, i) => {
        const name = (g as { name?: unknown } | null)?.name;
        if (typeof name !== 'string') return;
        if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate group name ${JSON.stringify(name)}` });
        seen.add(name);
      });
    },
    // Run even when a group has other problems, so every problem is listed at once.
    { when: (p) => Array.isArray(p.value) },
  ),
});

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(top level)' : out;
}

/** Checks a parsed report (e.g. `JSON.parse` of report.json). Throws `ReportValidationError` listing every problem. */
export function validateReport(value: unknown): SimulatorReport {
  const result = reportSchema.safeParse(value);
  if (!result.success) throw new ReportValidationError(result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
  return result.data as SimulatorReport;
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML (element content and quoted attribute values) and SVG. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

function fmtInt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-GB') : String(n);
}

function fmtScore(n: number): string {
  return n.toFixed(4);
}

/** Seconds as a short human string (ms below a second). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  if (s === 0) return '0 s';
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
  if (s < 60) return `${s.toFixed(2)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

function fmtBound(le: number): string {
  if (le < 1) return `${+(le * 1000).toPrecision(3)}ms`;
  if (le < 60) return `${+le.toPrecision(3)}s`;
  return `${+(le / 60).toPrecision(3)}m`;
}

function precisionOf(c: ScoreCounts): number {
  return c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0;
}

function recallOf(c: ScoreCounts): number {
  return c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
}

/** A "nice" step (1, 2, 2.5 or 5 × 10^k) so that about `target` steps cover `span`. */
function niceStep(span: number, target: number): number {
  if (!(span > 0)) return 1;
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

// ---------------------------------------------------------------------------------------------
// SVG charts

const W = 560;
const H = 300;
const M = { top: 40, right: 20, bottom: 62, left: 56 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

function svgOpen(title: string, id: string): string {
  return (
    `<svg class="chart" id="${escapeHtml(id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="${escapeHtml(id)}-title" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${escapeHtml(id)}-title">${escapeHtml(title)}</title>` +
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>` +
    `<text class="ctitle" x="${W / 2}" y="20" text-anchor="middle">${escapeHtml(title)}</text>`
  );
}

function emptyChart(title: string, id: string, message: string): string {
  return (
    svgOpen(title, id) +
    `<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="#f6f7f9" stroke="#ccd"/>` +
    `<text class="empty" x="${M.left + PW / 2}" y="${M.top + PH / 2}" text-anchor="middle" dominant-baseline="middle">${escapeHtml(message)}</text></svg>`
  );
}

function yAxis(max: number, toY: (v: number) => number, step: number, fmt: (v: number) => string, label: string): string {
  let out = '';
  for (let v = 0; v <= max + step * 1e-9; v += step) {
    const y = num(toY(v));
    out += `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${y}" y2="${y}"/>`;
    out += `<text class="tick" x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(fmt(v))}</text>`;
  }
  out += `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}"/>`;
  out += `<text class="alabel" transform="translate(14 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(label)}</text>`;
  return out;
}

/** A bar per latency bucket (counts per bucket from the cumulative ones). */
export function renderLatencyHistogram(l: GroupReport['latency'], id: string): string {
  const title = 'Page latency (first page per AKI result)';
  const per = l.buckets.map((b, i) => ({ le: b.le, prevLe: i > 0 ? (l.buckets[i - 1]?.le ?? null) : null, n: b.count - (i > 0 ? (l.buckets[i - 1]?.count ?? 0) : 0) }));
  let last = -1;
  per.forEach((b, i) => {
    if (b.n > 0) last = i;
  });
  if (last < 0) return emptyChart(title, id, l.count > 0 ? `${fmtInt(l.count)} samples, no histogram buckets` : 'No latency samples');
  const shown = per.slice(0, Math.min(per.length, last + 2));
  const maxN = Math.max(...shown.map((b) => b.n));
  const step = Math.max(1, niceStep(maxN, 5));
  const top = Math.ceil(maxN / step) * step;
  const toY = (v: number): number => M.top + PH - (v / top) * PH;
  const bw = PW / shown.length;
  const rotate = shown.length > 8;
  let out = svgOpen(title, id);
  out += yAxis(top, toY, step, (v) => fmtInt(v), 'pages');
  shown.forEach((b, i) => {
    const x = M.left + i * bw;
    const y = toY(b.n);
    const label = b.le === null ? `>${b.prevLe === null ? '0' : fmtBound(b.prevLe)}` : `≤${fmtBound(b.le)}`;
    const range = b.le === null ? `above ${b.prevLe === null ? '0' : formatSeconds(b.prevLe)}` : `${b.prevLe === null ? '0' : formatSeconds(b.prevLe)} – ${formatSeconds(b.le)}`;
    out += `<rect class="bar" x="${num(x + bw * 0.1)}" y="${num(y)}" width="${num(bw * 0.8)}" height="${num(M.top + PH - y)}"><title>${escapeHtml(`${range}: ${fmtInt(b.n)} pages`)}</title></rect>`;
    if (b.n > 0 && !rotate) out += `<text class="val" x="${num(x + bw / 2)}" y="${num(y - 4)}" text-anchor="middle">${escapeHtml(fmtInt(b.n))}</text>`;
    const lx = num(x + bw / 2);
    const ly = M.top + PH + 14;
    out += rotate
      ? `<text class="tick" x="${lx}" y="${ly}" text-anchor="end" transform="rotate(-40 ${lx} ${ly})">${escapeHtml(label)}</text>`
      : `<text class="tick" x="${lx}" y="${ly}" text-anchor="middle">${escapeHtml(label)}</text>`;
  });
  out += `<line class="axis" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`;
  out += `<text class="alabel" x="${M.left + PW / 2}" y="${H - 6}" text-anchor="middle">latency bucket (upper bound)</text>`;
  return out + '</svg>';
}

const TIME_STEPS_MS = [60e3, 5 * 60e3, 15 * 60e3, 30 * 60e3, 3600e3, 2 * 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3, 7 * 86400e3, 14 * 86400e3, 28 * 86400e3];

function fmtTime(ms: number, withDate: boolean, withTime: boolean): string {
  const iso = new Date(ms).toISOString(); // formatting a given instant, not reading the clock
  const date = iso.slice(5, 10);
  const time = iso.slice(11, 16);
  return withDate && withTime ? `${date} ${time}` : withDate ? date : time;
}

/** Exact F3 (and nothing else) over simulated time, y fixed to [0, 1]. */
export function renderF3Chart(points: GroupReport['f3OverTime'], id: string): string {
  const title = 'Exact F3 over simulated time (UTC)';
  const pts = points
    .map((p) => ({ t: Date.parse(p.simulatedTime), f3: p.f3 }))
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.f3))
    .sort((a, b) => a.t - b.t);
  if (pts.length === 0) return emptyChart(title, id, 'No results scored yet');
  const t0 = (pts[0] as { t: number }).t;
  const t1 = (pts[pts.length - 1] as { t: number }).t;
  const span = t1 - t0;
  const lo = span > 0 ? t0 : t0 - 3600e3;
  const hi = span > 0 ? t1 : t0 + 3600e3;
  const toX = (t: number): number => M.left + ((t - lo) / (hi - lo)) * PW;
  const toY = (v: number): number => M.top + PH - Math.min(1, Math.max(0, v)) * PH;
  let out = svgOpen(title, id);
  out += yAxis(1, toY, 0.25, (v) => v.toFixed(2), 'F3');
  const step = TIME_STEPS_MS.find((s) => (hi - lo) / s <= 8) ?? Math.ceil((hi - lo) / 8 / 86400e3) * 86400e3;
  const withTime = step < 86400e3;
  const dayStarts = (hi - lo) >= 86400e3 || new Date(lo).getUTCDate() !== new Date(hi).getUTCDate();
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) {
    const x = num(toX(t));
    out += `<line class="grid" x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + PH}"/>`;
    out += `<text class="tick" x="${x}" y="${M.top + PH + 14}" text-anchor="middle">${escapeHtml(fmtTime(t, dayStarts || !withTime, withTime))}</text>`;
  }
  out += `<line class="axis" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`;
  const d0 = new Date(lo).toISOString().slice(0, 10);
  const d1 = new Date(hi).toISOString().slice(0, 10);
  out += `<text class="alabel" x="${M.left + PW / 2}" y="${H - 6}" text-anchor="middle">simulated time (UTC), ${escapeHtml(d0 === d1 ? d0 : `${d0} to ${d1}`)}</text>`;
  const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(toX(p.t))} ${num(toY(p.f3))}`).join(' ');
  out += `<path class="line" d="${path}"/>`;
  if (pts.length <= 60) {
    for (const p of pts) out += `<circle class="dot" cx="${num(toX(p.t))}" cy="${num(toY(p.f3))}" r="2.5"><title>${escapeHtml(`${new Date(p.t).toISOString()}: F3 ${fmtScore(p.f3)}`)}</title></circle>`;
  }
  const lastPt = pts[pts.length - 1] as { t: number; f3: number };
  out += `<text class="val" x="${num(Math.min(toX(lastPt.t), M.left + PW - 4))}" y="${num(toY(lastPt.f3) - 8)}" text-anchor="end">${escapeHtml(fmtScore(lastPt.f3))}</text>`;
  return out + '</svg>';
}

// ---------------------------------------------------------------------------------------------
// Page

const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 0; color: #1d2330; background: #f3f4f7; }
header { background: #1f3a5f; color: #fff; padding: 16px 28px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; opacity: .9; }
header dt { font-weight: 600; } header dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
main { padding: 16px 28px 40px; max-width: 1240px; }
section.group { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 12px 20px 20px; margin: 18px 0; }
h2 { font-size: 19px; margin: 6px 0 12px; }
h3 { font-size: 14px; margin: 14px 0 6px; color: #39475c; text-transform: uppercase; letter-spacing: .04em; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border: 1px solid #dde1e8; padding: 4px 10px; text-align: right; }
th { background: #f0f2f6; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
td.num { font-variant-numeric: tabular-nums; }
.grid2 { display: flex; flex-wrap: wrap; gap: 8px 32px; align-items: flex-start; }
.note { font-size: 12.5px; color: #5a6475; max-width: 70em; }
.none { color: #7a8494; font-style: italic; font-size: 14px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; margin-top: 14px; }
svg.chart { border: 1px solid #dde1e8; border-radius: 6px; max-width: 100%; height: auto; }
svg .ctitle { font-size: 14px; font-weight: 600; fill: #1d2330; }
svg .tick { font-size: 11px; fill: #4a5466; }
svg .alabel { font-size: 12px; fill: #39475c; }
svg .val { font-size: 11px; fill: #1d2330; }
svg .empty { font-size: 14px; fill: #7a8494; }
svg .grid { stroke: #e6e9ef; stroke-width: 1; }
svg .axis { stroke: #6b7487; stroke-width: 1; }
svg .bar { fill: #3b7dd8; }
svg .line { fill: none; stroke: #d2553b; stroke-width: 2; }
svg .dot { fill: #d2553b; }
`;

function countsRow(label: string, c: ScoreCounts, p: number, r: number): string {
  return (
    `<tr><td>${escapeHtml(label)}</td><td class="num">${fmtInt(c.tp)}</td><td class="num">${fmtInt(c.fp)}</td><td class="num">${fmtInt(c.fn)}</td>` +
    `<td class="num">${fmtScore(p)}</td><td class="num">${fmtScore(r)}</td><td class="num"><strong>${fmtScore(c.f3)}</strong></td></tr>`
  );
}

function keyCountTable(record: Record<string, number>, keyHeader: string, emptyText: string): string {
  const entries = Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return `<p class="none">${escapeHtml(emptyText)}</p>`;
  return (
    `<table><thead><tr><th>${escapeHtml(keyHeader)}</th><th>count</th></tr></thead><tbody>` +
    entries.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td class="num">${fmtInt(v)}</td></tr>`).join('') +
    '</tbody></table>'
  );
}

function renderGroup(g: GroupReport, index: number): string {
  const e = g.exact;
  const c = g.compatible;
  const l = g.latency;
  const scoring =
    `<table class="scores"><thead><tr><th>scoring</th><th>TP</th><th>FP</th><th>FN</th><th>precision</th><th>recall</th><th>F3</th></tr></thead><tbody>` +
    countsRow('exact', e, e.precision, e.recall) +
    countsRow("course-compatible (reference simulator's counts)", c, precisionOf(c), recallOf(c)) +
    countsRow('NHS baseline, exact', e.nhs, precisionOf(e.nhs), recallOf(e.nhs)) +
    countsRow("NHS baseline, course-compatible (reference simulator's counts)", c.nhs, precisionOf(c.nhs), recallOf(c.nhs)) +
    '</tbody></table>';
  const latencyTable =
    l.count === 0
      ? '<p class="none">No latency samples (no page matched a result that was sent).</p>'
      : `<table><thead><tr><th>samples</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead><tbody><tr>` +
        `<td class="num">${fmtInt(l.count)}</td>` +
        [l.p50, l.p90, l.p99, l.max].map((v) => `<td class="num">${escapeHtml(formatSeconds(v))}</td>`).join('') +
        '</tr></tbody></table>';
  const m = g.messages;
  const messages =
    `<table><thead><tr><th>total</th><th>sent</th><th>results</th><th>resends</th><th>errors</th></tr></thead><tbody><tr>` +
    [m.total, m.sent, m.results, m.resends, m.errors].map((v) => `<td class="num">${fmtInt(v)}</td>`).join('') +
    '</tr></tbody></table>';
  return (
    `<section class="group" id="group-${index}"><h2>Group: ${escapeHtml(g.name)}</h2>` +
    `<h3>Scores</h3>${scoring}` +
    `<p class="note">Exact: distinct (MRN, observation time) pairs, each AKI counted once; counts never negative, F3 ≤ 1. ` +
    `Course-compatible: the numbers the course's reference simulator would report, quirks included (FN can go negative and F3 above 1). ` +
    `NHS baseline: the NHS algorithm's own flags, scored the same way.</p>` +
    `<div class="grid2"><div><h3>Latency</h3>${latencyTable}</div><div><h3>Messages</h3>${messages}</div></div>` +
    `<div class="grid2"><div><h3>Faults injected</h3>${keyCountTable(g.faults, 'fault', 'No faults injected.')}</div>` +
    `<div><h3>ACK codes received</h3>${keyCountTable(g.acks, 'MSA-1', 'No ACKs received.')}</div></div>` +
    `<div class="charts">${renderLatencyHistogram(l, `latency-${index}`)}${renderF3Chart(g.f3OverTime, `f3-${index}`)}</div>` +
    '</section>'
  );
}

function renderOverview(groups: readonly GroupReport[]): string {
  if (groups.length === 0) return '<p class="none">This report has no groups.</p>';
  const rows = groups
    .map(
      (g, i) =>
        `<tr><td><a href="#group-${i}">${escapeHtml(g.name)}</a></td><td class="num"><strong>${fmtScore(g.exact.f3)}</strong></td>` +
        `<td class="num">${fmtScore(g.compatible.f3)}</td><td class="num">${fmtScore(g.exact.nhs.f3)}</td>` +
        `<td class="num">${g.latency.count > 0 ? escapeHtml(formatSeconds(g.latency.p50)) : '–'}</td>` +
        `<td class="num">${g.latency.count > 0 ? escapeHtml(formatSeconds(g.latency.p99)) : '–'}</td>` +
        `<td class="num">${fmtInt(g.messages.sent)} / ${fmtInt(g.messages.total)}</td>` +
        `<td class="num">${fmtInt(Object.values(g.faults).reduce((a, b) => a + b, 0))}</td></tr>`,
    )
    .join('');
  return (
    '<table class="overview"><thead><tr><th>group</th><th>F3 (exact)</th><th>F3 (course-compatible)</th><th>NHS F3 (exact)</th>' +
    '<th>latency p50</th><th>latency p99</th><th>messages sent / total</th><th>faults</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>`
  );
}

/** The report as one self-contained HTML page (inline CSS and SVG; no scripts, fonts or external resources). */
export function renderReportHtml(report: SimulatorReport): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">" +
    `<title>Simulator report – ${escapeHtml(report.groups.map((g) => g.name).join(', ') || 'no groups')}</title>` +
    `<style>${STYLE}</style></head><body>` +
    '<header><h1>swemls simulator report</h1><dl>' +
    `<dt>generated</dt><dd>${escapeHtml(report.generatedAt)}</dd>` +
    `<dt>messages</dt><dd>${escapeHtml(report.messagesFile)}</dd>` +
    `<dt>AKIs</dt><dd>${escapeHtml(report.akisFile)}</dd>` +
    `<dt>groups</dt><dd>${fmtInt(report.groups.length)}</dd></dl></header>` +
    `<main><h2>Overview</h2>${renderOverview(report.groups)}` +
    report.groups.map((g, i) => renderGroup(g, i)).join('') +
    '</main></body></html>\n'
  );
}
