/**
 * Test doubles and helpers for the detector's end-to-end tests: a hospital feed that replays
 * frames over MLLP one at a time (waiting for each ACK, keeping its position across
 * connections, like `swemls simulate --rewind=false`), a pager that records pages and can
 * fail or hang on demand, exact scoring, and spawning `swemls detect` as a real process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createMllpServer, Hl7Error, type MllpConnection, type MllpServer } from '../src/hl7/index.js';
import { tracked } from './children.js';

export const BIN = path.resolve('bin/swemls.js');

/** The feed double. */
export interface FeedDouble extends EventEmitter<{ progress: [position: number]; done: []; connection: [] }> {
  readonly port: number;
  /** Index of the next message to send (all before it were acknowledged). */
  position: number;
  /** ACK wait timeouts (the reference drops a client that waits 10 s: a stalled feed). */
  timeouts: number;
  connections: number;
  /** ACK payloads received, by message index (the last one for each). */
  readonly acks: Map<number, string>;
  /** Resolves when every message was acknowledged. */
  readonly done: Promise<void>;
  /** Resolves once `position` reaches `n` (or the end). */
  reach(n: number): Promise<void>;
  /** Stops listening and drops the client (the hospital goes away). */
  close(): Promise<void>;
}

/** Starts a feed double on `port` (0: any) replaying `frames` from `start`. */
export async function startFeedDouble(frames: readonly Buffer[], options: { port?: number; start?: number; ackTimeoutMs?: number; state?: { position: number; timeouts: number } } = {}): Promise<FeedDouble> {
  const emitter = new EventEmitter() as FeedDouble;
  const state = options.state ?? { position: options.start ?? 0, timeouts: 0 };
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  const acks = new Map<number, string>();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let current: MllpConnection | undefined;
  let connections = 0;
  if (state.position >= frames.length) resolveDone();

  const serve = async (conn: MllpConnection): Promise<void> => {
    while (state.position < frames.length && current === conn && !conn.closed) {
      const i = state.position;
      let reply: Buffer;
      try {
        reply = await conn.request(frames[i] as Buffer, ackTimeoutMs);
      } catch (err) {
        if (err instanceof Hl7Error && err.code === 'HL7_ERR_TIMEOUT') {
          state.timeouts++;
          void conn.close(50);
        }
        return;
      }
      acks.set(i, reply.toString('latin1'));
      if (state.position === i) state.position = i + 1;
      emitter.emit('progress', state.position);
    }
    if (state.position >= frames.length) {
      resolveDone();
      emitter.emit('done');
    }
  };

  const server: MllpServer = await createMllpServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    onConnection(conn) {
      connections++;
      const old = current;
      current = conn;
      if (old && !old.closed) void old.close(50);
      emitter.emit('connection');
      void serve(conn);
    },
  });

  Object.defineProperties(emitter, {
    port: { value: server.port },
    position: { get: () => state.position, set: (v: number) => (state.position = v) },
    timeouts: { get: () => state.timeouts },
    connections: { get: () => connections },
    acks: { value: acks },
    done: { value: done },
  });
  emitter.reach = (n: number) =>
    new Promise<void>((resolve) => {
      if (state.position >= Math.min(n, frames.length)) return resolve();
      const on = (p: number): void => {
        if (p >= Math.min(n, frames.length)) {
          emitter.off('progress', on);
          resolve();
        }
      };
      emitter.on('progress', on);
    });
  emitter.close = () => {
    current = undefined;
    return server.close();
  };
  return emitter;
}

export type PagerMode = 'ok' | 'error' | 'hang';

