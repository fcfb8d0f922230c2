/**
 * MLLP framing: `0x0B` + message + `0x1C 0x0D`. The decoder is pure: push bytes in as they
 * arrive, get whole frames out, and it keeps the rest. It never merges two frames that arrive in
 * one read (@medplum/hl7 4.5.2 does; simple-hl7 #51 drops the second), never re-delivers a frame
 * (node-hl7-server #102: the i-th message handled i times), and caps the size of a frame (none of
 * the npm libraries do).
 */
import { Hl7Error, Hl7ErrorCode } from './errors.js';

export const START_BLOCK = 0x0b;
export const END_BLOCK = 0x1c;
export const CARRIAGE_RETURN = 0x0d;

/** The default cap on one frame's payload: 1 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** A frame out of the decoder: its payload, or a typed error for a frame that holds nothing. */
export type MllpFrame = { readonly ok: true; readonly payload: Buffer } | { readonly ok: false; readonly error: Hl7Error };

export interface MllpDecoderOptions {
  /** Largest payload accepted, in bytes (default 1 MiB). */
  readonly maxFrameBytes?: number;
}

/** The frame's start and end as latin-1 text, for writing a string message without a Buffer. */
export const FRAME_START_TEXT = '\x0b';
export const FRAME_END_TEXT = '\x1c\r';

/** Wraps a message in an MLLP frame (a string is written as latin-1, one byte per character). */
export function encodeFrame(message: string | Uint8Array): Buffer {
  if (typeof message === 'string') {
    const n = message.length;
    const out = Buffer.allocUnsafe(n + 3);
    out[0] = START_BLOCK;
    out.write(message, 1, 'latin1');
    out[n + 1] = END_BLOCK;
    out[n + 2] = CARRIAGE_RETURN;
    return out;
  }
  const out = Buffer.allocUnsafe(message.length + 3);
  out[0] = START_BLOCK;
  out.set(message, 1);
  out[message.length + 1] = END_BLOCK;
  out[message.length + 2] = CARRIAGE_RETURN;
  return out;
}

const EMPTY = Buffer.alloc(0);

/** Spans of a chunk up to this long are scanned in JS rather than with Buffer.indexOf. */
const SHORT_SPAN = 512;

/**
 * The first 0x0B in `buf` from `from` and before `end` (or anywhere after `from` when `end` is
 * -1), or -1. A short span is scanned in JS, which is cheaper than a call into C++.
 */
function indexOfStart(buf: Buffer, from: number, end: number): number {
  if (end >= 0 && end - from <= 1024) {
    for (let k = from; k < end; k++) if (buf[k] === START_BLOCK) return k;
    return -1;
  }
  const at = buf.indexOf(START_BLOCK, from);
  return end >= 0 && at > end ? -1 : at;
}

/**
 * Incremental MLLP decoder.
 *
 * - Bytes outside frames (noise, NUL padding, a stray `\r\n` after a frame) are skipped and
 *   counted in `strayBytes`.
 * - A `0x1C` followed by `0x0D` ends a frame. A `0x1C` followed by `0x0B` also ends it (a sender
 *   that forgot the final CR; counted in `lenientEnds`) and the `0x0B` starts the next one. A
 *   `0x1C` followed by anything else is kept as payload: it is not an end, and dropping it would
 *   change the message.
 * - A `0x0B` inside a frame (not after `0x1C`) means the sender gave up on the frame and started
 *   another: the unfinished frame is dropped (counted in `abandonedFrames`/`abandonedBytes`) and
 *   the new one is read. Without this, a lost end block would merge two messages into one. HL7
 *   text never holds `0x0B` (nor does UTF-8 use it inside a multi-byte character).
 * - A payload that passes `maxFrameBytes` throws `HL7_ERR_FRAME_TOO_LARGE`, after which the
 *   decoder refuses further input (the stream has lost sync: close the connection).
 * - An empty frame (`0x0B 0x1C 0x0D`) comes out as `{ ok: false, error: HL7_ERR_EMPTY_FRAME }`.
 */
export class MllpDecoder {
  private readonly maxFrameBytes: number;
  /** True between a frame's 0x0B and its end. */
  private open = false;
  /** Pieces of the frame being assembled when it spans several chunks (reused). */
  private readonly parts: Buffer[] = [];
  private partsLength = 0;
  /** True when the last byte seen inside a frame was 0x1C (it may end the frame). */
  private pendingEnd = false;
  private failed: Hl7Error | undefined;
  /** Bytes skipped between frames. */
  strayBytes = 0;
  /** Whole frames decoded so far (including empty ones). */
  framesDecoded = 0;
  /** Unfinished frames dropped because a new frame started inside them. */
  abandonedFrames = 0;
  /** Payload bytes of the abandoned frames. */
  abandonedBytes = 0;
  /** Frames ended by `0x1C` directly followed by the next `0x0B` (the `0x0D` missing). */
  lenientEnds = 0;

