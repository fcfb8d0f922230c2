import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CARRIAGE_RETURN, decodeFrames, DEFAULT_MAX_FRAME_BYTES, encodeFrame, END_BLOCK, MllpDecoder, START_BLOCK, type MllpFrame } from './mllp-codec.js';
import { Hl7Error, Hl7ErrorCode } from './errors.js';

const VT = START_BLOCK;
const FS = END_BLOCK;
const CR = CARRIAGE_RETURN;

const ORU = 'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240217223707||ORU^R01|||2.5\rPID|1||531904276\rOBR|1||||||20240217223707\rOBX|1|SN|CREATININE||107.9\r';
const ADT = 'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240217163000||ADT^A01|||2.5\rPID|1||531904276||JANE DOE||19790614|F\r';

/** A failing property stops shrinking after 10 s instead of blocking the event loop for minutes. */
const LIMIT = { interruptAfterTimeLimit: 10_000, markInterruptAsFailure: true } as const;

function payloads(frames: readonly MllpFrame[]): string[] {
  return frames.map((f) => (f.ok ? f.payload.toString('latin1') : `<${f.error.code}>`));
}

/** Decodes `bytes` pushed in the given chunk sizes (cycled). */
function decodeInChunks(bytes: Buffer, sizes: readonly number[], options = {}): { out: string[]; decoder: MllpDecoder } {
  const decoder = new MllpDecoder(options);
  const out: string[] = [];
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    out.push(...payloads(decoder.push(bytes.subarray(at, at + size))));
    at += size;
  }
  return { out, decoder };
}

/**
 * A byte-at-a-time reference decoder with the documented rules, to check the real (chunked,
 * indexOf-based) decoder against on random input.
 */
function referenceDecode(bytes: Uint8Array, max: number): { out: string[]; error: boolean; stray: number; abandoned: number; lenient: number } {
  const out: string[] = [];
  let state: 'out' | 'in' | 'fs' = 'out';
  let buf: number[] = [];
  let stray = 0;
  let abandoned = 0;
  let lenient = 0;
  const emit = (): void => {
    out.push(buf.length === 0 ? `<${Hl7ErrorCode.emptyFrame}>` : Buffer.from(buf).toString('latin1'));
    buf = [];
  };
  const add = (b: number): boolean => {
    buf.push(b);
    return buf.length > max;
  };
  for (const b of bytes) {
    if (state === 'out') {
      if (b === VT) {
        state = 'in';
        buf = [];
      } else stray++;
      continue;
    }
    if (state === 'fs') {
      if (b === CR) {
        emit();
        state = 'out';
        continue;
      }
      if (b === VT) {
        lenient++;
        emit();
        state = 'in';
        continue;
      }
      if (add(FS)) return { out, error: true, stray, abandoned, lenient };
      state = 'in';
    }
    if (b === FS) state = 'fs';
    else if (b === VT) {
      abandoned++;
      buf = [];
    } else if (add(b)) return { out, error: true, stray, abandoned, lenient };
  }
  return { out, error: false, stray, abandoned, lenient };
}

describe('encodeFrame', () => {
  it('wraps a string in 0x0B ... 0x1C 0x0D, one byte per character', () => {
    const f = encodeFrame('MSH|é');
    assert.deepEqual([...f], [VT, ...Buffer.from('MSH|é', 'latin1'), FS, CR]);
  });

  it('wraps bytes unchanged', () => {
    const body = Buffer.from([0x4d, 0x00, 0xff]);
    assert.deepEqual([...encodeFrame(body)], [VT, 0x4d, 0x00, 0xff, FS, CR]);
    assert.deepEqual([...encodeFrame(new Uint8Array([1, 2]))], [VT, 1, 2, FS, CR]);
  });
});