/** The pager double. */
export interface PagerDouble extends EventEmitter<{ page: [body: string] }> {
  readonly port: number;
  mode: PagerMode;
  /** Bodies of pages answered 200, in order (duplicates kept). */
  readonly pages: string[];
  /** When each of `pages` was answered (Date.now(), ms). */
  readonly pageTimes: number[];
  /** Requests answered 500 or left hanging. */
  refused: number;
  /** Resolves once `n` pages were accepted. */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

const BODY = /^\d+,\d{12}(\d{2})?$/;

/** A pager like the course's: `MRN,TIMESTAMP` bodies → 200 `ok\n`; a bad body → 400. */
export async function startPagerDouble(): Promise<PagerDouble> {
  const emitter = new EventEmitter() as PagerDouble;
  const pages: string[] = [];
  const pageTimes: number[] = [];
  const hanging = new Set<http.ServerResponse>();
  emitter.mode = 'ok';
  emitter.refused = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (emitter.mode === 'hang') {
        emitter.refused++;
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (emitter.mode === 'error') {
        emitter.refused++;
        res.writeHead(500).end('down\n');
        return;
      }
      if (req.url !== '/page' || !BODY.test(body)) {
        res.writeHead(400).end('bad page\n');
        return;
      }
      pages.push(body);
      pageTimes.push(Date.now());
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      emitter.emit('page', body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.defineProperties(emitter, { port: { value: (server.address() as AddressInfo).port }, pages: { value: pages }, pageTimes: { value: pageTimes } });
  emitter.waitFor = (n) =>
    new Promise<void>((resolve) => {
      if (pages.length >= n) return resolve();
      const on = (): void => {
        if (pages.length >= n) {
          emitter.off('page', on);
          resolve();
        }
      };
      emitter.on('page', on);
    });
  emitter.close = () =>
    new Promise<void>((r) => {
      for (const res of hanging) res.destroy();
      server.close(() => r());
      server.closeAllConnections();
    });
  return emitter;
}

/** Expected pages and the NHS baseline from an `aki.csv` with `mrn,date,aki,nhs`. */
export interface Expected {
  readonly akis: ReadonlySet<string>;
  readonly nhs: { tp: number; fp: number; fn: number; f3: number };
}

/** `2024-02-01 15:35:00` → `20240201153500`. */
export function csvDateToHl7(text: string): string {
  return text.replace(/[-: ]/g, '').padEnd(14, '0');
}

export function f3(tp: number, fp: number, fn: number): number {
  const p = tp + fp === 0 ? 0 : tp / (tp + fp);
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  return p + r === 0 ? 0 : (10 * p * r) / (9 * p + r);
}

export function readExpected(akiCsv: string): Expected {
  const lines = akiCsv.trim().split(/\r?\n/);
  const header = (lines.shift() ?? '').split(',');
  const ia = header.indexOf('aki');
  const inh = header.indexOf('nhs');
  const akis = new Set<string>();
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const line of lines) {
    const c = line.split(',');
    const key = `${c[0]},${csvDateToHl7(c[1] ?? '')}`;
    const aki = ia < 0 || c[ia] === 'y' || c[ia] === '1';
    const nhs = inh >= 0 && (c[inh] === 'y' || c[inh] === '1');
    if (aki) akis.add(key);
    if (aki && nhs) tp++;
    else if (!aki && nhs) fp++;
    else if (aki && !nhs) fn++;
  }
  return { akis, nhs: { tp, fp, fn, f3: f3(tp, fp, fn) } };
}

/** Exact scoring over distinct (MRN, time) pairs. */
export function scoreExact(pages: readonly string[], expected: Expected): { tp: number; fp: number; fn: number; f3: number; distinct: number; duplicates: number } {
  const distinct = new Set(pages.map((p) => p.replace(/,(\d{12})$/, (_m, t: string) => `,${t}00`)));
  let tp = 0;
  for (const k of distinct) if (expected.akis.has(k)) tp++;
  const fp = distinct.size - tp;
  const fn = expected.akis.size - tp;
  return { tp, fp, fn, f3: f3(tp, fp, fn), distinct: distinct.size, duplicates: pages.length - distinct.size };
}

/** A running `swemls detect` process. */
export interface DetectorProcess {
  readonly child: ChildProcess;
  readonly metricsPort: number;
  /** Lines the process wrote to stderr (JSON logs). */
  readonly logs: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  metrics(): Promise<string>;
  /** Resolves at the next log line (from now on) matching `re`; rejects, with the last lines, after `ms`. */
  nextLog(re: RegExp, ms?: number): Promise<string>;
}

/** Spawns `swemls detect` and resolves once it prints its `listening metrics=` line. */
export function spawnDetector(args: readonly string[], env: Record<string, string> = {}): Promise<DetectorProcess> {
  const child = tracked(
    spawn(process.execPath, [BIN, 'detect', '--metrics-port', '0', '--metrics-host', '127.0.0.1', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', ...env },
    }),
  );
  const logs: string[] = [];
  const stderrLines = createInterface({ input: child.stderr! });
  stderrLines.on('line', (l) => logs.push(l));
  const nextLog = (re: RegExp, ms = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stderrLines.off('line', on);
        reject(new Error(`no detector log line matching ${re} within ${ms} ms; the last lines:\n${logs.slice(-8).join('\n')}`));
      }, ms);
      const on = (l: string): void => {
        if (!re.test(l)) return;
        clearTimeout(timer);
        stderrLines.off('line', on);
        resolve(l);
      };
      stderrLines.on('line', on);
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const m = /^listening metrics=([^\s:]+):(\d+)/.exec(line);
      if (!m) return;
      const metricsPort = Number(m[2]);
      resolve({
        child,
        metricsPort,
        logs,
        exited,
        nextLog,
        metrics: () =>
          new Promise<string>((res, rej) => {
            http
              .get({ host: '127.0.0.1', port: metricsPort, path: '/metrics' }, (r) => {
                let t = '';
                r.setEncoding('utf8');
                r.on('data', (c: string) => (t += c));
                r.on('end', () => res(t));
              })
              .on('error', rej);
          }),
      });
    });
    void exited.then((e) => reject(new Error(`detector exited before listening (${JSON.stringify(e)}): ${logs.slice(-5).join('\n')}`)));
  });
}

