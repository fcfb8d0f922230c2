/**
 * Detector benchmark: a fast replay of a generated stream through `swemls simulate` and
 * `swemls detect` (real processes, loopback), in one run:
 *   1. a bare ACK-only client against the same simulator (the ceiling),
 *   2. the detector with `--sqlite-synchronous full` (the default: fsync before every ACK),
 *   3. the detector with `--sqlite-synchronous normal` (survives SIGKILL, not power loss).
 * Prints messages/s, page latency p50/p90/p99 as the simulator measured it (exact scoring),
 * exact F3, detector RSS at the end, and start-up time with the stream's history.csv.
 *
 *   node --import tsx bench/detector-replay.ts [--days 365] [--history 90] [--seed 3] [--full-limit N] [--data DIR] [--model FILE|nhs]
 *
 * `--full-limit N` replays only the first N messages in the `full` run (fsync-bound runs are slow).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { encodeFrame, MllpDecoder, readMllpFile } from '../src/hl7/index.js';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '365' },
    history: { type: 'string', default: '90' },
    seed: { type: 'string', default: '3' },
    'full-limit': { type: 'string' },
    data: { type: 'string' },
    keep: { type: 'boolean', default: false },
    model: { type: 'string', default: 'models/default.json' },
  },
});
const BIN = path.resolve('bin/swemls.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'det-bench-'));
const data = values.data ?? path.join(tmp, 'data');

function log(s: string): void {
  process.stdout.write(`${s}\n`);
}

interface Sim {
  mllp: string;
  pager: string;
  exited: Promise<number | null>;
  /** Resolves (performance.now()) when the simulator says every message was acknowledged. */
  replayed: Promise<number>;
  kill(): void;
}

