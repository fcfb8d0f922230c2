/**
 * `promtool check metrics` on a service's /metrics text, with the few lint findings that are
 * known and accepted listed here (and nothing else):
 *   - prom-client's default Node metrics name three gauges `*_nodejs_active_{handles,requests,
 *     resources}_total` (a prom-client naming choice we do not control);
 *   - the course's own simulator metric names (`true_positives`, `f3_score`, ...) are kept
 *     verbatim for compatibility, so any `_total`-suffix or missing-help finding on them is
 *     accepted.
 * Anything else, and any parse error, is a failure.
 *
 *   node --import tsx deploy/scripts/check-metrics.ts URL|FILE|-
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The course simulator's metric names (spec/simulator.md), kept for compatibility. */
export const courseMetricNames: ReadonlySet<string> = new Set([
  'true_positives',
  'false_positives',
  'false_negatives',
  'f3_score',
  'nhs_true_positives',
  'nhs_false_positives',
  'nhs_false_negatives',
  'nhs_f3_score',
  'messages_sent',
  'results_sent',
  'queue',
  'latency',
  'latencies_50',
  'latencies_90',
  'connections',
]);

/** True for a promtool lint finding we accept (see the file comment). */
export function isToleratedFinding(metric: string, problem: string): boolean {
  if (/^([a-z]+_)?nodejs_active_(handles|requests|resources)_total$/.test(metric) && /non-counter metrics should not have "_total" suffix/.test(problem)) return true;
  if (courseMetricNames.has(metric) && /(counter metrics should have "_total" suffix|no help text)/.test(problem)) return true;
  return false;
}

export interface MetricsCheck {
  /** promtool's exit status (0 clean, 3 lint findings, 1 parse error). */
  readonly status: number | null;
  /** Findings that fail the check. */
  readonly problems: string[];
  /** Findings accepted by isToleratedFinding. */
  readonly tolerated: string[];
}

/** Runs `promtool check metrics` on the text. */
export function checkMetricsText(text: string): MetricsCheck {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw r.error;
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const problems: string[] = [];
  const tolerated: string[] = [];
  for (const line of lines) {
    const m = /^(\S+) (.+)$/.exec(line);
    if (m && r.status === 3 && isToleratedFinding(m[1] ?? '', m[2] ?? '')) tolerated.push(line);
    else problems.push(line);
  }
  if (r.status !== 0 && problems.length === 0 && tolerated.length === 0) problems.push(`promtool exited ${String(r.status)} without saying why`);
  if (r.status === 0 && problems.length > 0) return { status: r.status, problems: [], tolerated: problems };
  return { status: r.status, problems, tolerated };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const source = process.argv[2];
  if (!source) {
    process.stderr.write('usage: check-metrics.ts URL|FILE|-\n');
    process.exitCode = 2;
  } else {
    const text = /^https?:\/\//.test(source) ? await (await fetch(source)).text() : readFileSync(source === '-' ? 0 : source, 'utf8');
    const { problems, tolerated } = checkMetricsText(text);
    for (const t of tolerated) process.stdout.write(`accepted: ${t}\n`);
    for (const p of problems) process.stderr.write(`problem: ${p}\n`);
    process.stdout.write(problems.length === 0 ? 'metrics ok\n' : '');
    process.exitCode = problems.length === 0 ? 0 : 1;
  }
}
