/**
 * MLLP round trip over loopback: one ORU^R01 out, one ACK back, one message outstanding. The
 * hospital side (server: sends, waits for the ACK, times the round trip) and the detector side
 * (client: reads the frame, answers) are separate processes, as in stack.md §2(i).
 *
 * The variants share each pair of processes, one connection each, and take turns in blocks of
 * `--block` round trips (order rotating), so the machine's noise (other processes on 2 cores)
 * falls on all of them alike; several pairs of processes (`--rounds`) run one after another.
 *
 *   bare   - plain `net` sockets on both sides: a hand-written deframer and a constant ACK
 *   ours   - createMllpServer + `await MllpConnection.request()` per message / connectMllp +
 *            `frame` event + `write`, answering the same constant ACK: what the library costs
 *   write  - as ours, but the hospital side uses `write` + the `frame` event instead of
 *            `request` (no promise per message): the framing and connection alone
 *   full   - as ours, with the detector parsing each message (parseHl7 + readCourseMessage) and
 *            building a fresh ACK (buildAck): what a real receiver costs
 *
 * It also reports the hospital process's CPU time per round trip for each variant.
 *
 *   node --import tsx bench/mllp-roundtrip.ts [--n 30000] [--block 100] [--warmup 2000] [--rounds 5]
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAck, buildResultMessage, connectMllp, createMllpServer, encodeFrame, parseHl7, readCourseMessage, type MllpConnection } from '../src/hl7/index.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    ports: { type: 'string' },
    n: { type: 'string', default: '30000' },
    block: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
  },
});
const N = Number(values.n);
const BLOCK = Number(values.block);
const WARMUP = Number(values.warmup);
const VARIANTS = ['bare', 'ours', 'write', 'full'] as const;
type Variant = (typeof VARIANTS)[number];

const ORU = buildResultMessage({ time: Date.UTC(2024, 1, 17, 22, 37, 7), mrn: '531904276', value: 95.07289465459068 });
const ORU_FRAME = encodeFrame(ORU);
const ACK = 'MSH|^~\\&|||||20240217223707||ACK|||2.5\rMSA|AA\r';
const ACK_FRAME = encodeFrame(ACK);

interface Result {
  variant: Variant;
  n: number;
  seconds: number;
  rate: number;
  p50us: number;
  p99us: number;
  cpuUs: number;
}

/** A minimal deframer for the bare variant: calls `onFrame` at each 0x1C 0x0D after a 0x0B. */
function bareDeframer(onFrame: () => void): (chunk: Buffer) => void {
  let inFrame = false;
  let pendingFs = false;
  return (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (!inFrame) {
        if (b === 0x0b) inFrame = true;
      } else if (pendingFs) {
        pendingFs = false;
        if (b === 0x0d) {
          inFrame = false;
          onFrame();
        }
      } else if (b === 0x1c) pendingFs = true;
    }
  };
}

// ---------------------------------------------------------------- hospital side (servers)

/** Runs `count` round trips on one variant, appending each RTT (ns) to `rtts` from `at`. */
type Runner = (count: number, rtts: Float64Array, at: number) => Promise<void>;

