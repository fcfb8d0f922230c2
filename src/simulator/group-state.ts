/**
 * A group's whole state as a pure reducer over events. The live simulator makes an event,
 * appends it to the durable log, then applies it here; a restart applies the logged events again
 * and arrives at the very same state (position, time base, both scorings, latencies).
 */
import { f3, type AkiTable, type ReplayMessage } from './data.js';
import { CompatibleScorer, type CompatibleSnapshot } from './scoring-compatible.js';
import { ExactScorer, type ExactSnapshot } from './scoring-exact.js';

/** Everything that happens to a group. Times are real ms since the epoch (UTC, fractional). */
export type SimEvent =
  /** The replay restarts from message 0 with simulated time `sim` at real time `real`. */
  | { readonly type: 'rewind'; readonly real: number; readonly sim: number }
  /** Message `index` was written to the client. */
  | { readonly type: 'write'; readonly real: number; readonly index: number }
  /**
   * A reply to message `index` arrived. `counted`: the message is done (position moves on and it
   * scores); otherwise it will be resent (a NAK under --on-nak=resend). `code` is MSA-1 or null
   * for an unreadable reply.
   */
  | { readonly type: 'reply'; readonly real: number; readonly index: number; readonly code: string | null; readonly counted: boolean; readonly note?: string }
  /** A page that was accepted, resolved to an observation time (ZERO_TIME when none). */
  | { readonly type: 'page'; readonly real: number; readonly mrn: string; readonly time: number }
  | { readonly type: 'error'; readonly real: number; readonly text: string }
  | { readonly type: 'fault'; readonly real: number; readonly kind: string; readonly index: number }
  | { readonly type: 'connect'; readonly real: number; readonly peer: string }
  | { readonly type: 'disconnect'; readonly real: number; readonly reason: string };

export interface F3Point {
  readonly simulatedTime: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly f3: number;
}

const MAX_F3_POINTS = 2000;
const F3_SAMPLE_MS = 60 * 60_000;

export class GroupState {
  position = 0;
  /** Simulated time at the last rewind, and the real time of that rewind. */
  startSim: number;
  rewindReal: number;
  readonly compatible: CompatibleScorer;
  readonly exact: ExactScorer;
  /** Message index → the exact scorer's pair id (-1 for messages that are not results). */
  private readonly pairOf: Int32Array;
  /** MRN → observation time of the last result written (MRN-only pages refer to it). */
  lastResult = new Map<string, number>();
  acks: Record<string, number> = {};
  faults: Record<string, number> = {};
  /** Message indexes that have had their faults injected (once per index, across rewinds and restarts). */
  readonly faulted = new Set<number>();
  resends = 0;
  errors = 0;
  lastError: { real: number; text: string } | null = null;
  /** Messages written (including resends), for the report. */
  writes = 0;
  f3OverTime: F3Point[] = [];
  private f3Stride = 1;
  private resultsSinceSample = 0;
  private nextF3Sample = Number.NEGATIVE_INFINITY;
  /** Index of the message written and not yet answered, or -1. */
  inFlight = -1;

  constructor(
    readonly messages: readonly ReplayMessage[],
    readonly akis: AkiTable,
    initialSim: number,
    initialReal: number,
  ) {
    this.compatible = new CompatibleScorer(akis, messages);
    this.exact = new ExactScorer(akis, messages.flatMap((m) => (m.result ? [m.result.key] : [])));
    this.pairOf = Int32Array.from(messages, (m) => (m.result ? this.exact.idOf(m.result.key) : -1));
    this.startSim = initialSim;
    this.rewindReal = initialReal;
  }

  /** Simulated now for a real time, at `speed` simulated seconds per real second. */
  simulatedAt(real: number, speed = 1): number {
    return this.startSim + (real - this.rewindReal) * speed;
  }

  get done(): boolean {
    return this.position >= this.messages.length;
  }

  apply(e: SimEvent): void {
    switch (e.type) {
      case 'rewind':
        this.position = 0;
        this.startSim = e.sim;
        this.rewindReal = e.real;
        this.compatible.reset();
        this.exact.reset();
        this.lastResult.clear();
        this.f3OverTime = [];
        this.f3Stride = 1;
        this.resultsSinceSample = 0;
        this.nextF3Sample = Number.NEGATIVE_INFINITY;
        this.inFlight = -1;
        return;
      case 'write': {
        const m = this.messages[e.index];
        this.writes++;
        this.inFlight = e.index;
        if (m?.result) {
          this.lastResult.set(m.result.mrn, m.result.time);
          this.compatible.resultWritten(e.index, e.real);
          this.exact.resultWritten(this.pairOf[e.index] as number, e.real);
        }
        return;
      }
      case 'reply': {
        const code = e.code ?? '(unreadable)';
        this.acks[code] = (this.acks[code] ?? 0) + 1;
        this.inFlight = -1;
        if (!e.counted) {
          this.resends++;
          return;
        }
        const m = this.messages[e.index];
        this.position = e.index + 1;
        const result = m?.result ?? null;
        this.compatible.messageSent(e.index, result, e.real);
        if (result) {
          this.exact.resultSent(this.pairOf[e.index] as number);
          this.sampleF3(result.time);
        }
        if (this.position >= this.messages.length) {
          this.exact.end();
          // The last point: misses are closed at the end of the stream.
          const t = Number.isFinite(m?.mshTime) ? (m?.mshTime as number) : (this.f3OverTime.at(-1)?.simulatedTime ?? this.startSim);
          const sc = this.exact.scores();
          const last = this.f3OverTime.at(-1);
          const at = last && last.simulatedTime > t ? last.simulatedTime : t;
          this.f3OverTime.push({ simulatedTime: at, tp: sc.tp, fp: sc.fp, fn: sc.fn, f3: sc.f3 });
        }
        return;
      }
      case 'page':
        this.compatible.page(e.mrn, e.time, e.real);
        this.exact.page(e.mrn, e.time, e.real);
        return;
      case 'error':
        this.errors++;
        this.lastError = { real: e.real, text: e.text };
        return;
      case 'fault':
        this.faults[e.kind] = (this.faults[e.kind] ?? 0) + 1;
        if (e.index >= 0) this.faulted.add(e.index);
        return;
      case 'connect':
      case 'disconnect':
        this.inFlight = -1;
        return;
    }
  }

  /** A point at most every F3_SAMPLE_MS of simulated time (and every f3Stride-th result). */
  private sampleF3(simTime: number): void {
    if (simTime < this.nextF3Sample) return;
    if (++this.resultsSinceSample < this.f3Stride) return;
    this.nextF3Sample = simTime + F3_SAMPLE_MS;
    this.resultsSinceSample = 0;
    const [tp, fp, fn] = this.exact.counts();
    this.f3OverTime.push({ simulatedTime: simTime, tp, fp, fn, f3: f3(tp, fp, fn) });
    if (this.f3OverTime.length >= MAX_F3_POINTS) {
      this.f3OverTime = this.f3OverTime.filter((_, i) => i % 2 === 1);
      this.f3Stride *= 2;
    }
  }

  compatibleSnapshot(): CompatibleSnapshot {
    return this.compatible.snapshot();
  }

  exactSnapshot(): ExactSnapshot {
    return this.exact.snapshot();
  }
}
