/**
 * MLLP over real loopback sockets (port 0): our server and client end to end, and the regression
 * cases of anchors.md §5 — each the failure of an npm (or other) HL7 library — on a real socket.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import {
  buildAck,
  buildResultMessage,
  connectMllp,
  createMllpServer,
  encodeFrame,
  Hl7Error,
  Hl7ErrorCode,
  parseHl7,
  readAck,
  readCourseMessage,
  type MllpConnection,
  type MllpServer,
} from '../src/hl7/index.js';

const HOST = '127.0.0.1';
const T0 = Date.UTC(2024, 1, 17, 22, 37, 7);

function result(i: number): string {
  return buildResultMessage({ time: T0 + i * 1000, mrn: String(100000 + i), value: 90 + i / 10, controlId: `M${i}` });
}

/** A server that parses every message, records it and answers AA (AE when unreadable). */
async function ackServer(options: { maxFrameBytes?: number } = {}): Promise<{ server: MllpServer; handled: string[]; errors: Error[]; conns: MllpConnection[] }> {
  const handled: string[] = [];
  const errors: Error[] = [];
  const conns: MllpConnection[] = [];
  let ackId = 0;
  const server = await createMllpServer({
    host: HOST,
    port: 0,
    ...options,
    onConnection: (conn) => {
      conns.push(conn);
      conn.on('error', (e) => errors.push(e));
      conn.on('frame', (payload) => {
        let message;
        try {
          message = parseHl7(payload);
        } catch (e) {
          conn.write(buildAck({ code: 'AR', time: T0, controlId: `A${++ackId}`, errorText: (e as Error).message }));
          return;
        }
        handled.push(message.controlId);
        const read = readCourseMessage(message);
        conn.write(buildAck({ message, code: read.kind === 'invalid' ? 'AE' : 'AA', time: T0, controlId: `A${++ackId}` }));
      });
    },
  });
  return { server, handled, errors, conns };
}

/** A raw client socket that collects whole ACK frames. */
async function rawClient(port: number): Promise<{ socket: net.Socket; acks: string[]; waitFor: (n: number) => Promise<void> }> {
  const socket = net.connect({ host: HOST, port });
  await once(socket, 'connect');
  const acks: string[] = [];
  let buf = Buffer.alloc(0);
  let waiting: { n: number; resolve: () => void } | undefined;
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\x1c\r', 0, 'latin1');
      if (end < 0) break;
      acks.push(buf.subarray(buf.indexOf(0x0b) + 1, end).toString('latin1'));
      buf = buf.subarray(end + 2);
    }
    if (waiting && acks.length >= waiting.n) waiting.resolve();
  });
  const waitFor = (n: number): Promise<void> =>
    acks.length >= n
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          waiting = { n, resolve };
        });
  return { socket, acks, waitFor };
}

const acknowledged = (acks: string[]): string[] => acks.map((a) => (readAck(a) as { acknowledges: string }).acknowledges);