function startSim(messages: string, report: string): Promise<Sim> {
  // --rewind=false: the detector reconnects when the simulator closes at the end, and a rewind would restart the scoring.
  const child = spawn(process.execPath, [BIN, 'simulate', '--messages', messages, '--akis', path.join(data, 'aki.csv'), '--mllp', '0', '--pager', '0', '--backstage', '0', '--rewind=false', '--report', report, '--exit-when-done', '--grace', '2'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  let markReplayed!: (t: number) => void;
  const replayed = new Promise<number>((r) => (markReplayed = r));
  return new Promise((resolve, reject) => {
    const on = (line: string): void => {
      if (/replayed every message/.test(line)) markReplayed(performance.now());
      const m = /listening mllp=(\S+) pager=(\S+)/.exec(line);
      if (m) resolve({ mllp: m[1] as string, pager: m[2] as string, exited, replayed, kill: () => child.kill('SIGKILL') });
    };
    createInterface({ input: child.stdout }).on('line', on);
    createInterface({ input: child.stderr }).on('line', on);
    void exited.then((c) => reject(new Error(`simulator exited ${c}`)));
  });
}

/** The ceiling: a client that only frames and answers a fixed ACK. */
function bareClient(hostPort: string): Promise<void> {
  const i = hostPort.lastIndexOf(':');
  const ack = encodeFrame('MSH|^~\\&|||||20240101000000||ACK|||2.5\rMSA|AA\r');
  return new Promise((resolve) => {
    const s = net.connect({ host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) });
    s.setNoDelay(true);
    const dec = new MllpDecoder({ maxFrameBytes: 1 << 20 });
    s.on('data', (chunk) => {
      for (const _f of dec.push(chunk)) s.write(ack);
    });
    s.on('close', () => resolve());
    s.on('error', () => undefined);
  });
}

interface Report {
  messages: { total: number; sent: number };
  exact: { tp: number; fp: number; fn: number; f3: number; nhs: { f3: number } };
  latency: { count: number; p50: number; p90: number; p99: number; max: number };
}

function readReport(dir: string): Report {
  const r = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { groups: Report[] };
  return r.groups[0] as Report;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024;
}

async function runDetector(label: string, messages: string, n: number, sync: 'full' | 'normal'): Promise<void> {
  const report = path.join(tmp, `report-${label}`);
  const sim = await startSim(messages, report);
  const state = path.join(tmp, `state-${label}`);
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'detect', '--mllp', sim.mllp, '--pager', sim.pager, '--state', state, '--history', path.join(data, 'history.csv'), '--metrics-port', '0', '--metrics-host', '127.0.0.1', '--sqlite-synchronous', sync, '--log-level', 'warn', '--model', values.model], { stdio: ['ignore', 'pipe', 'inherit'] });
  let listenMs = NaN;
  let listenAt = NaN;
  createInterface({ input: child.stdout }).on('line', (l) => {
    if (!l.startsWith('listening ')) return;
    listenAt = performance.now();
    listenMs = listenAt - t0;
  });
  let peakRss = 0;
  const iv = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssOf(child.pid as number));
    } catch {
      // exited
    }
  }, 250);
  const replayedAt = await sim.replayed;
  await sim.exited;
  const elapsed = (replayedAt - listenAt) / 1000;
  clearInterval(iv);
  const rss = rssOf(child.pid as number);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const r = readReport(report);
  log(
    `${label.padEnd(14)} ${String(n).padStart(7)} msgs in ${elapsed.toFixed(1)} s (detector listening → last ACK) = ${(n / elapsed).toFixed(0)} msg/s; ` +
      `exact TP ${r.exact.tp} FP ${r.exact.fp} FN ${r.exact.fn} F3 ${r.exact.f3.toFixed(4)} (NHS ${r.exact.nhs.f3.toFixed(4)}); ` +
      `page latency p50 ${(r.latency.p50 * 1000).toFixed(1)} ms p90 ${(r.latency.p90 * 1000).toFixed(1)} ms p99 ${(r.latency.p99 * 1000).toFixed(1)} ms max ${(r.latency.max * 1000).toFixed(1)} ms (${r.latency.count} pages); ` +
      `RSS end ${(rss / 2 ** 20).toFixed(0)} MB peak ${(peakRss / 2 ** 20).toFixed(0)} MB; process up and listening after ${listenMs.toFixed(0)} ms`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(path.join(data, 'messages.mllp'))) {
    const t = performance.now();
    execFileSync(process.execPath, [BIN, 'generate', '--seed', values.seed, '--days', values.days, '--history', values.history, '--out', data], { stdio: 'inherit' });
    log(`generated ${values.days} days in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const all = path.join(data, 'messages.mllp');
  const frames = readMllpFile(all).frames;
  const histBytes = readFileSync(path.join(data, 'history.csv')).length;
  log(`stream: ${frames.length} messages; history.csv ${(histBytes / 1024).toFixed(0)} KiB; node ${process.version}; ${os.cpus().length} cores; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  // 1. the ceiling
  {
    const report = path.join(tmp, 'report-bare');
    const sim = await startSim(all, report);
    const t0 = performance.now();
    void bareClient(sim.mllp);
    const elapsed = ((await sim.replayed) - t0) / 1000;
    await sim.exited;
    log(`${'bare ACK-only'.padEnd(14)} ${String(frames.length).padStart(7)} msgs in ${elapsed.toFixed(1)} s = ${(frames.length / elapsed).toFixed(0)} msg/s`);
  }
  // 2. full (optionally on a prefix)
  const limit = values['full-limit'] ? Math.min(frames.length, Number(values['full-limit'])) : frames.length;
  let fullFile = all;
  if (limit < frames.length) {
    fullFile = path.join(tmp, 'prefix.mllp');
    writeFileSync(fullFile, Buffer.concat(frames.slice(0, limit).map((f) => encodeFrame(f))));
  }
  await runDetector('detect full', fullFile, limit, 'full');
  // 3. normal
  await runDetector('detect normal', all, frames.length, 'normal');
  if (!values.keep) rmSync(tmp, { recursive: true, force: true });
}

await main();
