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
  /** Observation time → real ms the result was written (then: its reply arrived). Never cleared. */
  private writtenAt = new Map<number, number>();
  /** Latency samples (s), in arrival order. Never cleared, as in the reference. */
  private samples: number[] = [];
  private sorted: number[] | null = [];

  constructor(private readonly akis: AkiTable) {}

  /** A rewind: counts and recorded pages reset; latency samples stay. */
  reset(): void {
    this.tp = this.fp = this.fn = 0;
    this.nhsTp = this.nhsFp = this.nhsFn = 0;
    this.messagesSent = this.resultsSent = 0;
    this.recorded.clear();
  }

  /** A result was written to the client (not yet acknowledged). */
  resultWritten(time: number, realMs: number): void {
    this.writtenAt.set(time, realMs);
  }

  /** The reply to a message arrived: the reference counts it as sent, whatever the reply says. */
  messageSent(result: { readonly mrn: string; readonly time: number } | null, realMs: number): void {
    this.messagesSent++;
    if (!result) return;
    this.resultsSent++;
    const { mrn, time } = result;
    this.writtenAt.set(time, realMs);
    const aki = this.akis.akiTime.get(mrn);
    if (aki !== undefined && time > aki && !this.recorded.has(mrn)) {
      this.fn++;
      this.recorded.set(mrn, MISS);
    }
    const nhs = this.akis.nhsTime.get(mrn);
    if (nhs !== undefined && nhs === time) {
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
    const at = this.writtenAt.get(time);
    if (at !== undefined) {
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
