/**
 * MLLP framing: `0x0B` + message + `0x1C 0x0D`. The decoder is pure: push bytes in as they
 * arrive, get whole frames out, and it keeps the rest. It never merges two frames (a bug of
 * @medplum/hl7) and never re-delivers a frame (node-hl7-server's i-th message handled i times).
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

/** Wraps a message in an MLLP frame. */
export function encodeFrame(message: string | Uint8Array): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'latin1') : message;
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = START_BLOCK;
  out.set(body, 1);
  out[body.length + 1] = END_BLOCK;
  out[body.length + 2] = CARRIAGE_RETURN;
  return out;
}

/**
 * Incremental MLLP decoder. Bytes outside frames (noise, NUL padding, a stray `\r\n`) are
 * skipped and counted in `strayBytes`. A payload that passes `maxFrameBytes` throws
 * `HL7_ERR_FRAME_TOO_LARGE`, after which the decoder refuses further input (the stream has
 * lost sync: close the connection). A `0x1C` not followed by `0x0D` is kept as payload.
 */
export class MllpDecoder {
  private readonly maxFrameBytes: number;
  /** Bytes of the frame being assembled (after its 0x0B), or undefined between frames. */
  private parts: Buffer[] | undefined;
  private partsLength = 0;
  /** True when the last byte seen inside a frame was 0x1C (it may end the frame). */
  private pendingEnd = false;
  private failed: Hl7Error | undefined;
  /** Bytes skipped between frames. */
  strayBytes = 0;
  /** Whole frames decoded so far (including empty ones). */
  framesDecoded = 0;

  constructor(options: MllpDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes held for an unfinished frame. */
  get buffered(): number {
    return this.partsLength + (this.pendingEnd ? 1 : 0);
  }

  /** True while a frame has started and not ended. */
  get inFrame(): boolean {
    return this.parts !== undefined;
  }

  /** Feeds bytes; returns the frames they complete, in order. */
  push(chunk: Uint8Array): MllpFrame[] {
    if (this.failed) throw this.failed;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const frames: MllpFrame[] = [];
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (this.parts === undefined) {
        const start = buf.indexOf(START_BLOCK, i);
        if (start < 0) {
          this.strayBytes += n - i;
          return frames;
        }
        this.strayBytes += start - i;
        this.parts = [];
        this.partsLength = 0;
        this.pendingEnd = false;
        i = start + 1;
        continue;
      }
      if (this.pendingEnd) {
        this.pendingEnd = false;
        if (buf[i] === CARRIAGE_RETURN) {
          i++;
          frames.push(this.finish());
          continue;
        }
        this.append(Buffer.of(END_BLOCK));
      }
      const end = buf.indexOf(END_BLOCK, i);
      if (end < 0) {
        this.append(buf.subarray(i));
        return frames;
      }
      if (end + 1 < n) {
        if (buf[end + 1] === CARRIAGE_RETURN) {
          if (end > i) this.append(buf.subarray(i, end));
          i = end + 2;
          frames.push(this.finish());
        } else {
          this.append(buf.subarray(i, end + 1));
          i = end + 1;
        }
      } else {
        if (end > i) this.append(buf.subarray(i, end));
        this.pendingEnd = true;
        i = end + 1;
      }
    }
    return frames;
  }

  private append(part: Buffer): void {
    this.partsLength += part.length;
    if (this.partsLength > this.maxFrameBytes) {
      this.parts = undefined;
      this.failed = new Hl7Error(Hl7ErrorCode.frameTooLarge, `MLLP frame larger than ${this.maxFrameBytes} bytes`);
      throw this.failed;
    }
    (this.parts as Buffer[]).push(part);
  }

  private finish(): MllpFrame {
    const parts = this.parts as Buffer[];
    this.parts = undefined;
    this.framesDecoded++;
    if (this.partsLength === 0) {
      return { ok: false, error: new Hl7Error(Hl7ErrorCode.emptyFrame, 'empty MLLP frame') };
    }
    const payload = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, this.partsLength);
    this.partsLength = 0;
    return { ok: true, payload };
  }
}

/** Splits a whole buffer of back-to-back frames (a `.mllp` file). Empty frames are reported, not fatal. */
export function decodeFrames(data: Uint8Array, options: MllpDecoderOptions = {}): { frames: Buffer[]; emptyFrames: number; strayBytes: number; trailingBytes: number } {
  const decoder = new MllpDecoder(options);
  const frames: Buffer[] = [];
  let emptyFrames = 0;
  for (const f of decoder.push(data)) {
    if (f.ok) frames.push(f.payload);
    else emptyFrames++;
  }
  return { frames, emptyFrames, strayBytes: decoder.strayBytes, trailingBytes: decoder.buffered + (decoder.inFrame ? 1 : 0) };
}
