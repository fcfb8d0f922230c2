/**
 * An MLLP connection over any Duplex stream (a TCP socket, a TLS socket, a Duplex pair in
 * tests). Frames arrive as `frame` events, unless a `request` is waiting for its reply, which then
 * takes the next frame. Writes are MLLP-framed.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Hl7Error, Hl7ErrorCode } from './errors.js';
import { encodeFrame, FRAME_END_TEXT, FRAME_START_TEXT, MllpDecoder, type MllpDecoderOptions, type MllpFrame } from './mllp-codec.js';

export interface MllpConnectionEvents {
  /** A whole frame's payload. */
  frame: [payload: Buffer];
  /** A frame that held nothing (typed error `HL7_ERR_EMPTY_FRAME`); the connection stays open. */
  badFrame: [error: Hl7Error];
  /** A fatal protocol or stream error; the connection is closed after it. */
  error: [error: Error];
  /** The connection has closed (once). */
  close: [];
}

export interface RequestOptions {
  /**
   * Decides whether a frame is the reply to this request (e.g. its MSA-2 equals the MSH-10
   * sent). A frame it refuses is not taken as the reply: it goes out as a `frame` event, and the
   * request keeps waiting. This is what stops a late ACK of an earlier, timed-out message being
   * taken as the reply to the next one (Mirth #1441). Default: the next frame is the reply.
   */
  readonly accept?: (payload: Buffer) => boolean;
}

interface Waiter {
  resolve: (payload: Buffer) => void;
  reject: (err: Error) => void;
  timeoutMs: number;
  accept: ((payload: Buffer) => boolean) | undefined;
  /** performance.now() at the first tick that saw this waiter (its wait began before that). */
  seenAt: number;
}

/** The timeout-check period for a timeout: a sixteenth of it, between 1 and 500 ms. */
function tickFor(timeoutMs: number): number {
  return Math.max(1, Math.min(500, timeoutMs / 16));
}

function closedError(): Hl7Error {
  return new Hl7Error(Hl7ErrorCode.closed, 'MLLP connection closed');
}

/** An MLLP peer over a Duplex. Never logs: it emits events and rejects with typed errors. */
export class MllpConnection extends EventEmitter<MllpConnectionEvents> {
  private readonly decoder: MllpDecoder;
  private waiter: Waiter | undefined;
  /**
   * Timeouts are checked by a ticking timer, which runs only while a request waits, rather than a
   * timer made (or re-armed) per request: a request-reply loop then costs no timer work at all.
   * A request times out between `timeoutMs` and `timeoutMs` plus two ticks (a tick is a
   * sixteenth of the timeout, at most 500 ms) after it was sent, never earlier.
   */
  private tick: NodeJS.Timeout | undefined;
  private tickPeriod = 0;
  private closing: Promise<void> | undefined;
  private closedFlag = false;
  private readonly onFrameBound = (f: MllpFrame): void => this.onFrame(f);
  private readonly onTickBound = (): void => this.onTick();