describe('MllpDecoder', () => {
  it('decodes one frame and keeps nothing after it', () => {
    const d = new MllpDecoder();
    assert.deepEqual(payloads(d.push(encodeFrame(ORU))), [ORU]);
    assert.equal(d.buffered, 0);
    assert.equal(d.inFrame, false);
    assert.equal(d.framesDecoded, 1);
  });

  it('gives two messages for two frames in one read, not one merged message (simple-hl7 #51, @medplum/hl7 merge)', () => {
    const d = new MllpDecoder();
    const frames = d.push(Buffer.concat([encodeFrame(ORU), encodeFrame(ADT)]));
    assert.deepEqual(payloads(frames), [ORU, ADT]);
  });

  it('handles the i-th message once, not i times: state is reset after each frame (node-hl7-server #102)', () => {
    const d = new MllpDecoder();
    const seen: string[] = [];
    for (let i = 1; i <= 20; i++) {
      const msg = ORU.replace('531904276', String(i));
      const out = payloads(d.push(encodeFrame(msg)));
      assert.deepEqual(out, [msg], `push ${i} gives exactly its own message`);
      seen.push(...out);
    }
    assert.equal(seen.length, 20);
    assert.equal(d.framesDecoded, 20);
  });

  it('skips and counts NUL bytes and noise between frames (Mirth #249)', () => {
    const d = new MllpDecoder();
    const bytes = Buffer.concat([Buffer.from([0, 0, 0]), encodeFrame(ORU), Buffer.from([0, 0]), Buffer.from('junk'), encodeFrame(ADT), Buffer.from([0])]);
    assert.deepEqual(payloads(d.push(bytes)), [ORU, ADT]);
    assert.equal(d.strayBytes, 3 + 2 + 4 + 1);
  });

  it('counts a trailing line break after a frame as stray, without affecting the next message (node-hl7-client #96)', () => {
    const d = new MllpDecoder();
    const bytes = Buffer.concat([encodeFrame(ORU), Buffer.from('\r\n'), encodeFrame(ADT), Buffer.from('\n')]);
    assert.deepEqual(payloads(d.push(bytes)), [ORU, ADT]);
    assert.equal(d.strayBytes, 3);
  });

  it('reassembles a large message split across many reads (node-hl7-server #60)', () => {
    const obx = Array.from({ length: 3000 }, (_, i) => `OBX|${i + 1}|SN|CREATININE||${100 + i}.5\r`).join('');
    const big = ORU + obx; // ~ 100 KB
    assert.ok(big.length > 90_000);
    const bytes = encodeFrame(big);
    for (const size of [1, 7, 1024, 65_536]) {
      const { out } = decodeInChunks(bytes, [size]);
      assert.equal(out.length, 1, `chunks of ${size}`);
      assert.equal(out[0], big, `chunks of ${size}`);
    }
  });

  it('gives the same frames when a stream is split at every offset', () => {
    const bytes = Buffer.concat([encodeFrame(ORU), Buffer.from([0, 10]), encodeFrame(ADT), encodeFrame(ORU)]);
    const whole = payloads(new MllpDecoder().push(bytes));
    assert.deepEqual(whole, [ORU, ADT, ORU]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new MllpDecoder();
      const out = [...payloads(d.push(bytes.subarray(0, cut))), ...payloads(d.push(bytes.subarray(cut)))];
      assert.deepEqual(out, whole, `split at ${cut}`);
      assert.equal(d.strayBytes, 2);
    }
  });

  it('gives the same frames for any split into three pieces', () => {
    const bytes = Buffer.concat([encodeFrame('MSH|^~\\&|A\r'), encodeFrame('MSH|^~\\&|B\x1cX\r'), Buffer.from([0]), encodeFrame('MSH|^~\\&|C\r')]);
    const whole = payloads(new MllpDecoder().push(bytes));
    assert.deepEqual(whole, ['MSH|^~\\&|A\r', 'MSH|^~\\&|B\x1cX\r', 'MSH|^~\\&|C\r']);
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        const d = new MllpDecoder();
        const out = [...payloads(d.push(bytes.subarray(0, a))), ...payloads(d.push(bytes.subarray(a, b))), ...payloads(d.push(bytes.subarray(b)))];
        assert.deepEqual(out, whole, `split at ${a}, ${b}`);
      }
    }
  });

  it('reports an empty frame as a typed error and carries on', () => {
    const d = new MllpDecoder();
    const frames = d.push(Buffer.concat([Buffer.from([VT, FS, CR]), encodeFrame(ORU)]));
    assert.equal(frames.length, 2);
    const first = frames[0];
    assert.ok(first && !first.ok);
    assert.ok(first.error instanceof Hl7Error);
    assert.equal(first.error.code, Hl7ErrorCode.emptyFrame);
    assert.deepEqual(payloads(frames.slice(1)), [ORU]);
  });

  it('keeps a 0x1C that is not followed by 0x0D as payload, in one read or split right after it', () => {
    const body = `MSH|^~\\&|A\x1cB|\x1c\x1cC\r`;
    const bytes = encodeFrame(body);
    assert.deepEqual(payloads(new MllpDecoder().push(bytes)), [body]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new MllpDecoder();
      assert.deepEqual([...payloads(d.push(bytes.subarray(0, cut))), ...payloads(d.push(bytes.subarray(cut)))], [body], `split at ${cut}`);
    }
  });

  it('ends a frame at 0x1C directly followed by the next 0x0B (missing CR), counting it', () => {
    const d = new MllpDecoder();
    const bytes = Buffer.concat([Buffer.from([VT]), Buffer.from(ORU, 'latin1'), Buffer.from([FS]), encodeFrame(ADT)]);
    assert.deepEqual(payloads(d.push(bytes)), [ORU, ADT]);
    assert.equal(d.lenientEnds, 1);
    const split = new MllpDecoder();
    const cut = 1 + ORU.length + 1; // right after the 0x1C
    assert.deepEqual([...payloads(split.push(bytes.subarray(0, cut))), ...payloads(split.push(bytes.subarray(cut)))], [ORU, ADT]);
  });

  it('end(): a last frame missing only its final CR ends with the stream (Camel requireEndOfData); an unfinished one does not', () => {
    const d = new MllpDecoder();
    assert.deepEqual(payloads(d.push(Buffer.concat([encodeFrame(ADT), Buffer.from([VT]), Buffer.from(ORU, 'latin1'), Buffer.from([FS])]))), [ADT]);
    assert.equal(d.inFrame, true, 'held: a 0x1C may still be followed by more payload');
    assert.deepEqual(payloads(d.end()), [ORU]);
    assert.equal(d.lenientEnds, 1);
    assert.equal(d.inFrame, false);
    assert.deepEqual(d.end(), [], 'nothing twice');
    const cut = new MllpDecoder();
    cut.push(Buffer.concat([Buffer.from([VT]), Buffer.from(ORU.slice(0, 40), 'latin1')]));
    assert.deepEqual(cut.end(), [], 'a frame cut off mid-payload is not delivered');
    assert.equal(cut.buffered, 40);
  });

  it('drops an unfinished frame when a new 0x0B starts inside it, rather than merging two messages', () => {
    const d = new MllpDecoder();
    const bytes = Buffer.concat([Buffer.from([VT]), Buffer.from('MSH|^~\\&|TRUNCA', 'latin1'), encodeFrame(ADT)]);
    assert.deepEqual(payloads(d.push(bytes)), [ADT]);
    assert.equal(d.abandonedFrames, 1);
    assert.equal(d.abandonedBytes, 'MSH|^~\\&|TRUNCA'.length);
  });

  it('accepts a frame of exactly the cap and refuses one byte more with HL7_ERR_FRAME_TOO_LARGE', () => {
    const ok = new MllpDecoder({ maxFrameBytes: 10 });
    assert.deepEqual(payloads(ok.push(encodeFrame('0123456789'))), ['0123456789']);
    const tooBig = new MllpDecoder({ maxFrameBytes: 10 });
    assert.throws(() => tooBig.push(encodeFrame('0123456789A')), (e: unknown) => e instanceof Hl7Error && e.code === Hl7ErrorCode.frameTooLarge);
  });

  it('stops a frame that never ends at the cap, holding no more than the cap, and refuses input after', () => {
    const max = 4096;
    const d = new MllpDecoder({ maxFrameBytes: max });
    d.push(Buffer.from([VT]));
    const chunk = Buffer.alloc(1000, 0x41);
    let error: unknown;
    let pushed = 0;
    for (let i = 0; i < 100 && error === undefined; i++) {
      try {
        d.push(chunk);
        pushed++;
        assert.ok(d.buffered <= max);
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error instanceof Hl7Error);
    assert.equal(error.code, Hl7ErrorCode.frameTooLarge);
    assert.equal(pushed, 4, 'fails on the chunk that passes the cap, not later');
    assert.equal(d.error, error);
    assert.throws(() => d.push(encodeFrame(ORU)), (e: unknown) => e === error);
  });

  it('defaults the cap to 1 MiB', () => {
    assert.equal(DEFAULT_MAX_FRAME_BYTES, 1024 * 1024);
    const d = new MllpDecoder();
    assert.deepEqual(d.push(encodeFrame(Buffer.alloc(DEFAULT_MAX_FRAME_BYTES, 0x41))).length, 1);
    assert.throws(() => new MllpDecoder().push(encodeFrame(Buffer.alloc(DEFAULT_MAX_FRAME_BYTES + 1, 0x41))), /larger than 1048576 bytes/);
  });

  it('delivers the frames before an oversized one through pushEach before throwing', () => {
    const d = new MllpDecoder({ maxFrameBytes: 200 });
    const seen: string[] = [];
    const bytes = Buffer.concat([encodeFrame(ORU), encodeFrame('x'.repeat(500))]);
    assert.throws(() => d.pushEach(bytes, (f) => seen.push(...payloads([f]))), (e: unknown) => e instanceof Hl7Error && e.code === Hl7ErrorCode.frameTooLarge);
    assert.deepEqual(seen, [ORU]);
  });

  it('rejects a cap that is not positive', () => {
    assert.throws(() => new MllpDecoder({ maxFrameBytes: 0 }), RangeError);
  });

  it('accepts a Uint8Array that is not a Buffer', () => {
    const bytes = new Uint8Array(encodeFrame(ORU));
    assert.deepEqual(payloads(new MllpDecoder().push(bytes)), [ORU]);
  });
});

