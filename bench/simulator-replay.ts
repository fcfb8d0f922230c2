/**
 * Replay rate of the simulator with a client that only ACKs, against a bare Node socket
 * ping-pong doing the same exchange (write a frame, wait for one reply frame, write the next),
 * alternating in one run. The client runs in its own process for both.
 *
 *   node --import tsx bench/simulator-replay.ts [--data DIR] [--rounds 5]
 *
 * Without --data it generates 60 days with `swemls generate --seed 5`. Ends with one run each
 * with the durable event log (--state-sync write and fsync).
 */
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { readMllpFile, encodeFrame } from '../src/hl7/index.js';
import { loadAkis, loadMessages } from '../src/simulator/data.js';
import { startSimulator } from '../src/simulator/simulator.js';

const argv = process.argv.slice(2);
const arg = (k: string, d?: string): string | undefined => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : d;
};
const rounds = Number(arg('rounds', '5'));
let dataDir = arg('data');
if (!dataDir) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simbench-'));
  const r = spawnSync(process.execPath, [path.resolve('bin/swemls.js'), 'generate', '--seed', '5', '--days', '60', '--history', '10', '--out', dataDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}
const messagesFile = path.join(dataDir, 'messages.mllp');
const akisFile = path.join(dataDir, 'aki.csv');
const frames = readMllpFile(messagesFile).frames.map((f) => encodeFrame(f));
const client = path.resolve('bench/simulator-ack-client.mjs');

function runClient(port: number): Promise<{ received: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [client, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { received: number; ms: number }) : reject(new Error(`client exit ${code}`))));
  });
}

/** The baseline: write frame i, wait for a reply frame, write frame i+1; close at the end. */
/** Server-side CPU (user+system) of this process per message, µs, for the last run. */
let cpuPerMessage = 0;
function cpuSince(start: NodeJS.CpuUsage, n: number): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / n;
}

async function bare(): Promise<number> {
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    let i = 0;
    let pending: Buffer = Buffer.alloc(0);
    sock.write(frames[i++] as Buffer);
    sock.on('data', (chunk: Buffer) => {
      const buf: Buffer = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const end = buf.indexOf(0x1c);
      if (end < 0 || end + 1 >= buf.length) {
        pending = buf;
        return;
      }
      pending = buf.subarray(end + 2);
      if (i < frames.length) sock.write(frames[i++] as Buffer);
      else sock.end();
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const c0 = process.cpuUsage();
  const r = await runClient(port);
  cpuPerMessage = cpuSince(c0, r.received);
  server.close();
  if (r.received !== frames.length) throw new Error(`bare: ${r.received} of ${frames.length}`);
  return (r.received / r.ms) * 1000;
}

async function ours(state?: 'fsync' | 'write'): Promise<number> {
  const stateDir = state ? fs.mkdtempSync(path.join(os.tmpdir(), 'simbench-state-')) : undefined;
  const sim = await startSimulator({
    stateDir,
    messagesFile,
    akisFile,
    data: loadMessages(messagesFile),
    akis: loadAkis(akisFile),
    groups: [{ name: 'hospital', mllp: 0, pager: 0 }],
    addr: '127.0.0.1',
    backstage: 0,
    rewind: true,
    speed: null,
    onNak: 'resend',
    maxResends: 3,
    readTimeoutMs: 10_000,
    maxReplyBytes: 65536,
    maxPageBodyBytes: 4096,
    headerTimeoutMs: 10_000,
    seed: 1,
    stateSync: state ?? 'fsync',
    log: () => undefined,
  });
  const c0 = process.cpuUsage();
  const r = await runClient(sim.groups[0]!.mllpPort);
  cpuPerMessage = cpuSince(c0, r.received);
  await sim.close();
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  if (r.received !== frames.length) throw new Error(`ours: ${r.received} of ${frames.length}`);
  return (r.received / r.ms) * 1000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

const b: number[] = [];
const o: number[] = [];
const bc: number[] = [];
const oc: number[] = [];
await bare(); // warm-up
await ours();
for (let k = 0; k < rounds; k++) {
  b.push(await bare());
  bc.push(cpuPerMessage);
  o.push(await ours());
  oc.push(cpuPerMessage);
  console.log(`round ${k + 1}: bare ${b[k]!.toFixed(0)} msg/s (${bc[k]!.toFixed(1)} µs CPU/msg), simulator ${o[k]!.toFixed(0)} msg/s (${oc[k]!.toFixed(1)} µs CPU/msg), ratio ${(o[k]! / b[k]!).toFixed(3)}`);
}
const ratios = o.map((x, i) => x / (b[i] as number));
// The durable event log: one run each (the durable modes are not part of the 90% target).
const withWrite = await ours('write');
const withFsync = await ours('fsync');
console.log(`with --state: --state-sync write ${withWrite.toFixed(0)} msg/s, --state-sync fsync ${withFsync.toFixed(0)} msg/s`);
console.log(JSON.stringify({ messages: frames.length, rounds, bareMedian: Math.round(median(b)), simulatorMedian: Math.round(median(o)), ratioMedian: Number(median(ratios).toFixed(3)), bareCpuUsPerMessage: Number(median(bc).toFixed(1)), simulatorCpuUsPerMessage: Number(median(oc).toFixed(1)) }));