async function hospital(): Promise<void> {
  // bare
  let bareSocket!: net.Socket;
  let onBareAck: () => void = () => undefined;
  const bareServer = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', bareDeframer(() => onBareAck()));
    bareSocket = socket;
    arrived();
  });
  bareServer.listen(0, '127.0.0.1');
  await once(bareServer, 'listening');
  // ours and full
  const conns = new Map<Variant, MllpConnection>();
  let arrivedCount = 0;
  let allArrived!: () => void;
  const allConnected = new Promise<void>((r) => (allArrived = r));
  function arrived(): void {
    if (++arrivedCount === VARIANTS.length) allArrived();
  }
  const oursServer = await createMllpServer({ host: '127.0.0.1', port: 0, onConnection: (c) => (conns.set('ours', c), arrived()) });
  const writeServer = await createMllpServer({ host: '127.0.0.1', port: 0, onConnection: (c) => (conns.set('write', c), arrived()) });
  const fullServer = await createMllpServer({ host: '127.0.0.1', port: 0, onConnection: (c) => (conns.set('full', c), arrived()) });
  process.stdout.write(`PORTS ${(bareServer.address() as net.AddressInfo).port},${oursServer.port},${writeServer.port},${fullServer.port}\n`);
  await allConnected;

  const runBare: Runner = (count, rtts, at) =>
    new Promise((resolve) => {
      let i = 0;
      let prev = process.hrtime.bigint();
      onBareAck = () => {
        const now = process.hrtime.bigint();
        rtts[at + i] = Number(now - prev);
        prev = now;
        if (++i < count) bareSocket.write(ORU_FRAME);
        else resolve();
      };
      bareSocket.write(ORU_FRAME);
    });
  const runOurs =
    (conn: MllpConnection): Runner =>
    async (count, rtts, at) => {
      let prev = process.hrtime.bigint();
      for (let i = 0; i < count; i++) {
        await conn.request(ORU, 10_000);
        const now = process.hrtime.bigint();
        rtts[at + i] = Number(now - prev);
        prev = now;
      }
    };
  const writeConn = conns.get('write') as MllpConnection;
  let onWriteAck: () => void = () => undefined;
  writeConn.on('frame', () => onWriteAck());
  const runWrite: Runner = (count, rtts, at) =>
    new Promise((resolve) => {
      let i = 0;
      let prev = process.hrtime.bigint();
      onWriteAck = () => {
        const now = process.hrtime.bigint();
        rtts[at + i] = Number(now - prev);
        prev = now;
        if (++i < count) writeConn.write(ORU);
        else resolve();
      };
      writeConn.write(ORU);
    });
  const runners: Record<Variant, Runner> = { bare: runBare, ours: runOurs(conns.get('ours') as MllpConnection), write: runWrite, full: runOurs(conns.get('full') as MllpConnection) };

  const scratch = new Float64Array(WARMUP);
  for (const v of VARIANTS) await runners[v](WARMUP, scratch, 0);
  const rtts = Object.fromEntries(VARIANTS.map((v) => [v, new Float64Array(N)])) as Record<Variant, Float64Array>;
  const cpu = Object.fromEntries(VARIANTS.map((v) => [v, 0])) as Record<Variant, number>;
  const blocks = Math.ceil(N / BLOCK);
  for (let b = 0; b < blocks; b++) {
    const count = Math.min(BLOCK, N - b * BLOCK);
    for (let k = 0; k < VARIANTS.length; k++) {
      const v = VARIANTS[(b + k) % VARIANTS.length] as Variant;
      const c0 = process.cpuUsage();
      await runners[v](count, rtts[v], b * BLOCK);
      const c1 = process.cpuUsage(c0);
      cpu[v] += c1.user + c1.system;
    }
  }
  for (const v of VARIANTS) {
    const xs = rtts[v];
    const seconds = xs.reduce((s, x) => s + x, 0) / 1e9;
    const sorted = Float64Array.from(xs).sort();
    const q = (p: number): number => (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number) / 1000;
    const r: Result = { variant: v, n: N, seconds, rate: N / seconds, p50us: q(0.5), p99us: q(0.99), cpuUs: cpu[v] / N };
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
  }
  bareSocket.end();
  await Promise.all([oursServer.close(), writeServer.close(), fullServer.close(), new Promise((r) => bareServer.close(r))]);
}

// ---------------------------------------------------------------- detector side (clients)

async function detector(ports: number[]): Promise<void> {
  const [barePort, oursPort, writePort, fullPort] = ports as [number, number, number, number];
  const socket = net.connect({ host: '127.0.0.1', port: barePort });
  socket.setNoDelay(true);
  socket.on('data', bareDeframer(() => socket.write(ACK_FRAME)));
  await once(socket, 'connect');

  const ours = await connectMllp({ host: '127.0.0.1', port: oursPort });
  ours.on('frame', () => ours.write(ACK));

  const write = await connectMllp({ host: '127.0.0.1', port: writePort });
  write.on('frame', () => write.write(ACK));

  const full = await connectMllp({ host: '127.0.0.1', port: fullPort });
  let t = Date.UTC(2024, 1, 17, 22, 37, 7);
  full.on('frame', (payload) => {
    const message = parseHl7(payload);
    const read = readCourseMessage(message);
    full.write(buildAck({ message, code: read.kind === 'invalid' ? 'AE' : 'AA', time: (t += 1000), controlId: '' }));
  });
  await Promise.all([once(socket, 'close'), once(ours, 'close'), once(write, 'close'), once(full, 'close')]);
}

