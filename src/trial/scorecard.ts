/**
 * The trial's verdict: our detector against the NHS algorithm on the same stream, and the
 * course's marking terms for the run. Pure: figures in, text out.
 */
import { fbeta } from '../aki/score.js';

export interface Counts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly f3: number;
}

export interface Scorecard {
  readonly detector: string;
  readonly exact: Counts;
  readonly compatible: Counts;
  readonly nhsExact: Counts;
  readonly nhsCompatible: Counts;
  /** Page latency in seconds, as the simulator measured it (exact scoring). */
  readonly latency: { readonly count: number; readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly messages: number;
  readonly replaySeconds: number;
  readonly wallSeconds: number;
  /** The learned model on the evaluation hospital's test.csv (coursework-1 style), when measured. */
  readonly model?: { readonly f3: number; readonly nhsF3: number; readonly rows: number };
  readonly faults?: readonly string[];
}

/** The marking terms of the course for one run, as we read them (docs/trial.md). */
export interface Marking {
  /** Our exact F3 minus the NHS algorithm's on the same stream. */
  readonly f3AboveNhs: number;
  /** How far from the NHS F3 towards 0.95 we got: 0 at NHS, 1 at 0.95 or above. */
  readonly f3TowardsTarget: number;
  /** 1 when p90 latency ≤ 1 s, losing 0.1 per second above it, never below 0. */
  readonly latencyTerm: number;
  /** Final-run points: +10 per true page, −3 per false page, −10 per miss. */
  readonly points: number;
}

export const F3_TARGET = 0.95;

/** Counts with F3 recomputed (never trusting a figure that could be inconsistent). */
export function counts(tp: number, fp: number, fn: number): Counts {
  return { tp, fp, fn, f3: fbeta(tp, fp, fn, 3) };
}

export function marking(card: Pick<Scorecard, 'exact' | 'nhsExact' | 'latency'>): Marking {
  const nhs = card.nhsExact.f3;
  const f3 = card.exact.f3;
  const span = F3_TARGET - nhs;
  const towards = span <= 0 ? (f3 >= F3_TARGET ? 1 : 0) : Math.min(1, Math.max(0, (f3 - nhs) / span));
  const p90 = card.latency.p90;
  return {
    f3AboveNhs: f3 - nhs,
    f3TowardsTarget: towards,
    latencyTerm: Math.max(0, 1 - 0.1 * Math.max(0, p90 - 1)),
    points: 10 * card.exact.tp - 3 * card.exact.fp - 10 * card.exact.fn,
  };
}

function ms(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  return seconds < 1 ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(2)} s`;
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

/** The scorecard as text for a terminal. */
export function formatScorecard(card: Scorecard): string {
  const m = marking(card);
  const widths = [34, 6, 6, 6, 8];
  const line = (label: string, c: Counts): string => row([label, String(c.tp), String(c.fp), String(c.fn), c.f3.toFixed(4)], widths);
  const out = [
    '',
    `Scorecard — ${card.detector}`,
    '─'.repeat(66),
    row(['', 'TP', 'FP', 'FN', 'F3'], widths),
    line('detector, exact', card.exact),
    line('detector, course-compatible', card.compatible),
    line('NHS algorithm, exact', card.nhsExact),
    line('NHS algorithm, course-compatible', card.nhsCompatible),
    '',
    `page latency (${card.latency.count} pages)   p50 ${ms(card.latency.p50)}   p90 ${ms(card.latency.p90)}   p99 ${ms(card.latency.p99)}   max ${ms(card.latency.max)}`,
    `replay          ${card.messages} messages in ${card.replaySeconds.toFixed(1)} s = ${card.replaySeconds > 0 ? Math.round(card.messages / card.replaySeconds) : 0} messages/s`,
    `wall time       ${card.wallSeconds.toFixed(1)} s in all`,
  ];
  if (card.model) {
    out.push(`model on test.csv  F3 ${card.model.f3.toFixed(4)} (NHS ${card.model.nhsF3.toFixed(4)}) over ${card.model.rows} patients`);
  }
  out.push(
    '',
    'Course marking terms (docs/trial.md)',
    `  F3 above NHS                 ${m.f3AboveNhs >= 0 ? '+' : ''}${m.f3AboveNhs.toFixed(4)}`,
    `  F3 towards ${F3_TARGET}             ${(m.f3TowardsTarget * 100).toFixed(1)}% of the way from NHS`,
    `  p90 latency term             ${m.latencyTerm.toFixed(2)} (1.00 at p90 ≤ 1 s)`,
    `  final-run points             ${m.points} (+10·TP −3·FP −10·FN)`,
  );
  if (card.faults && card.faults.length > 0) out.push('', 'Faults injected', ...card.faults.map((f) => `  ${f}`));
  const verdict = card.exact.f3 > card.nhsExact.f3 ? 'PASS: the detector beats the NHS algorithm on this stream' : 'FAIL: the detector does not beat the NHS algorithm on this stream';
  out.push('', verdict, '');
  return out.join('\n');
}