  constructor(options: MllpDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!(this.maxFrameBytes > 0)) throw new RangeError(`maxFrameBytes must be positive, got ${this.maxFrameBytes}`);
  }

  /** Bytes held for an unfinished frame (its payload so far, not counting the 0x0B). */
  get buffered(): number {
    return this.partsLength + (this.pendingEnd ? 1 : 0);
  }

  /** True while a frame has started and not ended. */
  get inFrame(): boolean {
    return this.open;
  }

  /** The error that stopped the decoder, if any. */
  get error(): Hl7Error | undefined {
    return this.failed;
  }

  /**
   * Feeds bytes; returns the frames they complete, in order. Throws `HL7_ERR_FRAME_TOO_LARGE`
   * (frames completed earlier in the same chunk are then lost: use `pushEach` to keep them).
   */
  push(chunk: Uint8Array): MllpFrame[] {
    const frames: MllpFrame[] = [];
    this.pushEach(chunk, (f) => frames.push(f));
    return frames;
  }

  /**
   * Feeds bytes and calls `onFrame` for each frame they complete, in order, as it completes.
   * Throws `HL7_ERR_FRAME_TOO_LARGE` after delivering every frame that ended before the cap was hit.
   */
  pushEach(chunk: Uint8Array, onFrame: (frame: MllpFrame) => void): void {
    if (this.failed) throw this.failed;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (!this.open) {
        // Usually the next byte is the start block: no need to search.
        const start = buf[i] === START_BLOCK ? i : buf.indexOf(START_BLOCK, i);
        if (start < 0) {
          this.strayBytes += n - i;
          return;
        }
        this.strayBytes += start - i;
        this.open = true;
        this.partsLength = 0;
        this.pendingEnd = false;
        i = start + 1;
        continue;
      }
      if (this.pendingEnd) {
        this.pendingEnd = false;
        const b = buf[i];
        if (b === CARRIAGE_RETURN) {
          onFrame(this.finish(EMPTY));
          i++;
          continue;
        }
        if (b === START_BLOCK) {
          this.lenientEnds++;
          onFrame(this.finish(EMPTY));
          continue; // the 0x0B opens the next frame
        }
        this.append(Buffer.of(END_BLOCK));
      }
      let end = -1;
      let restart = -1;
      if (n - i <= SHORT_SPAN) {
        // One pass in JS over a short span finds whichever comes first (cheaper than two calls into C++).
        for (let k = i; k < n; k++) {
          const b = buf[k];
          if (b === END_BLOCK) {
            end = k;
            break;
          }
          if (b === START_BLOCK) {
            restart = k;
            break;
          }
        }
      } else {
        end = buf.indexOf(END_BLOCK, i);
        restart = indexOfStart(buf, i, end);
      }
      if (restart >= 0 && (end < 0 || restart < end)) {
        // A new frame starts before this one ended: drop the unfinished one (the cap still
        // applies to it, so the outcome does not depend on how the bytes were chunked).
        if (this.partsLength + (restart - i) > this.maxFrameBytes) this.tooLarge();
        this.abandonedFrames++;
        this.abandonedBytes += this.partsLength + (restart - i);
        this.parts.length = 0;
        this.partsLength = 0;
        this.open = false;
        i = restart;
        continue;
      }
      if (end < 0) {
        this.append(buf.subarray(i));
        return;
      }
      if (end + 1 < n) {
        const after = buf[end + 1];
        if (after === CARRIAGE_RETURN || after === START_BLOCK) {
          const tail = buf.subarray(i, end);
          if (after === START_BLOCK) {
            this.lenientEnds++;
            i = end + 1;
          } else {
            i = end + 2;
          }
          onFrame(this.finish(tail));
        } else {
          // 0x1C inside the payload: keep it.
          this.append(buf.subarray(i, end + 1));
          i = end + 1;
        }
      } else {
        if (end > i) this.append(buf.subarray(i, end));
        this.pendingEnd = true;
        i = end + 1;
      }
    }
  }

  /**
   * The peer has stopped sending. A frame whose last byte was its `0x1C` ends here: some senders
   * never send the final `0x0D` (Apache Camel's `requireEndOfData`); counted in `lenientEnds`.
   * Anything else unfinished stays unfinished (`inFrame`, `buffered` say how much).
   */
  end(): MllpFrame[] {
    if (this.failed || !this.open || !this.pendingEnd) return [];
    this.pendingEnd = false;
    this.lenientEnds++;
    return [this.finish(EMPTY)];
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    this.partsLength += part.length;
    if (this.partsLength > this.maxFrameBytes) this.tooLarge();
    this.parts.push(part);
  }

  private tooLarge(): never {
    this.parts.length = 0;
    this.open = false;
    this.failed = new Hl7Error(Hl7ErrorCode.frameTooLarge, `MLLP frame larger than ${this.maxFrameBytes} bytes`);
    throw this.failed;
  }

  /** Ends the open frame with `tail` as its last piece. */
  private finish(tail: Buffer): MllpFrame {
    const total = this.partsLength + tail.length;
    if (total > this.maxFrameBytes) this.tooLarge();
    this.open = false;
    this.framesDecoded++;
    let payload: Buffer;
    if (this.parts.length === 0) payload = tail;
    else {
      if (tail.length > 0) this.parts.push(tail);
      payload = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, total);
      this.parts.length = 0;
    }
    this.partsLength = 0;
    if (total === 0) return { ok: false, error: new Hl7Error(Hl7ErrorCode.emptyFrame, 'empty MLLP frame') };
    return { ok: true, payload };
  }
}

/** Splits a whole buffer of back-to-back frames (a `.mllp` file). Empty frames are reported, not fatal. */
export function decodeFrames(
  data: Uint8Array,
  options: MllpDecoderOptions = {},
): { frames: Buffer[]; emptyFrames: number; strayBytes: number; trailingBytes: number; abandonedFrames: number } {
  const decoder = new MllpDecoder(options);
  const frames: Buffer[] = [];
  let emptyFrames = 0;
  decoder.pushEach(data, (f) => {
    if (f.ok) frames.push(f.payload);
    else emptyFrames++;
  });
  return {
    frames,
    emptyFrames,
    strayBytes: decoder.strayBytes,
    trailingBytes: decoder.buffered + (decoder.inFrame ? 1 : 0),
    abandonedFrames: decoder.abandonedFrames,
  };
}
