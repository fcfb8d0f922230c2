/**
 * The reference simulator's scoring ("compatible"), quirks included, as a pure state machine
 * driven by events. It reproduces the Go simulator's numbers exactly (see
 * docs/compatibility.md): FN booked only when a later result of the AKI patient is sent, FN
 * decremented by any right page after anything was recorded (so it can go negative), latency
 * keyed by observation time alone, NHS counts from the last `nhs=y` row of each MRN.
 */
import { f3, type AkiTable } from './data.js';

/** The reference's "time zero" (Go's zero time.Time, 0001-01-01 00:00:00 UTC), for pages that resolve to no result. */
export const ZERO_TIME = -62135596800000;

const MISS = Number.NEGATIVE_INFINITY;

export interface CompatibleSnapshot {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly f3: number;
  readonly nhsTp: number;
  readonly nhsFp: number;
  readonly nhsFn: number;
  readonly nhsF3: number;
  readonly messagesSent: number;
  readonly resultsSent: number;
  /** The last latency sample, s (0 when none). */
  readonly latency: number;
  readonly latencies50: number;
  readonly latencies90: number;
  readonly latencySamples: number;
}

export class CompatibleScorer {
  private tp = 0;
  private fp = 0;
  private fn = 0;
  private nhsTp = 0;
  private nhsFp = 0;
  private nhsFn = 0;
  private messagesSent = 0;
  private resultsSent = 0;
  /** MRN → the last page's time, or MISS. */
  private recorded = new Map<string, number>();
  /**
   * Observation time → real ms the result was written (then: its reply arrived), never cleared.
   * Times of the stream are numbered once (`timeIds`) so the hot path indexes an array.
   */
  private readonly timeIds = new Map<number, number>();
  private readonly writtenAt: Float64Array;
  /** Per message index: its time's id (-1 for messages that are not results), AKI and NHS time of its MRN (NaN when none). */
  private readonly timeOf: Int32Array;
  private readonly akiOf: Float64Array;
  private readonly nhsOf: Float64Array;
  /** Latency samples (s), in arrival order. Never cleared, as in the reference. */
  private samples: number[] = [];
  private sorted: number[] | null = [];

  constructor(
    private readonly akis: AkiTable,
    messages: readonly { readonly result: { readonly mrn: string; readonly time: number } | null }[] = [],
  ) {
    const n = messages.length;
    this.timeOf = new Int32Array(n).fill(-1);
    this.akiOf = new Float64Array(n).fill(Number.NaN);
    this.nhsOf = new Float64Array(n).fill(Number.NaN);
    messages.forEach((m, i) => {
      if (!m.result) return;
      let id = this.timeIds.get(m.result.time);
      if (id === undefined) this.timeIds.set(m.result.time, (id = this.timeIds.size));
      this.timeOf[i] = id;
      this.akiOf[i] = akis.akiTime.get(m.result.mrn) ?? Number.NaN;
      this.nhsOf[i] = akis.nhsTime.get(m.result.mrn) ?? Number.NaN;
    });
    this.writtenAt = new Float64Array(this.timeIds.size).fill(Number.NaN);
  }

  /** A rewind: counts and recorded pages reset; latency samples stay. */
  reset(): void {
    this.tp = this.fp = this.fn = 0;
    this.nhsTp = this.nhsFp = this.nhsFn = 0;
    this.messagesSent = this.resultsSent = 0;
    this.recorded.clear();
  }

  /** Message `index` (a result) was written to the client (not yet acknowledged). */
  resultWritten(index: number, realMs: number): void {
    const id = this.timeOf[index] as number;
    if (id >= 0) this.writtenAt[id] = realMs;
  }

  /** The reply to message `index` arrived: the reference counts it as sent, whatever the reply says. */
  messageSent(index: number, result: { readonly mrn: string; readonly time: number } | null, realMs: number): void {
    this.messagesSent++;
    if (!result) return;
    this.resultsSent++;
    const { mrn, time } = result;
    const id = this.timeOf[index] as number;
    if (id >= 0) this.writtenAt[id] = realMs;
    const aki = this.akiOf[index] as number; // NaN when the MRN has no AKI: every comparison is false
    if (time > aki && !this.recorded.has(mrn)) {
      this.fn++;
      this.recorded.set(mrn, MISS);
    }
    const nhs = this.nhsOf[index] as number;
    if (nhs === time) {
      if (aki === time) this.nhsTp++;
      else this.nhsFp++;
    } else if (aki === time) {
      this.nhsFn++;
    }
  }

  /** A valid page for `mrn` at `time` (already resolved: last result written, or ZERO_TIME). */
  page(mrn: string, time: number, realMs: number): void {
    const aki = this.akis.akiTime.get(mrn);
    const rec = this.recorded.get(mrn);
    if (aki !== undefined) {
      if (time === aki) {
        if (rec !== time) {
          this.tp++;
          if (rec !== undefined) this.fn--;
        }
      } else if (rec === undefined) {
        this.fp++;
      }
    } else if (rec !== time) {
      this.fp++;
    }
    this.recorded.set(mrn, time);
    const id = this.timeIds.get(time);
    const at = id === undefined ? Number.NaN : (this.writtenAt[id] as number);
    if (!Number.isNaN(at)) {
      this.samples.push((realMs - at) / 1000);
      this.sorted = null;
    }
  }

  snapshot(): CompatibleSnapshot {
    const n = this.samples.length;
    if (this.sorted === null) this.sorted = [...this.samples].sort((a, b) => a - b);
    const s = this.sorted;
    return {
      tp: this.tp,
      fp: this.fp,
      fn: this.fn,
      f3: f3(this.tp, this.fp, this.fn),
      nhsTp: this.nhsTp,
      nhsFp: this.nhsFp,
      nhsFn: this.nhsFn,
      nhsF3: f3(this.nhsTp, this.nhsFp, this.nhsFn),
      messagesSent: this.messagesSent,
      resultsSent: this.resultsSent,
      latency: n ? (this.samples[n - 1] as number) : 0,
      latencies50: n ? (s[Math.floor((n * 50) / 100)] as number) : 0,
      latencies90: n ? (s[Math.floor((n * 90) / 100)] as number) : 0,
      latencySamples: n,
    };
  }
}
