// An MLLP client that only ACKs: reads frames, answers each with a fixed ACK frame, and prints
// {received, ms} (from connect to the server closing) as JSON. Used by bench/simulator-replay.ts.
import net from 'node:net';

const port = Number(process.argv[2]);
const ACK = Buffer.from('\x0bMSH|^~\\&|||||20240101000000||ACK|||2.5\rMSA|AA\r\x1c\r', 'latin1');
let received = 0;
let pending = Buffer.alloc(0);
let t0 = 0;
const sock = net.createConnection({ host: '127.0.0.1', port }, () => {
  t0 = performance.now();
});
sock.setNoDelay(true);
sock.on('data', (chunk) => {
  let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  let start = 0;
  for (;;) {
    const end = buf.indexOf(0x1c, start);
    if (end < 0 || end + 1 >= buf.length) break;
    received++;
    start = end + 2;
    sock.write(ACK);
  }
  pending = start < buf.length ? buf.subarray(start) : Buffer.alloc(0);
});
sock.on('close', () => {
  process.stdout.write(JSON.stringify({ received, ms: performance.now() - t0 }) + '\n');
});
sock.on('error', () => undefined);