// ---------------------------------------------------------------- orchestrator

function child(args: string[]): { proc: ReturnType<typeof spawn>; lines: AsyncIterableIterator<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  async function* read(): AsyncIterableIterator<string> {
    let buf = '';
    for await (const chunk of proc.stdout as NodeJS.ReadableStream) {
      buf += String(chunk);
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        yield buf.slice(0, nl);
        buf = buf.slice(nl + 1);
      }
    }
  }
  return { proc, lines: read() };
}

async function runPair(): Promise<Map<Variant, Result>> {
  const common = ['--n', String(N), '--block', String(BLOCK), '--warmup', String(WARMUP)];
  const hosp = child(['--role', 'hospital', ...common]);
  const first = await hosp.lines.next();
  const ports = String(first.value).replace('PORTS ', '');
  const det = child(['--role', 'detector', '--ports', ports]);
  const results = new Map<Variant, Result>();
  for await (const line of hosp.lines) {
    if (line.startsWith('RESULT ')) {
      const r = JSON.parse(line.slice(7)) as Result;
      results.set(r.variant, r);
    }
  }
  await Promise.all([hosp.proc.exitCode === null ? once(hosp.proc, 'exit') : undefined, det.proc.exitCode === null ? once(det.proc, 'exit') : undefined]);
  if (results.size !== VARIANTS.length) throw new Error('missing results');
  return results;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function orchestrate(): Promise<void> {
  const rounds = Number(values.rounds);
  const all = new Map<Variant, Result[]>(VARIANTS.map((v) => [v, []]));
  const ratios = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  console.log(
    `# mllp-roundtrip: ${ORU_FRAME.length}-byte ORU frame, ${ACK_FRAME.length}-byte ACK frame; per round one hospital and one detector process, N=${N} round trips per variant after ${WARMUP} warm-up, in blocks of ${BLOCK} taking turns; ${rounds} rounds; ${os.cpus().length} cores, node ${process.version}`,
  );
  for (let r = 0; r < rounds; r++) {
    const res = await runPair();
    const bare = res.get('bare') as Result;
    for (const v of VARIANTS) {
      const x = res.get(v) as Result;
      all.get(v)?.push(x);
      ratios.get(v)?.push(x.rate / bare.rate);
    }
    console.log(
      `round ${r + 1}: ${VARIANTS.map((v) => `${v} ${Math.round(res.get(v)?.rate ?? 0)}/s (p50 ${res.get(v)?.p50us.toFixed(1)} µs, cpu ${res.get(v)?.cpuUs.toFixed(1)} µs)`).join(', ')}; ours/bare ${((res.get('ours')?.rate ?? 0) / bare.rate).toFixed(3)}`,
    );
  }
  console.log('');
  console.log('| variant | median msg/s | median RTT p50 | median RTT p99 | hospital CPU per round trip | rate ÷ bare (median of rounds) | per round |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const v of VARIANTS) {
    const rs = all.get(v) ?? [];
    const rat = ratios.get(v) ?? [];
    console.log(
      `| ${v} | ${Math.round(median(rs.map((x) => x.rate))).toLocaleString('en')} | ${median(rs.map((x) => x.p50us)).toFixed(1)} µs | ${median(rs.map((x) => x.p99us)).toFixed(0)} µs | ${median(rs.map((x) => x.cpuUs)).toFixed(1)} µs | ${median(rat).toFixed(3)} | ${rat.map((x) => x.toFixed(3)).join(' ')} |`,
    );
  }
}

if (values.role === 'hospital') await hospital();
else if (values.role === 'detector') await detector(String(values.ports).split(',').map(Number));
else await orchestrate();
