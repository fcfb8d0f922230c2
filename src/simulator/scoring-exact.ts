/**
 * The exact scoring: over distinct (MRN, observation time) pairs. TP = AKIs paged at their AKI
 * time; FP = distinct paged pairs that are not an AKI; FN = AKIs not paged — counted for AKIs
 * whose result has been sent, and for every AKI once the stream has ended. Counts never go
 * negative and F3 ≤ 1. Latency is keyed by the pair and measured from the moment the result was
 * first written, first page only. The NHS algorithm (the file's `nhs` column) is scored the same
 * way over every row.
 */
import { f3, pairKey as key, type AkiTable } from './data.js';

/** Upper bounds (s) of the latency histogram buckets; the last bucket is +Inf. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const;

export interface ExactCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly f3: number;
  readonly precision: number;
  readonly recall: number;
}

export interface ExactSnapshot extends ExactCounts {
  readonly nhs: ExactCounts;
  readonly latency: LatencySummary;
}

export interface LatencySummary {
  readonly count: number;
  readonly sum: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Cumulative counts; `le: null` is +Inf. */
  readonly buckets: { le: number | null; count: number }[];
}


function counts(tp: number, fp: number, fn: number): ExactCounts {
  return { tp, fp, fn, f3: f3(tp, fp, fn), precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 };
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export class ExactScorer {
  private readonly aki = new Set<string>();
  private readonly nhs = new Set<string>();
  private paged = new Set<string>();
  private sent = new Set<string>();
  private writtenAt = new Map<string, number>();
  private tp = 0;
  private fp = 0;
  /** AKIs whose result was sent and that are not paged. */
  private openMisses = 0;
  private nhsTp = 0;
  private nhsFp = 0;
  private nhsFn = 0;
  private ended = false;
  private samples: number[] = [];
  private sorted: number[] | null = [];

  constructor(akis: AkiTable) {
    for (const r of akis.rows) {
      if (r.aki) this.aki.add(key(r.mrn, r.time));
      if (r.nhs) this.nhs.add(key(r.mrn, r.time));
    }
  }

  reset(): void {
    this.paged = new Set();
    this.sent = new Set();
    this.writtenAt = new Map();
    this.tp = this.fp = this.openMisses = 0;
    this.nhsTp = this.nhsFp = this.nhsFn = 0;
    this.ended = false;
    this.samples = [];
    this.sorted = [];
  }

  /** A result (pair key `k`, see pairKey) was written. */
  resultWritten(k: string, realMs: number): void {
    if (!this.writtenAt.has(k)) this.writtenAt.set(k, realMs);
  }

  /** A result (pair key `k`) was acknowledged. */
  resultSent(k: string): void {
    if (this.sent.has(k)) return;
    this.sent.add(k);
    const isAki = this.aki.has(k);
    if (isAki && !this.paged.has(k)) this.openMisses++;
    const isNhs = this.nhs.has(k);
    if (isNhs && isAki) this.nhsTp++;
    else if (isNhs) this.nhsFp++;
    else if (isAki) this.nhsFn++;
  }

  page(mrn: string, time: number, realMs: number): void {
    const k = key(mrn, time);
    if (this.paged.has(k)) return;
    this.paged.add(k);
    if (this.aki.has(k)) {
      this.tp++;
      if (this.sent.has(k)) this.openMisses--;
    } else {
      this.fp++;
    }
    const at = this.writtenAt.get(k);
    if (at !== undefined) {
      this.samples.push(Math.max(0, (realMs - at) / 1000));
      this.sorted = null;
    }
  }

  /** The stream has ended: every AKI not paged is a miss from now on. */
  end(): void {
    this.ended = true;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  latency(): LatencySummary {
    if (this.sorted === null) this.sorted = [...this.samples].sort((a, b) => a - b);
    const s = this.sorted;
    const buckets: { le: number | null; count: number }[] = [];
    let i = 0;
    for (const le of LATENCY_BUCKETS) {
      while (i < s.length && (s[i] as number) <= le) i++;
      buckets.push({ le, count: i });
    }
    buckets.push({ le: null, count: s.length });
    let sum = 0;
    for (const x of s) sum += x;
    return { count: s.length, sum, p50: percentile(s, 0.5), p90: percentile(s, 0.9), p99: percentile(s, 0.99), max: s.length ? (s[s.length - 1] as number) : 0, buckets };
  }

  snapshot(): ExactSnapshot {
    return { ...this.scores(), latency: this.latency() };
  }

  /** The counts without the latency summary (cheap). */
  scores(): ExactCounts & { readonly nhs: ExactCounts } {
    let fn = this.openMisses;
    let nhs = counts(this.nhsTp, this.nhsFp, this.nhsFn);
    if (this.ended) {
      fn = this.aki.size - this.tp;
      let t = 0;
      let f = 0;
      for (const k of this.nhs) if (this.aki.has(k)) t++;
      else f++;
      nhs = counts(t, f, this.aki.size - t);
    }
    return { ...counts(this.tp, this.fp, fn), nhs };
  }
}
