/**
 * The report of a run (`--report DIR` → report.json, and `/report.json` live): per group, both
 * scorings, latency percentiles, messages, faults and ACK codes. report.html is drawn from it by
 * report.ts.
 */
import type { GroupRuntime, SimulatorConfig } from './simulator.js';
import type { GroupReport, SimulatorReport } from './report.js';

export type { GroupReport, SimulatorReport, ScoreCounts } from './report.js';

export function groupReport(g: GroupRuntime): GroupReport {
  const c = g.state.compatibleSnapshot();
  const e = g.state.exactSnapshot();
  return {
    name: g.name,
    messages: { total: g.state.messages.length, sent: c.messagesSent, results: c.resultsSent, resends: g.state.resends, errors: g.state.errors },
    compatible: { tp: c.tp, fp: c.fp, fn: c.fn, f3: c.f3, nhs: { tp: c.nhsTp, fp: c.nhsFp, fn: c.nhsFn, f3: c.nhsF3 } },
    exact: { tp: e.tp, fp: e.fp, fn: e.fn, f3: e.f3, precision: e.precision, recall: e.recall, nhs: { tp: e.nhs.tp, fp: e.nhs.fp, fn: e.nhs.fn, f3: e.nhs.f3 } },
    latency: { count: e.latency.count, p50: e.latency.p50, p90: e.latency.p90, p99: e.latency.p99, max: e.latency.max, buckets: e.latency.buckets },
    f3OverTime: g.state.f3OverTime.map((p) => ({ simulatedTime: new Date(p.simulatedTime).toISOString(), tp: p.tp, fp: p.fp, fn: p.fn, f3: p.f3 })),
    faults: { ...g.state.faults },
    acks: { ...g.state.acks },
  };
}

export function buildReport(cfg: SimulatorConfig, groups: readonly GroupRuntime[], nowMs: number): SimulatorReport {
  return {
    version: 1,
    generatedAt: new Date(nowMs).toISOString(),
    messagesFile: cfg.messagesFile,
    akisFile: cfg.akisFile,
    groups: groups.map(groupReport),
  };
}
