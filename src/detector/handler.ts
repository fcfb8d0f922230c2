/**
 * What happens to a message (spec/detector.md): parse leniently, make it durable, then answer.
 * Messages that arrived together are handled in one transaction; the ACKs are returned only
 * after it has committed. A result that is new is added to the patient's state, the model
 * predicts, and an AKI puts a pending page in the outbox in the same transaction. A result
 * already stored (same MRN and observation time) changes nothing. A message that cannot be
 * understood becomes a dead letter and is answered with the configured code (AA by default).
 *
 * No I/O but the store; time comes from `now`, so tests run it with a fake clock.
 */
import { AckCode, buildAck, formatHl7Timestamp, Hl7Error, parseHl7, readCourseMessage, type Hl7Message } from '../hl7/index.js';
import { createPatientState, parsePatientState, updatePatientState, type Model, type PatientState } from '../aki/index.js';
import type { Logger } from '../core/logger.js';
import { KNOWN_TYPES, type DetectorMetrics } from './metrics.js';
import type { DetectorStore } from './store.js';

const DAY_MS = 86_400_000;

/** A page to send: the result's MRN and observation time. */
export interface PageJob {
  readonly mrn: string;
  readonly time: number;
  /** The time as paged (OBR-7 as sent when it is 12 or 14 digits). */
  readonly timeText: string;
  /** When the message with the result arrived (ms). */
  readonly createdAt: number;
  /** Attempts made so far (0 for a new page). */
  readonly attempts: number;
}

/** One frame from the feed: its payload (undefined for an empty frame) and when it arrived. */
export interface IncomingFrame {
  readonly payload: Buffer | undefined;
  readonly receivedAt: number;
}

/** What became of one message. */
export type MessageOutcome = 'processed' | 'duplicate' | 'ignored' | 'dead_letter';

export interface HandledMessage {
  readonly ack: string;
  readonly code: AckCode;
  readonly type: string;
  readonly outcome: MessageOutcome;
  /** Set when the message made a new page. */
  readonly page?: PageJob;
  /** The dead-letter reason, when it was one. */
  readonly reason?: string;
}

export interface HandlerOptions {
  readonly store: DetectorStore;
  readonly model: Model;
  /** Wall-clock time, ms (ACK times). */
  readonly now: () => number;
  /** The code answering a message that cannot be understood (AA: the feed moves on; AE with an ERR segment). */
  readonly badMessageAck?: 'AA' | 'AE';
  readonly metrics?: DetectorMetrics;
  readonly logger?: Logger;
  /** Most patients kept in memory (least recently used leave first; the store stays the truth). */
  readonly cacheSize?: number;
  /**
   * Take the model's live-period start from the feed: 00:00 UTC of the day of the first result
   * received, recorded in the store (meta `stream_start`) with that result, and kept across
   * restarts. Without it the model predicts with the start it was given.
   */
  readonly streamStartFromFeed?: boolean;
}

/** The store's meta key of the live-period start the feed gave (ms since the epoch). */
export const STREAM_START_KEY = 'stream_start';

interface CachedPatient {
  birthDate: number | null;
  sex: 'm' | 'f' | null;
  state: PatientState | null;
}

/** Dead-letter reasons (bounded, for the metric's label). */
export const DeadLetterReason = {
  emptyFrame: 'empty_frame',
  notHl7: 'not_hl7',
  noType: 'no_type',
  badMrn: 'bad_mrn',
  badTime: 'bad_time',
  badValue: 'bad_value',
  noCreatinine: 'no_creatinine',
  invalid: 'invalid',
} as const;

/** Maps `readCourseMessage`'s reason text to a bounded label (its wording is pinned by handler.test.ts). */
export function classifyInvalid(reason: string): string {
  if (reason.includes('MRN')) return DeadLetterReason.badMrn;
  if (reason.includes('observation time')) return DeadLetterReason.badTime;
  if (reason.includes('creatinine value')) return DeadLetterReason.badValue;
  if (reason.includes('no creatinine')) return DeadLetterReason.noCreatinine;
  if (reason.includes('MSH-9')) return DeadLetterReason.noType;
  return DeadLetterReason.invalid;
}

