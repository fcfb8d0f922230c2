import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { MllpConnection } from './connection.js';
import { encodeFrame } from './mllp-codec.js';
import { Hl7Error, Hl7ErrorCode } from './errors.js';
import { buildAck, readAck } from './ack.js';
import { parseHl7 } from './message.js';

/** Two in-memory Duplex streams wired to each other (what one writes, the other reads). */
function duplexPair(): [Duplex, Duplex] {
  const a: Duplex = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      b.push(chunk);
      cb();
    },
    final(cb) {
      b.push(null);
      cb();
    },
  });
  const b: Duplex = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      a.push(chunk);
      cb();
    },
    final(cb) {
      a.push(null);
      cb();
    },
  });
  return [a, b];
}

function pair(options = {}): [MllpConnection, MllpConnection] {
  const [a, b] = duplexPair();
  return [new MllpConnection(a, options), new MllpConnection(b, options)];
}

const msg = (id: string): string => `MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240217223707||ORU^R01|${id}||2.5\rPID|1||1\rOBR|1||||||20240217223707\rOBX|1|SN|CREATININE||1.0\r`;
const ackFor = (id: string): string => buildAck({ message: parseHl7(msg(id)), code: 'AA', time: 0 });
const isCode = (code: string) => (e: unknown) => e instanceof Hl7Error && e.code === code;

