/**
 * The backstage HTTP server: status pages (read-only, open), `/metrics`, `/healthy`, the live
 * report, and admin actions (rewind, disconnect) that need `--admin-token` as a Bearer token.
 */
import type http from 'node:http';
import crypto from 'node:crypto';
import type { GroupRuntime, SimulatorConfig } from './simulator.js';
import { renderBackstageMetrics, courseValues } from './metrics-text.js';
import type { SimulatorReport } from './report-data.js';
import type { SimEvent } from './group-state.js';
import { readBody } from './http-util.js';
import { isEmptyFaultPlan, parseFaultPlan } from './faults.js';
import { ConfigError } from '../core/errors.js';
import { renderGroupPage, renderIndexPage, type GroupDetail, type GroupSummary } from './dashboard.js';

export interface BackstageContext {
  readonly cfg: SimulatorConfig;
  readonly groups: readonly GroupRuntime[];
  readonly report: () => SimulatorReport;
  readonly now: () => number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function summary(g: GroupRuntime): GroupSummary {
  return {
    name: g.name,
    connected: g.connected(),
    connectedSince: iso(g.connectedSince),
    messagesSent: g.state.compatibleSnapshot().messagesSent,
    messagesTotal: g.state.messages.length,
    lastError: g.state.lastError ? `${iso(g.state.lastError.real)} ${g.state.lastError.text}` : null,
  };
}

function describeEvent(e: SimEvent): string {
  switch (e.type) {
    case 'rewind':
      return `simulated time ${new Date(e.sim).toISOString()}`;
    case 'write':
    case 'reply':
      return `message ${e.index}`;
    case 'page':
      return `MRN ${e.mrn} at ${e.time > 0 ? new Date(e.time).toISOString() : 'time zero (no result yet)'}`;
    case 'error':
      return e.text;
    case 'fault':
      return e.index >= 0 ? `${e.kind} on message ${e.index}` : e.kind;
    case 'connect':
      return `from ${e.peer}`;
    case 'disconnect':
      return e.reason;
  }
}

export function detail(g: GroupRuntime): GroupDetail {
  const v = courseValues(g);
  const e = g.state.exact.scores();
  const metrics = [
    ...Object.entries(v).map(([name, value]) => ({ name, value })),
    { name: 'exact true_positives', value: e.tp },
    { name: 'exact false_positives', value: e.fp },
    { name: 'exact false_negatives', value: e.fn },
    { name: 'exact f3_score', value: e.f3 },
  ];
  const events = g.recent
    .slice(-200)
    .reverse()
    .map((ev) => ({ time: new Date(ev.real).toISOString(), type: ev.type, detail: describeEvent(ev) }));
  return { ...summary(g), metrics, events };
}

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

function tokenOk(req: http.IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(h);
  if (!m) return false;
  const a = crypto.createHash('sha256').update(m[1] as string).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}


export async function handleBackstage(req: http.IncomingMessage, res: http.ServerResponse, ctx: BackstageContext): Promise<void> {
  const url = (req.url ?? '/').split('?')[0] as string;
  const method = req.method ?? 'GET';
  if (!url.endsWith('/faults')) req.resume();
  try {
    if (url === '/healthy') return send(res, 200, 'ok\n');
    if (url === '/metrics') return send(res, 200, renderBackstageMetrics(ctx.groups), 'text/plain; version=0.0.4; charset=utf-8');
    if (url === '/report.json') return send(res, 200, JSON.stringify(ctx.report(), null, 2) + '\n', 'application/json');
    if (url === '/' || url === '/index.html') {
      const groups = ctx.groups.map(summary);
      return send(res, 200, renderIndexPage(groups), 'text/html; charset=utf-8');
    }
    const m = /^\/groups\/([^/]+)(?:\/(rewind|disconnect|faults))?\/?$/.exec(url);
    if (m) {
      let name: string;
      try {
        name = decodeURIComponent(m[1] as string);
      } catch {
        return send(res, 400, 'bad group name\n');
      }
      const g = ctx.groups.find((x) => x.name === name);
      const action = m[2];
      if (action) {
        if (method !== 'POST') return send(res, 405, 'use POST\n');
        if (!ctx.cfg.adminToken) return send(res, 403, 'admin actions are disabled: start the simulator with --admin-token\n');
        if (!tokenOk(req, ctx.cfg.adminToken)) return send(res, 401, 'a valid admin token is needed (Authorization: Bearer <token>)\n');
        if (!g) return send(res, 404, `no group '${name}'\n`);
        if (action === 'rewind') {
          g.rewind();
          await g.persist();
          return send(res, 200, `rewound ${g.name}\n`);
        }
        if (action === 'faults') {
          const body = await readBody(req, 64 * 1024);
          if (body === null) return send(res, 413, 'fault plan larger than 64 KiB\n');
          let plan;
          try {
            plan = parseFaultPlan(body.toString('utf8'));
          } catch (err) {
            return send(res, 400, `${err instanceof ConfigError ? err.problems.join('\n') : (err as Error).message}\n`);
          }
          g.setFaultPlan(plan);
          await g.persist();
          return send(res, 200, `fault plan of ${g.name} ${isEmptyFaultPlan(plan) ? 'cleared' : 'replaced'}\n`);
        }
        const was = g.disconnect();
        await g.persist();
        return send(res, 200, was ? `disconnected ${g.name}\n` : `${g.name} had no connection\n`);
      }
      if (!g) return send(res, 404, `no group '${name}'\n`);
      return send(res, 200, renderGroupPage(detail(g), { adminEnabled: Boolean(ctx.cfg.adminToken) }), 'text/html; charset=utf-8');
    }
    return send(res, 404, 'not found\n');
  } catch (err) {
    if (!res.headersSent) send(res, 500, `internal error: ${(err as Error).message}\n`);
  }
}