/** Age in whole years at `at` (the course's rule: whole days ÷ 365, floored), or undefined. */
export function ageAt(birthDate: number | null | undefined, at: number): number | undefined {
  if (birthDate === null || birthDate === undefined || !Number.isFinite(birthDate)) return undefined;
  const days = Math.round((at - birthDate) / DAY_MS);
  if (days < 0) return undefined;
  return Math.floor(days / 365);
}

const PAGER_TIME = /^\d{12}(\d{2})?$/;

/** The time a page carries: OBR-7 as sent when the pager accepts its form, else 14 digits. */
export function pageTimeText(timeText: string, time: number): string {
  return PAGER_TIME.test(timeText) ? timeText : formatHl7Timestamp(time);
}

/** A message handler bound to a store and a model. */
export class MessageHandler {
  private readonly cache = new Map<string, CachedPatient>();
  private readonly cacheSize: number;
  private readonly badCode: AckCode;
  private dataVersion: number | undefined;
  private dataVersionCheckedAt = Number.NEGATIVE_INFINITY;
  private model: Model;
  /** True until the feed's first result has set the live-period start (with `streamStartFromFeed`). */
  private awaitingStreamStart = false;

  constructor(private readonly o: HandlerOptions) {
    this.cacheSize = o.cacheSize ?? 200_000;
    this.badCode = o.badMessageAck === 'AE' ? AckCode.error : AckCode.accept;
    this.model = o.model;
    if (o.streamStartFromFeed) {
      const stored = o.store.getMeta(STREAM_START_KEY);
      if (stored === undefined) this.awaitingStreamStart = true;
      else this.model = o.model.withStreamStart(Number(stored));
    }
  }

  /** The live-period start the model predicts with (ms), or null. */
  get streamStart(): number | null {
    return this.model.streamStart;
  }

  /** Handles frames that arrived together, in one transaction. Throws (nothing committed, nothing to ACK) when the store fails. */
  handleBatch(frames: readonly IncomingFrame[]): HandledMessage[] {
    // Another process (a backfill) may have changed demographics: then forget the cache.
    // Checked at most once a second (the check is a query of its own).
    const now = this.o.now();
    if (now - this.dataVersionCheckedAt >= 1000 || now < this.dataVersionCheckedAt) {
      this.dataVersionCheckedAt = now;
      const dv = this.o.store.dataVersion();
      if (this.dataVersion !== undefined && dv !== this.dataVersion) this.cache.clear();
      this.dataVersion = dv;
    }
    const touched: string[] = [];
    const awaiting = this.awaitingStreamStart;
    let out: HandledMessage[];
    try {
      out = this.o.store.transaction(() => frames.map((f) => this.handleOne(f, touched)));
    } catch (err) {
      // The cache may be ahead of what was rolled back: forget what this batch touched.
      for (const mrn of touched) this.cache.delete(mrn);
      // So may the live-period start, if this batch set it.
      if (awaiting && !this.awaitingStreamStart) {
        this.awaitingStreamStart = true;
        this.model = this.o.model;
      }
      throw err;
    }
    this.count(out);
    return out;
  }

  /** Handles one frame in its own transaction. */
  handle(frame: IncomingFrame): HandledMessage {
    return this.handleBatch([frame])[0] as HandledMessage;
  }

  private count(out: readonly HandledMessage[]): void {
    const m = this.o.metrics;
    if (!m) return;
    for (const h of out) {
      m.messages.inc({ type: KNOWN_TYPES.has(h.type) ? h.type : h.type === '' ? 'unknown' : 'other', outcome: h.outcome });
      m.acks.inc({ code: h.code });
      if (h.reason !== undefined) m.deadLetters.inc({ reason: h.reason });
    }
  }

  private ack(message: Hl7Message | undefined, code: AckCode, errorText?: string): string {
    return buildAck({ message, code, time: this.o.now(), errorText });
  }

  private dead(frame: IncomingFrame, message: Hl7Message | undefined, type: string, reason: string, detail: string): HandledMessage {
    this.o.store.insertDeadLetter(frame.receivedAt, reason, detail, frame.payload ?? Buffer.alloc(0));
    this.o.logger?.warn({ reason, detail, type }, 'dead letter: message not understood, stored and acknowledged');
    return { ack: this.ack(message, this.badCode, detail), code: this.badCode, type, outcome: 'dead_letter', reason };
  }