describe('MLLP over TCP loopback', { timeout: 20_000 }, () => {
  it('server and client: request an ORU, get an AA that acknowledges its MSH-10', async () => {
    const { server, handled } = await ackServer();
    assert.ok(server.port > 0);
    const client = await connectMllp({ host: HOST, port: server.port });
    for (let i = 1; i <= 50; i++) {
      const reply = readAck(await client.request(result(i), 5000));
      assert.deepEqual(reply, { ok: true, code: 'AA', acknowledges: `M${i}`, controlId: `A${i}`, errorText: '' });
    }
    assert.equal(handled.length, 50);
    assert.equal(server.connections.size, 1);
    await client.close();
    await server.close();
    assert.equal(server.connections.size, 0);
  });

  it('answers AE for a message it cannot read and AR for one it cannot parse, and keeps the connection', async () => {
    const { server } = await ackServer();
    const client = await connectMllp({ host: HOST, port: server.port });
    const ae = readAck(await client.request('MSH|^~\\&|X||||20240217||ORU^R01|BAD1||2.5\rPID|1||12\r', 5000));
    assert.ok(ae.ok && ae.code === 'AE' && ae.acknowledges === 'BAD1');
    const ar = readAck(await client.request('this is not HL7', 5000));
    assert.ok(ar.ok && ar.code === 'AR' && /MSH/.test(ar.errorText));
    assert.equal((readAck(await client.request(result(1), 5000)) as { code: string }).code, 'AA');
    await client.close();
    await server.close();
  });

  it('two frames in one TCP write are two messages with two ACKs (simple-hl7 #51; @medplum/hl7 merges them)', async () => {
    const { server, handled } = await ackServer();
    const c = await rawClient(server.port);
    c.socket.write(Buffer.concat([encodeFrame(result(1)), encodeFrame(result(2))]));
    await c.waitFor(2);
    assert.deepEqual(handled, ['M1', 'M2']);
    assert.deepEqual(acknowledged(c.acks), ['M1', 'M2']);
    c.socket.destroy();
    await server.close();
  });

  it('the i-th message on one connection is handled once, not i times (node-hl7-server #102)', async () => {
    const { server, handled } = await ackServer();
    const c = await rawClient(server.port);
    for (let i = 1; i <= 20; i++) {
      c.socket.write(encodeFrame(result(i)));
      await c.waitFor(i);
      assert.equal(handled.length, i, `after message ${i}`);
    }
    assert.equal(c.acks.length, 20, '20 ACKs, not 210');
    assert.deepEqual(handled, Array.from({ length: 20 }, (_, i) => `M${i + 1}`));
    c.socket.destroy();
    await server.close();
  });

  it('NUL bytes and a line break between frames are skipped (Mirth #249)', async () => {
    const { server, handled, conns } = await ackServer();
    const c = await rawClient(server.port);
    c.socket.write(Buffer.concat([Buffer.from([0, 0]), encodeFrame(result(1)), Buffer.from([0, 0, 0, 0x0d, 0x0a]), encodeFrame(result(2)), Buffer.from([0])]));
    await c.waitFor(2);
    assert.deepEqual(handled, ['M1', 'M2']);
    assert.equal(conns[0]?.strayBytes, 8);
    c.socket.destroy();
    await server.close();
  });

  it('a large message split across many reads is one message (node-hl7-server #60)', async () => {
    const { server, handled } = await ackServer();
    const c = await rawClient(server.port);
    const obx = Array.from({ length: 6000 }, (_, i) => `OBX|${i + 2}|SN|CREATININE||${(80 + (i % 50)).toFixed(1)}\r`).join('');
    const big = result(1) + obx; // about 200 KB
    assert.ok(big.length > 150_000);
    const frame = encodeFrame(big);
    c.socket.setNoDelay(true);
    for (let at = 0; at < frame.length; at += 4096) {
      if (!c.socket.write(frame.subarray(at, at + 4096))) await once(c.socket, 'drain');
    }
    await c.waitFor(1);
    assert.deepEqual(handled, ['M1']);
    assert.deepEqual(acknowledged(c.acks), ['M1']);
    c.socket.destroy();
    await server.close();
  });

  it('a frame that never ends hits the cap: a typed error and the connection is dropped, nothing is buffered beyond it', async () => {
    const { server, errors, handled } = await ackServer({ maxFrameBytes: 64 * 1024 });
    const c = await rawClient(server.port);
    c.socket.write(encodeFrame(result(1)));
    await c.waitFor(1);
    // The server resets the connection: the client sees an error (ECONNRESET or EPIPE), then close.
    c.socket.on('error', () => undefined);
    const closed = new Promise((r) => c.socket.once('close', r));
    c.socket.write(Buffer.from([0x0b]));
    const chunk = Buffer.alloc(8192, 0x41);
    // Keep sending until the server hangs up (it must, after 64 KiB).
    let sent = 0;
    while (!c.socket.destroyed && sent < 4 * 1024 * 1024) {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), closed]);
      sent += chunk.length;
    }
    await closed;
    assert.ok(sent < 4 * 1024 * 1024, 'the server hung up before 4 MiB');
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof Hl7Error && errors[0].code === Hl7ErrorCode.frameTooLarge);
    assert.deepEqual(handled, ['M1']);
    await server.close();
  });

  it('a reply split into one-byte writes is read whole (elixir-mllp #62, python-hl7 #44)', async () => {
    const server = await createMllpServer({
      host: HOST,
      port: 0,
      onConnection: (conn) => {
        conn.on('frame', async (payload) => {
          const ack = encodeFrame(buildAck({ message: parseHl7(payload), code: 'AA', time: T0 }));
          for (const byte of ack) await conn.writeRaw(Buffer.from([byte]));
        });
      },
    });
    const client = await connectMllp({ host: HOST, port: server.port });
    const r = readAck(await client.request(result(5), 5000));
    assert.ok(r.ok && r.acknowledges === 'M5');
    await client.close();
    await server.close();
  });

  it('server.close closes every client connection and is idempotent', async () => {
    const { server } = await ackServer();
    const clients = await Promise.all([1, 2, 3].map(() => connectMllp({ host: HOST, port: server.port })));
    await Promise.all(clients.map((c, i) => c.request(result(i), 5000)));
    const allClosed = Promise.all(clients.map((c) => once(c, 'close')));
    const p1 = server.close();
    assert.equal(server.close(), p1);
    await p1;
    await allClosed;
    assert.ok(clients.every((c) => c.closed));
    await assert.rejects(clients[0]?.request(result(9), 5000) as Promise<Buffer>, (e: unknown) => e instanceof Hl7Error && e.code === Hl7ErrorCode.closed);
  });

  it('a client waiting for a reply learns at once when the server goes away', async () => {
    const server = await createMllpServer({ host: HOST, port: 0, onConnection: (conn) => conn.on('frame', () => void conn.close()) });
    const client = await connectMllp({ host: HOST, port: server.port });
    await assert.rejects(client.request(result(1), 60_000), (e: unknown) => e instanceof Hl7Error && e.code === Hl7ErrorCode.closed);
    await server.close();
  });

  it('createMllpServer rejects with EADDRINUSE for a port in use', async () => {
    const first = await createMllpServer({ host: HOST, port: 0, onConnection: () => undefined });
    await assert.rejects(createMllpServer({ host: HOST, port: first.port, onConnection: () => undefined }), (e: unknown) => (e as { code?: string }).code === 'EADDRINUSE');
    await first.close();
  });
});

describe('connectMllp error paths', { timeout: 20_000 }, () => {
  it('rejects with ECONNREFUSED when nothing listens', async () => {
    const probe = net.createServer();
    probe.listen(0, HOST);
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    await assert.rejects(connectMllp({ host: HOST, port }), (e: unknown) => (e as { code?: string }).code === 'ECONNREFUSED');
  });

  it('rejects with the reason of an already aborted signal, without connecting', async () => {
    const { server } = await ackServer();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(connectMllp({ host: HOST, port: server.port, signal: ac.signal }), /stop/);
    await server.close();
  });

  it('rejects with the reason when aborted while connecting, and leaves no socket behind', async () => {
    let accepted = 0;
    const server = await createMllpServer({ host: HOST, port: 0, onConnection: () => accepted++ });
    const ac = new AbortController();
    const p = connectMllp({ host: HOST, port: server.port, signal: ac.signal });
    ac.abort(new Error('shutting down'));
    await assert.rejects(p, /shutting down/);
    // A connection that did get through is closed from our side.
    for (const c of server.connections) await once(c, 'close');
    await server.close();
    assert.ok(accepted <= 1);
  });
});