describe('decodeFrames', () => {
  it('splits a whole file and reports empty frames, stray bytes and an unfinished tail', () => {
    const bytes = Buffer.concat([encodeFrame(ORU), Buffer.from([VT, FS, CR]), Buffer.from('\n'), encodeFrame(ADT), Buffer.from([VT]), Buffer.from('MSH|')]);
    const r = decodeFrames(bytes);
    assert.deepEqual(
      r.frames.map((f) => f.toString('latin1')),
      [ORU, ADT],
    );
    assert.equal(r.emptyFrames, 1);
    assert.equal(r.strayBytes, 1);
    assert.equal(r.trailingBytes, 5);
  });
});

describe('MllpDecoder properties (fast-check)', { timeout: 60_000 }, () => {
  // Payloads: any bytes but 0x0B and 0x1C (a message), so framing alone decides the outcome.
  const payload = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a.map((b) => (b === VT || b === FS ? 0x41 : b))));
  const noise = fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a.map((b) => (b === VT ? 0 : b))));
  const chunkSizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 });

  it('decodes any sequence of frames, with noise between them, the same way for any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, payload), { maxLength: 12 }), chunkSizes, (items, sizes) => {
        const bytes = Buffer.concat(items.flatMap(([n, p]) => [n, encodeFrame(p)]));
        const expected = items.map(([, p]) => p.toString('latin1'));
        const { out, decoder } = decodeInChunks(bytes, sizes);
        assert.deepEqual(out, expected);
        // Outside a frame every byte but 0x0B is stray.
        assert.equal(
          decoder.strayBytes,
          items.reduce((s, [n]) => s + n.length, 0),
        );
        assert.equal(decoder.buffered, 0);
      }),
      { numRuns: 300, ...LIMIT },
    );
  });

  it('decodes any sequence of frames the same way when split in two at every offset', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, payload), { maxLength: 6 }), (items) => {
        const bytes = Buffer.concat(items.flatMap(([n, p]) => [n, encodeFrame(p)]));
        const expected = items.map(([, p]) => p.toString('latin1'));
        for (let cut = 0; cut <= bytes.length; cut++) {
          const d = new MllpDecoder();
          const out = [...payloads(d.push(bytes.subarray(0, cut))), ...payloads(d.push(bytes.subarray(cut)))];
          if (out.length !== expected.length || out.some((o, i) => o !== expected[i])) return false;
          if (d.buffered !== 0) return false;
        }
        return true;
      }),
      { numRuns: 100, ...LIMIT },
    );
  });

  it('matches a byte-at-a-time reference decoder on random byte streams under random chunking', () => {
    const alphabet = fc.constantFrom(VT, FS, CR, 0x00, 0x0a, 0x41, 0x7c);
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 400 }), chunkSizes, fc.integer({ min: 1, max: 40 }), (arr, sizes, max) => {
        const bytes = Buffer.from(arr);
        const ref = referenceDecode(bytes, max);
        const d = new MllpDecoder({ maxFrameBytes: max });
        const out: string[] = [];
        let error: unknown;
        let at = 0;
        let k = 0;
        try {
          while (at < bytes.length) {
            const size = sizes[k++ % sizes.length] as number;
            d.pushEach(bytes.subarray(at, at + size), (f) => out.push(...payloads([f])));
            at += size;
          }
        } catch (e) {
          error = e;
        }
        assert.deepEqual(out, ref.out);
        assert.equal(error !== undefined, ref.error);
        if (error !== undefined) {
          assert.ok(error instanceof Hl7Error);
          assert.equal(error.code, Hl7ErrorCode.frameTooLarge);
        } else {
          assert.equal(d.strayBytes, ref.stray);
          assert.equal(d.abandonedFrames, ref.abandoned);
          assert.equal(d.lenientEnds, ref.lenient);
        }
      }),
      { numRuns: 1000, ...LIMIT },
    );
  });

  it('never throws anything but a typed error on random bytes, and holds no more than the cap', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), fc.integer({ min: 1, max: 256 }), (chunks, max) => {
        const d = new MllpDecoder({ maxFrameBytes: max });
        for (const c of chunks) {
          try {
            for (const f of d.push(c)) {
              if (f.ok) assert.ok(f.payload.length >= 1 && f.payload.length <= max);
              else assert.ok(f.error instanceof Hl7Error && f.error.code === Hl7ErrorCode.emptyFrame);
            }
          } catch (e) {
            assert.ok(e instanceof Hl7Error, `threw ${String(e)}`);
            assert.ok(e.code === Hl7ErrorCode.frameTooLarge);
            return;
          }
          assert.ok(d.buffered <= max + 1);
        }
      }),
      { numRuns: 500, ...LIMIT },
    );
  });
});
