/**
 * A synchronous buffered file writer: text and bytes accumulate in one buffer and go to the file
 * in large writes. Output is written to `<path>.partial` and renamed into place by `close()`, so a
 * crashed run never leaves a file that looks complete.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { CARRIAGE_RETURN, END_BLOCK, START_BLOCK } from '../hl7/mllp-codec.js';

const FRAME_START = Uint8Array.of(START_BLOCK);
const FRAME_END = Uint8Array.of(END_BLOCK, CARRIAGE_RETURN);

export class BufferedFileWriter {
  private readonly fd: number;
  private readonly buf: Buffer;
  private used = 0;
  private closed = false;
  /** Bytes written so far (flushed or buffered). */
  bytes = 0;

  constructor(
    readonly path: string,
    capacity = 1 << 20,
  ) {
    this.fd = openSync(`${path}.partial`, 'w');
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Appends 7-bit ASCII (or Latin-1) text. */
  write(text: string): void {
    if (text.length > this.buf.length - this.used) {
      this.flush();
      if (text.length > this.buf.length) {
        const b = Buffer.from(text, 'latin1');
        writeSync(this.fd, b);
        this.bytes += b.length;
        return;
      }
    }
    const n = this.buf.write(text, this.used, 'latin1');
    this.used += n;
    this.bytes += n;
  }

  /** Appends one MLLP frame: 0x0B, the message (7-bit ASCII), 0x1C 0x0D (spec/formats.md). */
  writeFrame(message: string): void {
    this.writeBytes(FRAME_START);
    this.write(message);
    this.writeBytes(FRAME_END);
  }

  /** Appends bytes. */
  writeBytes(data: Uint8Array): void {
    if (data.length > this.buf.length - this.used) {
      this.flush();
      if (data.length > this.buf.length) {
        writeSync(this.fd, data);
        this.bytes += data.length;
        return;
      }
    }
    this.buf.set(data, this.used);
    this.used += data.length;
    this.bytes += data.length;
  }

  private flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }

  /** Flushes, closes and renames the file into place. */
  close(): void {
    if (this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
    renameSync(`${this.path}.partial`, this.path);
  }

  /** Closes and deletes the partial file (after a failure). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } finally {
      rmSync(`${this.path}.partial`, { force: true });
    }
  }
}
