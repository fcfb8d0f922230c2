/**
 * The backstage pages of the simulator: an index of groups and a page per group with its
 * metrics, recent events and the admin actions (Rewind, Disconnect).
 *
 * Pure rendering: self-contained HTML (inline CSS, a small inline script, system fonts, no CDN).
 * The script refreshes the live parts of the page every few seconds by fetching the page again
 * and swapping `#live` (never a reload, so a token being typed is never lost), keeps the admin
 * token in sessionStorage, and POSTs the actions with `Authorization: Bearer <token>`.
 */
import { escapeHtml } from './report.js';

export interface GroupSummary {
  name: string;
  connected: boolean;
  /** ISO 8601, or null. */
  connectedSince: string | null;
  messagesSent: number;
  messagesTotal: number;
  lastError: string | null;
}

export interface GroupDetail extends GroupSummary {
  metrics: { name: string; value: number }[];
  /** `time` ISO 8601. Shown newest first (at most `MAX_EVENTS`). */
  events: { time: string; type: string; detail: string }[];
}

/** How many events a group page shows. */
export const MAX_EVENTS = 200;

/** How often the pages refresh their live parts, ms. */
export const REFRESH_MS = 5000;

/** The path of a group's page (and the base of its admin actions). */
export function groupPath(name: string): string {
  return `/groups/${encodeURIComponent(name)}`;
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 0; color: #1d2330; background: #f3f4f7; }
header { background: #1f3a5f; color: #fff; padding: 14px 28px; display: flex; align-items: baseline; gap: 18px; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 20px; }
header a { color: #cfe0ff; font-size: 14px; }
main { padding: 16px 28px 40px; max-width: 1240px; }
section { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 10px 18px 16px; margin: 14px 0; }
h2 { font-size: 16px; margin: 8px 0 10px; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border: 1px solid #dde1e8; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f0f2f6; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.err, .err { color: #a3261b; }
td.detail { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; white-space: pre-wrap; word-break: break-word; max-width: 70em; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12.5px; font-weight: 600; }
.yes { background: #dcf3e3; color: #17663a; } .no { background: #eceef2; color: #5a6475; }
.type { background: #e7eefb; color: #1f3a5f; }
.none { color: #7a8494; font-style: italic; }
.muted { color: #6b7487; font-size: 12.5px; }
progress { width: 120px; height: 10px; vertical-align: middle; margin-left: 8px; }
.admin label { font-weight: 600; margin-right: 8px; }
.admin input { font: inherit; padding: 4px 8px; width: 22em; border: 1px solid #b9c0cc; border-radius: 4px; }
.admin button { font: inherit; padding: 5px 14px; margin-left: 8px; border-radius: 4px; border: 1px solid #1f3a5f; background: #1f3a5f; color: #fff; cursor: pointer; }
.admin button#disconnect { background: #a3261b; border-color: #a3261b; }
.admin button:disabled, .admin button#disconnect:disabled { background: #c9ced8; border-color: #c9ced8; color: #6b7487; cursor: not-allowed; }
.notice { background: #fff6dd; border: 1px solid #f0d68a; padding: 6px 10px; border-radius: 4px; margin: 8px 0 0; font-size: 14px; }
#status { margin: 6px 0 0; min-height: 1.2em; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; white-space: pre-wrap; }
#status.ok { color: #17663a; } #status.error { color: #a3261b; } #status.pending { color: #6b7487; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; font-size: 14px; }
dl.summary dt { font-weight: 600; } dl.summary dd { margin: 0; }
`;

/** Relative "for 1h 5m" next to each `<time data-since>`, and the live refresh. */
const COMMON_SCRIPT = `
(function () {
  function ago(iso) {
    var t = Date.parse(iso); if (isNaN(t)) return '';
    var s = Math.max(0, Math.floor((Date.now() - t) / 1000));
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return d > 0 ? d + 'd ' + h + 'h' : h > 0 ? h + 'h ' + m + 'm' : m > 0 ? m + 'm ' + (s % 60) + 's' : s + 's';
  }
  function decorate() {
    var els = document.querySelectorAll('time[data-since]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i], out = el.nextElementSibling;
      if (out && out.classList.contains('ago')) out.textContent = '(for ' + ago(el.getAttribute('datetime')) + ')';
    }
  }
  function refresh() {
    if (document.hidden) return;
    fetch(location.href, { cache: 'no-store', headers: { Accept: 'text/html' } }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.text();
    }).then(function (text) {
      var doc = new DOMParser().parseFromString(text, 'text/html');
      var fresh = doc.getElementById('live'), live = document.getElementById('live');
      if (fresh && live) live.innerHTML = fresh.innerHTML;
      decorate();
      var r = document.getElementById('refreshed'); if (r) r.textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
    }).catch(function (e) {
      var r = document.getElementById('refreshed'); if (r) r.textContent = 'refresh failed: ' + e.message;
    });
  }
  window.swemlsRefresh = refresh;
  decorate();
  setInterval(refresh, ${REFRESH_MS});
})();
`;

const ADMIN_SCRIPT = `
(function () {
  var group = document.body.getAttribute('data-group') || '';
  var token = document.getElementById('token');
  var status = document.getElementById('status');
  var KEY = 'swemls.adminToken';
  try { token.value = sessionStorage.getItem(KEY) || ''; } catch (e) {}
  token.addEventListener('input', function () { try { sessionStorage.setItem(KEY, token.value); } catch (e) {} });
  function act(action) {
    status.className = 'pending';
    status.textContent = action + ': sending…';
    var headers = {};
    try {
      headers = { Authorization: 'Bearer ' + token.value };
      new Headers(headers);
    } catch (e) {
      status.className = 'error'; status.textContent = action + ': the token has characters a header cannot carry'; return;
    }
    fetch('/groups/' + encodeURIComponent(group) + '/' + action, { method: 'POST', headers: headers }).then(function (res) {
      return res.text().then(function (text) {
        status.className = res.ok ? 'ok' : 'error';
        status.textContent = action + ': ' + res.status + ' ' + res.statusText + (text.trim() ? ' – ' + text.trim() : '');
        if (res.ok && window.swemlsRefresh) window.swemlsRefresh();
      });
    }).catch(function (e) {
      status.className = 'error'; status.textContent = action + ': request failed: ' + e.message;
    });
  }
  document.getElementById('rewind').addEventListener('click', function () { act('rewind'); });
  document.getElementById('disconnect').addEventListener('click', function () { act('disconnect'); });
})();
`;

function page(title: string, bodyAttrs: string, main: string, scripts: string[]): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:\">" +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body${bodyAttrs}><header><h1><a href="/" style="color:inherit;text-decoration:none">swemls simulator – backstage</a></h1>` +
    '<a href="/">groups</a><a href="/metrics">/metrics</a><a href="/report.json">/report.json</a>' +
    '<span class="muted" id="refreshed" style="color:#cfe0ff"></span></header>' +
    `<main>${main}</main>` +
    scripts.map((s) => `<script>${s}</script>`).join('') +
    '</body></html>\n'
  );
}

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-GB') : String(n);
}

/** A metric value: integers as they are, other numbers with up to six decimals. */
function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(6)));
}

/** An ISO time as "YYYY-MM-DD HH:MM:SS UTC" (the text as given when it is not ISO). */
function fmtTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function since(iso: string | null): string {
  if (iso === null) return '<span class="none">–</span>';
  return `<time datetime="${escapeHtml(iso)}" data-since>${escapeHtml(fmtTime(iso))}</time> <span class="ago muted"></span>`;
}

function connectedBadge(connected: boolean): string {
  return connected ? '<span class="badge yes">yes</span>' : '<span class="badge no">no</span>';
}

function progress(sent: number, total: number): string {
  const text = `${fmtInt(sent)} / ${fmtInt(total)}`;
  if (!(total > 0)) return text;
  return `${text}<progress max="${total}" value="${Math.min(Math.max(sent, 0), total)}"></progress>`;
}

function lastError(err: string | null): string {
  return err === null || err === '' ? '<span class="none">none</span>' : `<span class="err">${escapeHtml(err)}</span>`;
}

/** The index: one row per group. */
export function renderIndexPage(groups: GroupSummary[]): string {
  const rows = groups
    .map(
      (g) =>
        `<tr><td><a href="${escapeHtml(groupPath(g.name))}">${escapeHtml(g.name)}</a></td><td>${connectedBadge(g.connected)}</td>` +
        `<td class="time">${since(g.connectedSince)}</td><td class="num">${progress(g.messagesSent, g.messagesTotal)}</td>` +
        `<td>${lastError(g.lastError)}</td></tr>`,
    )
    .join('');
  const table =
    groups.length === 0
      ? '<p class="none">No groups.</p>'
      : '<table id="groups"><thead><tr><th>group</th><th>connected</th><th>since</th><th>messages sent / total</th><th>last error</th></tr></thead>' +
        `<tbody>${rows}</tbody></table>`;
  return page('Simulator backstage', '', `<section><h2>Groups</h2><div id="live">${table}</div></section>`, [COMMON_SCRIPT]);
}

/** A group's page: summary, admin actions, metrics and recent events (newest first). */
export function renderGroupPage(detail: GroupDetail, opts: { adminEnabled: boolean }): string {
  const d = detail;
  const summary =
    '<dl class="summary">' +
    `<dt>connected</dt><dd>${connectedBadge(d.connected)}</dd>` +
    `<dt>since</dt><dd>${since(d.connectedSince)}</dd>` +
    `<dt>messages sent</dt><dd>${progress(d.messagesSent, d.messagesTotal)}</dd>` +
    `<dt>last error</dt><dd>${lastError(d.lastError)}</dd></dl>`;

  const metrics =
    d.metrics.length === 0
      ? '<p class="none">No metrics.</p>'
      : '<table id="metrics"><thead><tr><th>metric</th><th>value</th></tr></thead><tbody>' +
        d.metrics.map((m) => `<tr><td>${escapeHtml(m.name)}</td><td class="num">${escapeHtml(fmtValue(m.value))}</td></tr>`).join('') +
        '</tbody></table>';

  // Newest first whatever order they come in: reverse (so equal times keep newest-first for an
  // oldest-first list), then a stable sort on the time.
  const events = [...d.events].reverse().sort((a, b) => {
    const ta = Date.parse(a.time);
    const tb = Date.parse(b.time);
    if (Number.isNaN(ta) || Number.isNaN(tb)) return 0;
    return tb - ta;
  });
  const shown = events.slice(0, MAX_EVENTS);
  const eventsHtml =
    shown.length === 0
      ? '<p class="none">No events yet.</p>'
      : '<table id="events"><thead><tr><th>time</th><th>type</th><th>detail</th></tr></thead><tbody>' +
        shown
          .map(
            (e) =>
              `<tr><td class="time">${escapeHtml(fmtTime(e.time))}</td><td><span class="badge type">${escapeHtml(e.type)}</span></td>` +
              `<td class="detail">${escapeHtml(e.detail)}</td></tr>`,
          )
          .join('') +
        '</tbody></table>' +
        (events.length > shown.length ? `<p class="muted">Showing the ${MAX_EVENTS} most recent of ${fmtInt(events.length)} events.</p>` : '');

  const disabled = opts.adminEnabled ? '' : ' disabled';
  const admin =
    '<section class="admin"><h2>Admin actions</h2>' +
    '<label for="token">Admin token</label>' +
    `<input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="the simulator's --admin-token">` +
    `<button id="rewind" type="button"${disabled}>Rewind</button>` +
    `<button id="disconnect" type="button"${disabled}>Disconnect</button>` +
    (opts.adminEnabled
      ? '<p class="muted">Rewind starts the replay again from the first message; Disconnect closes the current MLLP connection.</p>'
      : '<p class="notice">Admin actions are off: they need the simulator to be started with <code>--admin-token</code>.</p>') +
    '<p id="status" role="status" aria-live="polite"></p></section>';

  const main =
    `<h2 style="font-size:20px">Group: ${escapeHtml(d.name)}</h2>` +
    admin +
    '<div id="live">' +
    `<section><h2>Status</h2>${summary}</section>` +
    `<section><h2>Metrics</h2>${metrics}</section>` +
    `<section><h2>Recent events (newest first)</h2>${eventsHtml}</section>` +
    '</div>';
  return page(`Group ${d.name} – simulator backstage`, ` data-group="${escapeHtml(d.name)}"`, main, [COMMON_SCRIPT, ADMIN_SCRIPT]);
}