  private patient(mrn: string): CachedPatient {
    let p = this.cache.get(mrn);
    if (p) {
      // Least recently used order: move to the end.
      this.cache.delete(mrn);
      this.cache.set(mrn, p);
      return p;
    }
    const row = this.o.store.getPatient(mrn);
    p = { birthDate: row?.birthDate ?? null, sex: row?.sex ?? null, state: row?.state ? parsePatientState(JSON.parse(row.state)) : null };
    this.cache.set(mrn, p);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return p;
  }

  private handleOne(frame: IncomingFrame, touched: string[]): HandledMessage {
    if (frame.payload === undefined || frame.payload.length === 0) {
      return this.dead(frame, undefined, '', DeadLetterReason.emptyFrame, 'empty MLLP frame');
    }
    let message: Hl7Message;
    try {
      message = parseHl7(frame.payload);
    } catch (err) {
      if (!(err instanceof Hl7Error)) throw err;
      return this.dead(frame, undefined, '', DeadLetterReason.notHl7, err.message);
    }
    const m = readCourseMessage(message);
    const store = this.o.store;
    switch (m.kind) {
      case 'invalid':
        return this.dead(frame, message, m.type, classifyInvalid(m.reason), m.reason);
      case 'other':
        return { ack: this.ack(message, AckCode.accept), code: AckCode.accept, type: m.type, outcome: 'ignored' };
      case 'admit': {
        touched.push(m.mrn);
        const sex = m.sex === 'F' ? 'f' : m.sex === 'M' ? 'm' : null;
        if (store.putAdmission(m.mrn, m.birthDate ?? null, sex, m.time ?? null)) {
          const p = this.cache.get(m.mrn);
          if (p) {
            p.birthDate = m.birthDate ?? null;
            p.sex = sex;
          }
        }
        return { ack: this.ack(message, AckCode.accept), code: AckCode.accept, type: message.type, outcome: 'processed' };
      }
      case 'discharge':
        store.putDischarge(m.mrn, m.time ?? null);
        return { ack: this.ack(message, AckCode.accept), code: AckCode.accept, type: message.type, outcome: 'processed' };
      case 'result': {
        // Several creatinine OBX in one message: the last is taken as the result (the course sends one).
        const value = m.values[m.values.length - 1] as number;
        if (!store.insertResult(m.mrn, m.time, value, 'stream', frame.receivedAt)) {
          return { ack: this.ack(message, AckCode.accept), code: AckCode.accept, type: message.type, outcome: 'duplicate' };
        }
        touched.push(m.mrn);
        if (this.awaitingStreamStart) {
          const start = Math.floor(m.time / DAY_MS) * DAY_MS;
          store.setMeta(STREAM_START_KEY, String(start));
          this.model = this.o.model.withStreamStart(start);
          this.awaitingStreamStart = false;
          this.o.logger?.info({ streamStart: new Date(start).toISOString() }, 'live period starts at 00:00 UTC of the first result on the feed');
        }
        const p = this.patient(m.mrn);
        const state = p.state ?? createPatientState();
        updatePatientState(state, m.time, value);
        p.state = state;
        store.putState(m.mrn, JSON.stringify(state));
        const prediction = this.model.predict(state, { age: ageAt(p.birthDate, m.time), sex: p.sex ?? undefined });
        store.setPrediction(m.mrn, m.time, prediction.aki, prediction.score);
        let page: PageJob | undefined;
        if (prediction.aki) {
          const timeText = pageTimeText(m.timeText, m.time);
          if (store.insertPage(m.mrn, m.time, timeText, frame.receivedAt)) page = { mrn: m.mrn, time: m.time, timeText, createdAt: frame.receivedAt, attempts: 0 };
        }
        const metrics = this.o.metrics;
        if (metrics) {
          metrics.results.inc();
          metrics.creatinine.observe(value);
          metrics.predictions.inc({ outcome: prediction.aki ? 'aki' : 'no_aki' });
        }
        const base = { ack: this.ack(message, AckCode.accept), code: AckCode.accept, type: message.type, outcome: 'processed' as const };
        return page ? { ...base, page } : base;
      }
    }
  }
}