  constructor(
    readonly stream: Duplex,
    options: MllpDecoderOptions = {},
  ) {
    super();
    this.decoder = new MllpDecoder(options);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (err) => this.fail(err));
    stream.on('close', () => this.onClose());
    stream.on('end', () => {
      // A last frame that lacked only its final 0x0D ends with the stream.
      for (const f of this.decoder.end()) this.onFrame(f);
      // The peer has finished sending: finish our side too (a half-open MLLP link is useless).
      if (!this.closedFlag && !stream.writableEnded) stream.end();
      if (stream.writableFinished) stream.destroy();
    });
    stream.on('finish', () => {
      if (stream.readableEnded) stream.destroy();
    });
    if (stream.destroyed) queueMicrotask(() => this.onClose());
  }

  /** Bytes skipped between frames so far. */
  get strayBytes(): number {
    return this.decoder.strayBytes;
  }

  /**
   * The decoder's counters: frames decoded, bytes skipped, frames abandoned, lenient ends, and
   * the bytes held for an unfinished frame (a peer that never ends its frame shows here, not
   * only as a request timing out).
   */
  get stats(): { framesDecoded: number; strayBytes: number; abandonedFrames: number; abandonedBytes: number; lenientEnds: number; bufferedBytes: number } {
    const d = this.decoder;
    return { framesDecoded: d.framesDecoded, strayBytes: d.strayBytes, abandonedFrames: d.abandonedFrames, abandonedBytes: d.abandonedBytes, lenientEnds: d.lenientEnds, bufferedBytes: d.buffered };
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** True while a `request`/`nextFrame` waits for its reply. */
  get waiting(): boolean {
    return this.waiter !== undefined;
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.pushEach(chunk, this.onFrameBound);
    } catch (err) {
      // Frames that ended before the cap was hit have been delivered; the stream is out of sync.
      this.fail(err as Error);
    }
  }

  private onFrame(f: MllpFrame): void {
    if (this.closedFlag) return;
    if (!f.ok) {
      if (this.waiter) this.settle(undefined, f.error);
      else this.emit('badFrame', f.error);
      return;
    }
    const w = this.waiter;
    if (w && (w.accept === undefined || w.accept(f.payload))) this.settle(f.payload);
    else this.emit('frame', f.payload);
  }

  private settle(payload: Buffer | undefined, error?: Error): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    if (error) w.reject(error);
    else w.resolve(payload as Buffer);
  }

  private fail(err: Error): void {
    if (this.closedFlag) return;
    this.settle(undefined, err);
    if (this.listenerCount('error') > 0) this.emit('error', err);
    void this.close(0);
  }

  private onClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.tick) clearTimeout(this.tick);
    this.tick = undefined;
    this.settle(undefined, closedError());
    this.emit('close');
  }

  private get writable(): boolean {
    return !this.closedFlag && !this.stream.destroyed && !this.stream.writableEnded;
  }

  /** Writes one framed message. Resolves when the stream has taken it (backpressure respected). */
  send(message: string | Uint8Array): Promise<void> {
    if (!this.writable) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.writeFrame(message, (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Writes one framed message without waiting (for hot paths such as answering with an ACK).
   * Returns false when the connection is closed (nothing written) or the stream's buffer is
   * full (written; await `drain` on the stream before writing more). Write errors close the
   * connection and come out as an `error` event.
   */
  write(message: string | Uint8Array): boolean {
    if (!this.writable) return false;
    return this.writeFrame(message);
  }

  /**
   * A string goes to the stream as one latin-1 string (a socket copies it straight to the kernel,
   * with no Buffer made per message); bytes are framed into a Buffer.
   */
  private writeFrame(message: string | Uint8Array, cb?: (err: Error | null | undefined) => void): boolean {
    if (typeof message === 'string') return this.stream.write(FRAME_START_TEXT + message + FRAME_END_TEXT, 'latin1', cb);
    return this.stream.write(encodeFrame(message), cb);
  }

  /** Writes raw bytes as they are (for tests and fault injection: fragments, garbage). */
  writeRaw(bytes: Uint8Array): Promise<void> {
    if (!this.writable) return Promise.reject(closedError());
    return new Promise((resolve, reject) => this.stream.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Sends a message and waits for its reply, up to `timeoutMs`. Rejects with `HL7_ERR_TIMEOUT`,
   * `HL7_ERR_CLOSED`, `HL7_ERR_EMPTY_FRAME` (the reply was an empty frame), `HL7_ERR_BUSY` if a
   * request is already outstanding (one at a time, as MLLP's original mode has it), or the
   * stream's error. A reply that comes after the timeout is not kept for the next request: it is
   * emitted as a `frame` event (pass `accept` to also refuse stray replies that come in time).
   */
  request(message: string | Uint8Array, timeoutMs = 10_000, options?: RequestOptions): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new Hl7Error(Hl7ErrorCode.busy, 'a request is already waiting for its reply'));
    if (this.closedFlag || this.stream.destroyed || this.stream.writableEnded) return Promise.reject(closedError());
    const reply = this.nextFrame(timeoutMs, options);
    this.writeFrame(message);
    return reply;
  }

  /** Waits for the next frame (instead of a `frame` event), up to `timeoutMs` (Infinity: no limit). */
  nextFrame(timeoutMs = 10_000, options?: RequestOptions): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new Hl7Error(Hl7ErrorCode.busy, 'already waiting for a frame'));
    if (this.closedFlag) return Promise.reject(closedError());
    return new Promise<Buffer>((resolve, reject) => {
      this.waiter = { resolve, reject, timeoutMs, accept: options?.accept, seenAt: -1 };
      if (Number.isFinite(timeoutMs) && (this.tick === undefined || tickFor(timeoutMs) < this.tickPeriod)) this.armTick(timeoutMs);
    });
  }

  private armTick(timeoutMs: number): void {
    if (this.tick) clearTimeout(this.tick);
    this.tickPeriod = tickFor(timeoutMs);
    this.tick = setTimeout(this.onTickBound, this.tickPeriod);
  }

  private onTick(): void {
    this.tick = undefined;
    const w = this.waiter;
    if (!w || !Number.isFinite(w.timeoutMs) || this.closedFlag) return;
    const now = performance.now();
    if (w.seenAt < 0) {
      // First sight of this waiter: it began at most one tick ago. Timing from here never fires early.
      w.seenAt = now;
      if (w.timeoutMs <= 0) return this.settle(undefined, new Hl7Error(Hl7ErrorCode.timeout, `no reply within ${w.timeoutMs} ms`));
    } else if (now - w.seenAt >= w.timeoutMs) {
      return this.settle(undefined, new Hl7Error(Hl7ErrorCode.timeout, `no reply within ${w.timeoutMs} ms`));
    }
    this.armTick(w.timeoutMs);
  }

  /**
   * Closes the connection. Idempotent: every call returns the same promise, which resolves once
   * the stream has closed. Ends our side, and destroys the stream if it has not closed after
   * `lingerMs` (or at once if the peer has already ended). A waiting request rejects with
   * `HL7_ERR_CLOSED`.
   */
  close(lingerMs = 1000): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.closedFlag || this.stream.destroyed) {
        this.onClose();
        return resolve();
      }
      const timer = setTimeout(() => {
        this.stream.destroy();
        // A Duplex made with emitClose: false never says 'close': do not wait for it.
        this.onClose();
        resolve();
      }, lingerMs);
      this.stream.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.settle(undefined, closedError());
      if (!this.stream.writableEnded) this.stream.end();
      // A stream already ended by the peer will not emit 'close' on end() alone.
      if (this.stream.readableEnded || lingerMs <= 0) this.stream.destroy();
    });
    return this.closing;
  }
}
