/** Test helpers for the simulator: start it in-process on port 0, MLLP client connections, HTTP. */
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../src/core/config.js';
import { command, configFromArgs } from '../src/cli/simulate.js';
import { startSimulator, type RunningSimulator } from '../src/simulator/simulator.js';
import { tracked } from './children.js';

export const SB = 0x0b;
export const EB = 0x1c;
export const CR = 0x0d;

export function frameBytes(text: string): Buffer {
  return Buffer.concat([Buffer.from([SB]), Buffer.from(text, 'latin1'), Buffer.from([EB, CR])]);
}

export function tmpDir(prefix = 'sim-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface StartedSim {
  readonly sim: RunningSimulator;
  readonly mllp: number;
  readonly pager: number;
  readonly backstage: number;
  readonly logs: string[];
}

/** Starts the simulator in this process with CLI flags (ports default to 0). */
export async function startSim(argv: readonly string[], cwd: string): Promise<StartedSim> {
  const args = parseArgs(command.spec, ['--mllp=0', '--pager=0', '--backstage=0', ...argv], {});
  const logs: string[] = [];
  const cfg = configFromArgs(args, { cwd }, (l) => logs.push(l));
  const sim = await startSimulator(cfg);
  const g = sim.groups[0];
  if (!g) throw new Error('no group');
  return { sim, mllp: g.mllpPort, pager: g.pagerPort, backstage: sim.backstagePort, logs };
}

export type ConnEvent = { type: 'frame'; text: string } | { type: 'close' } | { type: 'timeout' };

/** An MLLP client connection that queues frames and the close. */
export class Conn {
  private buf = Buffer.alloc(0);
  private events: ConnEvent[] = [];
  private waiter: (() => void) | null = null;
  private closed = false;
  sock!: net.Socket;

  open(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sock = net.createConnection({ host: '127.0.0.1', port });
      this.sock.setNoDelay(true);
      let connected = false;
      this.sock.once('connect', () => {
        connected = true;
        resolve();
      });
      this.sock.once('error', (e) => {
        if (!connected) reject(e);
      });
      this.sock.on('data', (c: Buffer) => this.onData(c));
      this.sock.on('error', () => undefined);
      this.sock.on('end', () => this.push({ type: 'close' }));
      this.sock.on('close', () => this.push({ type: 'close' }));
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const s = this.buf.indexOf(SB);
      if (s < 0) {
        this.buf = Buffer.alloc(0);
        return;
      }
      if (s > 0) this.buf = this.buf.subarray(s);
      const e = this.buf.indexOf(EB, 1);
      if (e < 0 || e + 1 >= this.buf.length) return;
      this.push({ type: 'frame', text: this.buf.subarray(1, e).toString('latin1') });
      this.buf = this.buf.subarray(e + 2);
    }
  }

  private push(ev: ConnEvent): void {
    if (ev.type === 'close') {
      if (this.closed) return;
      this.closed = true;
    }
    this.events.push(ev);
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async next(timeoutMs = 5000): Promise<ConnEvent> {
    if (!this.events.length) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((r) => {
          this.waiter = r;
        }),
        new Promise<void>((r) => {
          timer = setTimeout(r, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    return this.events.shift() ?? { type: 'timeout' };
  }

  write(buf: Buffer): Promise<void> {
    return new Promise((r) => this.sock.write(buf, () => r()));
  }

  end(): void {
    this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
  }
}

export function httpRequest(opts: { port: number; method?: string; path?: string; body?: string | null; headers?: Record<string, string>; timeoutMs?: number }): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders } | { error: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    let payload: Buffer | null = null;
    if (opts.body !== null && opts.body !== undefined) {
      payload = Buffer.from(opts.body, 'latin1');
      headers['Content-Type'] = 'text/plain';
      headers['Content-Length'] = payload.length;
    }
    const req = http.request({ host: '127.0.0.1', port: opts.port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1'), headers: res.headers }));
    });
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    if (payload) req.write(payload);
    req.end();
  });
}

export interface ParsedMetrics {
  values: Record<string, number>;
  labels: Record<string, string>;
  order: string[];
  all: { name: string; labels: string; value: number }[];
}

/** Prometheus text: the first sample of each name in `values`, every sample in `all`. */
export function parseMetrics(text: string): ParsedMetrics {
  const values: Record<string, number> = {};
  const labels: Record<string, string> = {};
  const order: string[] = [];
  const all: ParsedMetrics['all'] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z0-9_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable metrics line: ${JSON.stringify(line)}`);
    const name = m[1] as string;
    all.push({ name, labels: m[2] ?? '', value: Number(m[3]) });
    if (name in values) continue;
    order.push(name);
    values[name] = Number(m[3]);
    labels[name] = m[2] ?? '';
  }
  return { values, labels, order, all };
}

export async function metrics(port: number, p = '/metrics'): Promise<ParsedMetrics> {
  const r = await httpRequest({ port, path: p });
  if ('error' in r || r.status !== 200) throw new Error(`metrics: ${JSON.stringify(r)}`);
  return parseMetrics(r.body);
}

/** Polls until `pred` holds (bounded), for state that changes asynchronously. */
export async function until<T>(f: () => Promise<T>, pred: (x: T) => boolean, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const x = await f();
    if (pred(x)) return x;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(x).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const ACK = 'MSH|^~\\&|||||20240101000000||ACK|||2.5\rMSA|AA\r';

export interface SpawnedSim {
  readonly proc: ChildProcess;
  readonly mllp: number;
  readonly pager: number;
  readonly backstage: number;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `swemls simulate` and waits for its `listening` line (first group). */
export async function spawnSim(argv: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<SpawnedSim> {
  const { spawn } = await import('node:child_process');
  const bin = path.resolve('bin/swemls.js');
  const proc = tracked(spawn(process.execPath, [bin, 'simulate', '--mllp=0', '--pager=0', '--backstage=0', ...argv], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  const ports = await new Promise<{ mllp: number; pager: number; backstage: number }>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      err += d.toString();
      const m = /listening mllp=[^ ]*:(\d+) pager=[^ ]*:(\d+) backstage=[^ ]*:(\d+)/.exec(err);
      if (m) resolve({ mllp: Number(m[1]), pager: Number(m[2]), backstage: Number(m[3]) });
    };
    proc.stderr.on('data', onData);
    proc.stdout.resume();
    void exited.then((e) => reject(new Error(`simulator exited before listening: ${JSON.stringify(e)}\n${err}`)));
  });
  return { proc, ...ports, stderr: () => err, exited };
}
