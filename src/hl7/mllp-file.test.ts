import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMllpFileWriter, readMllpFile } from './mllp-file.js';
import { encodeFrame } from './mllp-codec.js';

const A = 'MSH|^~\\&|A|||||ADT^A01|||2.5\rPID|1||1\r';
const B = 'MSH|^~\\&|B|||||ADT^A03|||2.5\rPID|1||1\r';

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'swemls-mllp-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('MLLP files', () => {
  it(
    'writes frames back to back and reads them again',
    withDir(async (dir) => {
      const file = path.join(dir, 'messages.mllp');
      const w = createMllpFileWriter(file);
      for (let i = 0; i < 1000; i++) if (!w.write(i % 2 ? B : Buffer.from(A, 'latin1'))) await w.drain();
      assert.equal(w.count, 1000);
      await w.close();
      const bytes = readFileSync(file);
      assert.equal(bytes.length, 500 * (A.length + 3) + 500 * (B.length + 3));
      assert.deepEqual(bytes.subarray(0, A.length + 3), encodeFrame(A));
      const r = readMllpFile(file);
      assert.equal(r.frames.length, 1000);
      assert.equal(r.frames[0]?.toString('latin1'), A);
      assert.equal(r.frames[999]?.toString('latin1'), B);
      assert.deepEqual([r.strayBytes, r.emptyFrames, r.trailingBytes], [0, 0, 0]);
    }),
  );

  it(
    'reads a file with bytes between frames, an empty frame and a cut-off last frame, reporting each',
    withDir((dir) => {
      const file = path.join(dir, 'odd.mllp');
      writeFileSync(file, Buffer.concat([encodeFrame(A), Buffer.from('\r\n'), Buffer.from([0x0b, 0x1c, 0x0d]), encodeFrame(B), encodeFrame(A).subarray(0, 10)]));
      const r = readMllpFile(file);
      assert.deepEqual(
        r.frames.map((f) => f.toString('latin1')),
        [A, B],
      );
      assert.equal(r.strayBytes, 2);
      assert.equal(r.emptyFrames, 1);
      assert.equal(r.trailingBytes, 10);
    }),
  );

  it('reads from a buffer too, and has no frame cap by default for files', () => {
    const big = 'MSH|^~\\&|' + 'X'.repeat(2 * 1024 * 1024);
    assert.equal(readMllpFile(encodeFrame(big)).frames[0]?.length, big.length);
    assert.throws(() => readMllpFile(encodeFrame(big), { maxFrameBytes: 1024 }), /larger than 1024/);
  });

  it(
    'reports a write to an unwritable path when closing',
    withDir(async (dir) => {
      const w = createMllpFileWriter(path.join(dir, 'no', 'such', 'dir.mllp'));
      w.write(A);
      await assert.rejects(w.close(), /ENOENT/);
    }),
  );
});
