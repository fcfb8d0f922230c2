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

/**
 * Pairs are numbered once (every result of the stream and every row of the AKI file), so the
 * per-message work is array indexing, not hashing: a replay runs it twice per message.
 */
export class ExactScorer {
  /** Pair key → pair id; pairs only paged (not in the stream or file) get ids as they come. */
  private readonly ids = new Map<string, number>();
  private isAki: Uint8Array;
  private isNhs: Uint8Array;
  private akiCount = 0;
  /** Per pair: 1 once paged / once its result was acknowledged. */
  private paged: Uint8Array;
  private sent: Uint8Array;
  /** Per pair: real ms of the first write, NaN before. */
  private writtenAt: Float64Array;
  private pagedOther = new Set<string>();
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

  /** `resultKeys`: the pair key of each result of the stream (index = its position among all pairs). */
  constructor(akis: AkiTable, resultKeys: Iterable<string> = []) {
    for (const k of resultKeys) if (!this.ids.has(k)) this.ids.set(k, this.ids.size);
    for (const r of akis.rows) {
      const k = key(r.mrn, r.time);
      if (!this.ids.has(k)) this.ids.set(k, this.ids.size);
    }
    const n = this.ids.size;
    this.isAki = new Uint8Array(n);
    this.isNhs = new Uint8Array(n);
    for (const r of akis.rows) {
      const id = this.ids.get(key(r.mrn, r.time)) as number;
      if (r.aki) this.isAki[id] = 1;
      if (r.nhs) this.isNhs[id] = 1;
    }
    for (let i = 0; i < n; i++) this.akiCount += this.isAki[i] as number;
    this.paged = new Uint8Array(n);
    this.sent = new Uint8Array(n);
    this.writtenAt = new Float64Array(n).fill(Number.NaN);
  }

  /** The id of a pair key of the stream (from the constructor's `resultKeys`), for the hot path. */
  idOf(k: string): number {
    const id = this.ids.get(k);
    if (id === undefined) throw new RangeError(`unknown pair ${k}`);
    return id;
  }

  reset(): void {
    this.paged.fill(0);
    this.sent.fill(0);
    this.writtenAt.fill(Number.NaN);
    this.pagedOther = new Set();
    this.tp = this.fp = this.openMisses = 0;
    this.nhsTp = this.nhsFp = this.nhsFn = 0;
    this.ended = false;
    this.samples = [];
    this.sorted = [];
  }

  /** A result (pair id, see idOf) was written. */
  resultWritten(id: number, realMs: number): void {
    if (Number.isNaN(this.writtenAt[id])) this.writtenAt[id] = realMs;
  }

  /** A result (pair id) was acknowledged. */
  resultSent(id: number): void {
    if (this.sent[id]) return;
    this.sent[id] = 1;
    const isAki = this.isAki[id] === 1;
    if (isAki && !this.paged[id]) this.openMisses++;
    const isNhs = this.isNhs[id] === 1;
    if (isNhs && isAki) this.nhsTp++;
    else if (isNhs) this.nhsFp++;
    else if (isAki) this.nhsFn++;
  }

  page(mrn: string, time: number, realMs: number): void {
    const k = key(mrn, time);
    const id = this.ids.get(k);
    if (id === undefined) {
      // Neither in the stream nor in the file: a false positive, once.
      if (this.pagedOther.has(k)) return;
      this.pagedOther.add(k);
      this.fp++;
      return;
    }
    if (this.paged[id]) return;
    this.paged[id] = 1;
    if (this.isAki[id]) {
      this.tp++;
      if (this.sent[id]) this.openMisses--;
    } else {
      this.fp++;
    }
    const at = this.writtenAt[id] as number;
    if (!Number.isNaN(at)) {
      this.samples.push(Math.max(0, (realMs - at) / 1000));
      this.sorted = null;
    }
  }

  /** TP, FP, FN now (cheap; no objects). */
  counts(): [number, number, number] {
    return [this.tp, this.fp, this.ended ? this.akiCount - this.tp : this.openMisses];
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
      fn = this.akiCount - this.tp;
      let t = 0;
      let f = 0;
      for (let i = 0; i < this.isNhs.length; i++) {
        if (!this.isNhs[i]) continue;
        if (this.isAki[i]) t++;
        else f++;
      }
      nhs = counts(t, f, this.akiCount - t);
    }
    return { ...counts(this.tp, this.fp, fn), nhs };
  }
}
