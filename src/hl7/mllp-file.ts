/** MLLP files (`messages.mllp`): frames back to back. A reader and a streaming writer. */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { decodeFrames, encodeFrame, type MllpDecoderOptions } from './mllp-codec.js';

/** Reads every frame's payload from a file or buffer (bytes between frames are skipped and counted). */
export function readMllpFile(pathOrData: string | Uint8Array, options: MllpDecoderOptions = {}): { frames: Buffer[]; emptyFrames: number; strayBytes: number; trailingBytes: number } {
  const data = typeof pathOrData === 'string' ? readFileSync(pathOrData) : pathOrData;
  return decodeFrames(data, { maxFrameBytes: options.maxFrameBytes ?? Number.MAX_SAFE_INTEGER });
}

/** Writes frames to a file through a buffered stream. */
export interface MllpFileWriter {
  /** Frames and queues one message. Returns false when the caller should await `drain()`. */
  write(message: string | Uint8Array): boolean;
  drain(): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
  readonly count: number;
}

/** Creates (truncates) an MLLP file for writing. */
export function createMllpFileWriter(path: string, options: { highWaterMark?: number } = {}): MllpFileWriter {
  const stream: WriteStream = createWriteStream(path, { highWaterMark: options.highWaterMark ?? 1 << 20 });
  let count = 0;
  let failure: Error | undefined;
  stream.on('error', (err) => (failure = err));
  return {
    write(message) {
      if (failure) throw failure;
      count++;
      return stream.write(encodeFrame(message));
    },
    drain: () => new Promise((resolve) => (stream.writableNeedDrain ? stream.once('drain', () => resolve()) : resolve())),
    close: () =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
      }),
    get count() {
      return count;
    },
  };
}