describe('MllpConnection', { timeout: 20_000 }, () => {
  it('sends framed messages that the peer receives as frame events', async () => {
    const [a, b] = pair();
    const got: string[] = [];
    b.on('frame', (p) => got.push(p.toString('latin1')));
    await a.send(msg('1'));
    await a.send(Buffer.from(msg('2'), 'latin1'));
    assert.equal(a.write(msg('3')), true);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, [msg('1'), msg('2'), msg('3')]);
    await Promise.all([a.close(), b.close()]);
  });

  it('request resolves with the reply, and a second request while one waits is HL7_ERR_BUSY', async () => {
    const [a, b] = pair();
    b.on('frame', (p) => b.write(ackFor(parseHl7(p).controlId)));
    const first = a.request(msg('7'), 5000);
    await assert.rejects(a.request(msg('8'), 5000), isCode(Hl7ErrorCode.busy));
    await assert.rejects(a.nextFrame(5000), isCode(Hl7ErrorCode.busy));
    const reply = await first;
    assert.deepEqual(readAck(reply), { ok: true, code: 'AA', acknowledges: '7', controlId: '', errorText: '' });
    assert.equal(a.waiting, false);
    await Promise.all([a.close(), b.close()]);
  });

  it('handles the i-th message once on a long-lived connection (node-hl7-server #102: i handler calls)', async () => {
    const [a, b] = pair();
    let handled = 0;
    b.on('frame', (p) => {
      handled++;
      b.write(ackFor(parseHl7(p).controlId));
    });
    for (let i = 1; i <= 20; i++) {
      const reply = await a.request(msg(String(i)), 5000);
      const r = readAck(reply);
      assert.ok(r.ok && r.acknowledges === String(i));
      assert.equal(handled, i);
    }
    await Promise.all([a.close(), b.close()]);
  });

  it('times out a request with HL7_ERR_TIMEOUT, and a late reply goes out as a frame event, not to the next request', async () => {
    const [a, b] = pair();
    const held: Buffer[] = [];
    b.on('frame', (p) => held.push(p));
    await assert.rejects(a.request(msg('1'), 20), isCode(Hl7ErrorCode.timeout));
    const stray: string[] = [];
    a.on('frame', (p) => stray.push(readAck(p).ok ? (readAck(p) as { acknowledges: string }).acknowledges : '?'));
    b.write(ackFor('1')); // the late ACK
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(stray, ['1']);
    const second = a.request(msg('2'), 5000);
    await new Promise((r) => setImmediate(r));
    b.write(ackFor('2'));
    assert.equal((readAck(await second) as { acknowledges: string }).acknowledges, '2');
    await Promise.all([a.close(), b.close()]);
  });

  it('with accept, refuses a stale ACK that arrives while the next request waits (Mirth #1441)', async () => {
    const [a, b] = pair();
    b.on('frame', () => undefined);
    const accept = (id: string) => (p: Buffer) => {
      const r = readAck(p);
      return r.ok && r.acknowledges === id;
    };
    const stray: string[] = [];
    a.on('frame', (p) => stray.push((readAck(p) as { acknowledges: string }).acknowledges));
    const second = a.request(msg('2'), 5000, { accept: accept('2') });
    b.write(ackFor('1')); // late reply to an earlier message
    b.write(ackFor('2'));
    assert.equal((readAck(await second) as { acknowledges: string }).acknowledges, '2');
    assert.deepEqual(stray, ['1']);
    // Without accept the stale one would have been taken: the default is "the next frame".
    const third = a.request(msg('3'), 5000);
    b.write(ackFor('1'));
    assert.equal((readAck(await third) as { acknowledges: string }).acknowledges, '1');
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects a request answered by an empty frame with HL7_ERR_EMPTY_FRAME; an unsolicited one is a badFrame event', async () => {
    const [a, b] = pair();
    const pending = a.request(msg('1'), 5000);
    await b.writeRaw(Buffer.from([0x0b, 0x1c, 0x0d]));
    await assert.rejects(pending, isCode(Hl7ErrorCode.emptyFrame));
    const bad = once(a, 'badFrame');
    await b.writeRaw(Buffer.from([0x0b, 0x1c, 0x0d]));
    const [err] = await bad;
    assert.ok(err instanceof Hl7Error && err.code === Hl7ErrorCode.emptyFrame);
    assert.equal(a.closed, false);
    await Promise.all([a.close(), b.close()]);
  });

  it('counts bytes between frames and keeps going', async () => {
    const [a, b] = pair();
    const got: string[] = [];
    a.on('frame', (p) => got.push(p.toString('latin1')));
    await b.writeRaw(Buffer.concat([Buffer.from([0, 0, 10]), encodeFrame(msg('1')), Buffer.from('\r\n'), encodeFrame(msg('2'))]));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, [msg('1'), msg('2')]);
    assert.equal(a.strayBytes, 5);
    assert.equal(a.stats.framesDecoded, 2);
    await Promise.all([a.close(), b.close()]);
  });

  it('on a frame past the cap: delivers the frames before it, emits HL7_ERR_FRAME_TOO_LARGE and closes', async () => {
    const [a, b] = pair({ maxFrameBytes: 300 });
    const got: string[] = [];
    a.on('frame', (p) => got.push(p.toString('latin1')));
    const errored = new Promise<[Error]>((r) => a.once('error', (e) => r([e])));
    const closed = new Promise((r) => a.once('close', () => r(undefined)));
    await b.writeRaw(Buffer.concat([encodeFrame(msg('1')), Buffer.from([0x0b]), Buffer.alloc(400, 0x41)]));
    const [err] = await errored;
    assert.ok(err instanceof Hl7Error && err.code === Hl7ErrorCode.frameTooLarge);
    await closed;
    assert.deepEqual(got, [msg('1')]);
    assert.equal(a.closed, true);
    await b.close();
  });

  it('rejects a waiting request with the error that closed the connection, and does not throw without an error listener', async () => {
    const [a, b] = pair({ maxFrameBytes: 100 });
    const pending = a.request(msg('1'), 5000);
    await b.writeRaw(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(200, 0x41)]));
    await assert.rejects(pending, isCode(Hl7ErrorCode.frameTooLarge));
    const [x] = duplexPair();
    const c = new MllpConnection(x);
    const closed = new Promise((r) => c.once('close', () => r(undefined)));
    x.destroy(new Error('boom'));
    await closed;
    assert.equal(c.closed, true);
    await b.close();
  });

  it('close is idempotent: one promise, one close event; afterwards sends reject with HL7_ERR_CLOSED and write returns false', async () => {
    const [a, b] = pair();
    let closes = 0;
    a.on('close', () => closes++);
    const p1 = a.close();
    const p2 = a.close();
    assert.equal(p1, p2);
    await p1;
    await a.close();
    assert.equal(closes, 1);
    assert.equal(a.closed, true);
    await assert.rejects(a.send(msg('1')), isCode(Hl7ErrorCode.closed));
    await assert.rejects(a.request(msg('1')), isCode(Hl7ErrorCode.closed));
    await assert.rejects(a.nextFrame(), isCode(Hl7ErrorCode.closed));
    await assert.rejects(a.writeRaw(Buffer.from('x')), isCode(Hl7ErrorCode.closed));
    assert.equal(a.write(msg('1')), false);
    await b.close();
  });

  it('closes by itself when the peer ends, and close() afterwards resolves at once', async () => {
    const [a, b] = pair();
    const aClosed = once(a, 'close');
    await b.close();
    await aClosed;
    assert.equal(a.closed, true);
    await a.close();
    await a.close();
  });

  it('rejects a waiting request with HL7_ERR_CLOSED when the connection is closed', async () => {
    const [a, b] = pair();
    b.on('frame', () => undefined);
    const pending = a.request(msg('1'), 5000);
    await a.close();
    await assert.rejects(pending, isCode(Hl7ErrorCode.closed));
    await b.close();
  });

  it('rejects a waiting request with HL7_ERR_CLOSED when the peer goes away', async () => {
    const [a, b] = pair();
    b.on('frame', () => void b.close());
    await assert.rejects(a.request(msg('1'), 5000), isCode(Hl7ErrorCode.closed));
  });

  it('a reply missing only its final CR is taken when the peer ends the stream (Camel requireEndOfData)', async () => {
    const [rawA, rawB] = duplexPair();
    const a = new MllpConnection(rawA);
    const pending = a.request(msg('7'), 5000);
    const ack = encodeFrame(ackFor('7'));
    rawB.write(ack.subarray(0, ack.length - 1)); // no 0x0D after the 0x1C
    await new Promise((r) => setImmediate(r));
    assert.equal(a.stats.bufferedBytes, ack.length - 2, 'held, and visible in the stats');
    rawB.end();
    const reply = await pending;
    assert.equal(readAck(reply).ok, true);
    assert.equal(a.stats.lenientEnds, 1);
    await a.close();
  });

  it('destroys a stream that does not close within the linger time', async () => {
    // A stream whose writable side never finishes (its write callback is never called).
    const stuck = new Duplex({ read() {}, write() {} });
    const c = new MllpConnection(stuck);
    c.write(msg('1'));
    await c.close(10);
    assert.equal(stuck.destroyed, true);
    assert.equal(c.closed, true);
  });

  it('nextFrame waits without a time limit when given Infinity', async () => {
    const [a, b] = pair();
    const next = a.nextFrame(Infinity);
    await b.send(msg('9'));
    assert.equal((await next).toString('latin1'), msg('9'));
    await Promise.all([a.close(), b.close()]);
  });

  it('a shorter timeout after a long one is still honoured', async () => {
    const [a, b] = pair();
    b.on('frame', (p) => b.write(ackFor(parseHl7(p).controlId)));
    await a.request(msg('1'), 60_000);
    await assert.rejects(a.nextFrame(20), isCode(Hl7ErrorCode.timeout));
    await Promise.all([a.close(), b.close()]);
  });
});
