/**
 * An MLLP connection over any Duplex stream (a TCP socket, a TLS socket, a PassThrough pair in
 * tests). Frames arrive as `frame` events, unless a `request` is waiting for its reply, which then
 * takes the next frame. Writes are MLLP-framed.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Hl7Error, Hl7ErrorCode } from './errors.js';
import { encodeFrame, MllpDecoder, type MllpDecoderOptions } from './mllp-codec.js';

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

/** An MLLP peer over a Duplex. */
export class MllpConnection extends EventEmitter<MllpConnectionEvents> {
  private readonly decoder: MllpDecoder;
  private waiter: { resolve: (payload: Buffer) => void; reject: (err: Error) => void; timer: NodeJS.Timeout | undefined } | undefined;
  private closing: Promise<void> | undefined;
  private closedFlag = false;

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
      // The peer has finished sending; finish our side too.
      if (!this.closedFlag) stream.end();
    });
  }

  /** Bytes skipped between frames so far. */
  get strayBytes(): number {
    return this.decoder.strayBytes;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  private onData(chunk: Buffer): void {
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    for (const f of frames) {
      if (!f.ok) {
        if (this.waiter) this.settle(undefined, f.error);
        else this.emit('badFrame', f.error);
        continue;
      }
      if (this.waiter) this.settle(f.payload);
      else this.emit('frame', f.payload);
    }
  }

  private settle(payload: Buffer | undefined, error?: Error): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    if (w.timer) clearTimeout(w.timer);
    if (error) w.reject(error);
    else w.resolve(payload as Buffer);
  }

  private fail(err: Error): void {
    if (this.closedFlag) return;
    this.settle(undefined, err);
    if (this.listenerCount('error') > 0) this.emit('error', err);
    void this.close();
  }

  private onClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.settle(undefined, new Hl7Error(Hl7ErrorCode.closed, 'MLLP connection closed'));
    this.emit('close');
  }

  /** Writes one framed message. Resolves when the stream has taken it (backpressure respected). */
  send(message: string | Uint8Array): Promise<void> {
    if (this.closedFlag || this.stream.destroyed) return Promise.reject(new Hl7Error(Hl7ErrorCode.closed, 'MLLP connection closed'));
    return new Promise((resolve, reject) => {
      this.stream.write(encodeFrame(message), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Writes raw bytes as they are (for tests and fault injection: fragments, garbage). */
  writeRaw(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.stream.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Sends a message and waits for the next frame, up to `timeoutMs`. Rejects with
   * `HL7_ERR_TIMEOUT`, `HL7_ERR_CLOSED`, `HL7_ERR_EMPTY_FRAME`, or `HL7_ERR_BUSY` if a request is already outstanding.
   */
  request(message: string | Uint8Array, timeoutMs = 10_000): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new Hl7Error(Hl7ErrorCode.busy, 'a request is already waiting for its reply'));
    if (this.closedFlag) return Promise.reject(new Hl7Error(Hl7ErrorCode.closed, 'MLLP connection closed'));
    const reply = this.nextFrame(timeoutMs);
    this.stream.write(encodeFrame(message));
    return reply;
  }

  /** Waits for the next frame (instead of a `frame` event), up to `timeoutMs`. */
  nextFrame(timeoutMs = 10_000): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new Hl7Error(Hl7ErrorCode.busy, 'already waiting for a frame'));
    if (this.closedFlag) return Promise.reject(new Hl7Error(Hl7ErrorCode.closed, 'MLLP connection closed'));
    return new Promise<Buffer>((resolve, reject) => {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => this.settle(undefined, new Hl7Error(Hl7ErrorCode.timeout, `no reply within ${timeoutMs} ms`)), timeoutMs)
        : undefined;
      this.waiter = { resolve, reject, timer };
    });
  }

  /** Closes the connection (idempotent): ends our side, and destroys the stream if it lingers. */
  close(lingerMs = 1000): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.closedFlag || this.stream.destroyed) {
        this.onClose();
        return resolve();
      }
      const timer = setTimeout(() => this.stream.destroy(), lingerMs);
      timer.unref?.();
      this.stream.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.stream.end();
      // A stream already ended by the peer will not emit 'close' on end() alone.
      if (this.stream.readableEnded) this.stream.destroy();
    });
    return this.closing;
  }
}