/** Polls the detector's /metrics until `done` holds (at most `ms`); returns the text that satisfied it. */
export async function waitForMetrics(det: DetectorProcess, done: (text: string) => boolean, ms = 30_000): Promise<string> {
  const deadline = performance.now() + ms;
  for (;;) {
    const text = await det.metrics();
    if (done(text)) return text;
    if (performance.now() > deadline) throw new Error(`detector metrics did not reach the expected state within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A pager double's pages as page → the times it was answered. */
export function receiptsOf(pager: Pick<PagerDouble, 'pages' | 'pageTimes'>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  pager.pages.forEach((body, i) => out.set(body, [...(out.get(body) ?? []), pager.pageTimes[i] as number]));
  return out;
}

/**
 * Pages received more than once whose first receipt was not in flight at a kill (`kills`:
 * Date.now() of each SIGKILL). Delivery is at least once: a page the pager took in the moment
 * before the detector recorded it (SIGKILL between the pager's 200 and the commit) is sent again
 * after the restart, and that is the only repeat allowed (a miss costs nine times a repeat).
 */
export function repeatsNotAtAKill(receipts: ReadonlyMap<string, readonly number[]>, kills: readonly number[], windowMs = 2000): string[] {
  return [...receipts]
    .filter(([, times]) => times.length > 1 && !kills.some((k) => k - (times[0] as number) >= 0 && k - (times[0] as number) <= windowMs))
    .map(([key, times]) => `${key}×${times.length}`);
}

/** Reads a metric's value from Prometheus text (sum over series matching the label filter). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) continue;
    sum += Number(m[3]);
    found = true;
  }
  return found ? sum : Number.NaN;
}

/** A running `swemls simulate` process. */
export interface SimulatorProcess {
  readonly child: ChildProcess;
  readonly mllp: HostPortText;
  readonly pager: HostPortText;
  readonly backstage: HostPortText;
  readonly out: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The backstage /metrics text. */
  metrics(): Promise<string>;
}

export type HostPortText = string;

/** Spawns `swemls simulate` with ports 0 and resolves once it prints its `listening` line. */
export function spawnSimulator(args: readonly string[]): Promise<SimulatorProcess> {
  const child = tracked(
    spawn(process.execPath, [BIN, 'simulate', '--mllp', '0', '--pager', '0', '--backstage', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    }),
  );
  const out: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    // The listening line may come on either stream.
    const onLine = (line: string): void => {
      out.push(line);
      const m = /listening mllp=(\S+) pager=(\S+) backstage=(\S+)/.exec(line);
      if (!m) return;
      const backstage = m[3] as string;
      resolve({
        child,
        mllp: m[1] as string,
        pager: m[2] as string,
        backstage,
        out,
        exited,
        metrics: () => httpGet(backstage, '/metrics'),
      });
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then((e) => reject(new Error(`simulator exited before listening (${JSON.stringify(e)}): ${out.slice(-5).join('\n')}`)));
  });
}

/** GET a path from HOST:PORT; resolves with the body. */
export function httpGet(hostPort: string, urlPath: string): Promise<string> {
  const i = hostPort.lastIndexOf(':');
  return new Promise<string>((res, rej) => {
    http
      .get({ host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)), path: urlPath }, (r) => {
        let t = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (t += c));
        r.on('end', () => res(t));
      })
      .on('error', rej);
  });
}
