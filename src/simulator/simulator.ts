/**
 * The hospital simulator: per group, an MLLP server that replays the messages to one client at
 * a time, a pager (HTTP) that takes pages, and both scorings; one backstage HTTP server for
 * every group (status pages, `/metrics`, `/healthy`, admin actions, the live report).
 */
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { monotonicMs, wallNow } from '../core/clock.js';
import { createRng } from '../core/random.js';
import type { AkiTable, LoadedMessages, ReplayMessage } from './data.js';
import { GroupState, type SimEvent } from './group-state.js';
import { EventLog } from './event-log.js';
import { Session, readReplyShape, type ReplyOutcome } from './session.js';
import { parsePageBody } from './pager.js';
import { ZERO_TIME } from './scoring-compatible.js';
import { renderPagerMetrics, type GroupView } from './metrics-text.js';
import { corruptMessage, createFaultInjector, faultCounterKeys, fragmentFrame, isEmptyFaultPlan, type FaultInjector, type FaultPlan } from './faults.js';
import { buildReport, type SimulatorReport } from './report-data.js';
import { handleBackstage } from './backstage.js';
import { readBody } from './http-util.js';
import { renderReportHtml } from './report.js';
import { encodeFrame } from '../hl7/index.js';

export interface GroupConfig {
  readonly name: string;
  readonly mllp: number;
  readonly pager: number;
}

export interface SimulatorConfig {
  readonly messagesFile: string;
  readonly akisFile: string;
  readonly data: LoadedMessages;
  readonly akis: AkiTable;
  readonly groups: readonly GroupConfig[];
  readonly addr: string;
  readonly backstage: number;
  readonly stateDir?: string;
  /** Every new connection starts from the first message. */
  readonly rewind: boolean;
  /** Simulated seconds per real second when paced (replay in real time = 1); null = as fast as ACKed. */
  readonly speed: number | null;
  /** Pin of the clock: simulated time at a given real time. */
  readonly pin?: { readonly simulated: number; readonly real: number };
  readonly onNak: 'resend' | 'advance';
  readonly maxResends: number;
  readonly readTimeoutMs: number;
  readonly maxReplyBytes: number;
  readonly maxPageBodyBytes: number;
  readonly headerTimeoutMs: number;
  readonly adminToken?: string;
  readonly faultPlan?: FaultPlan;
  readonly seed: number;
  /** `fsync`: every event is on disk (group commit) before the next exchange or page answer. */
  readonly stateSync: 'fsync' | 'write';
  readonly reportDir?: string;
  /** Resolve `done` after every group has replayed every message and this grace period passed. */
  readonly exitWhenDoneGraceMs?: number;
  readonly log: (line: string) => void;
}

/** A precise wall clock (ms, fractional): the latencies are sub-millisecond on loopback. */
function createPreciseNow(): () => number {
  const wall0 = wallNow();
  const mono0 = monotonicMs();
  return () => wall0 + (monotonicMs() - mono0);
}

const RECENT_EVENTS = 200;

export class GroupRuntime implements GroupView {
  readonly state: GroupState;
  readonly name: string;
  mllpServer!: net.Server;
  pagerServer!: http.Server;
  mllpPort = 0;
  pagerPort = 0;
  private current: Session | null = null;
  private waiting: net.Socket[] = [];
  private wakeLoop: (() => void) | null = null;
  private abortPacing: (() => void) | null = null;
  private log: EventLog | null = null;
  private closing = false;
  private epoch = 0;
  connectedSince: number | null = null;
  readonly recent: SimEvent[] = [];
  private loopDone: Promise<void> = Promise.resolve();
  private injector: FaultInjector | null;
  private readonly attempts = new Map<number, number>();
  private doneListeners: (() => void)[] = [];
  private readonly defaultStartSim: number;

  constructor(
    private readonly cfg: SimulatorConfig,
    private readonly group: GroupConfig,
    private readonly now: () => number,
  ) {
    this.name = group.name;
    this.defaultStartSim = cfg.data.startSimulatedTime;
    const real0 = now();
    const sim0 = cfg.pin ? real0 + (cfg.pin.simulated - cfg.pin.real) : this.defaultStartSim;
    this.state = new GroupState(cfg.data.messages, cfg.akis, sim0, real0);
    this.injector = cfg.faultPlan && !isEmptyFaultPlan(cfg.faultPlan) ? createFaultInjector(cfg.faultPlan, createRng(cfg.seed).stream(`group/${group.name}`)) : null;
    if (cfg.stateDir) {
      const opened = EventLog.open(cfg.stateDir, group.name);
      this.log = opened.log;
      for (const e of opened.events) {
        this.state.apply(e);
        if (e.type !== 'write' && e.type !== 'reply') this.recent.push(e);
      }
      this.recent.splice(0, Math.max(0, this.recent.length - RECENT_EVENTS));
      if (opened.source !== 'new') cfg.log(`${group.name}: resumed from ${opened.source === 'reference' ? 'a reference-format log' : 'its event log'}: ${opened.events.length} events, position ${this.state.position}${opened.skipped ? `, ${opened.skipped} unreadable lines skipped` : ''}`);
      if (opened.source === 'new') {
        // The time base must survive a kill at any instant, even before the first client.
        this.emit({ type: 'rewind', real: real0, sim: sim0 });
        opened.log.syncNow();
      }
    }
  }

  /** Appends to the durable log, then applies. */
  emit(e: SimEvent): void {
    this.log?.append(e);
    this.state.apply(e);
    if (e.type !== 'write' && e.type !== 'reply') {
      this.recent.push(e);
      if (this.recent.length > RECENT_EVENTS * 2) this.recent.splice(0, this.recent.length - RECENT_EVENTS);
    }
    if (e.type === 'reply' && this.state.done) this.notifyDone();
  }

  /** Makes every event so far durable (write: in the kernel; fsync: on disk) before the next visible step. */
  private async commit(): Promise<void> {
    if (!this.log) return;
    if (this.cfg.stateSync === 'fsync') await this.log.sync();
    else this.log.flush();
  }

  connected(): boolean {
    return this.current !== null;
  }

  simulatedNow(): number {
    return this.state.simulatedAt(this.now(), this.cfg.speed ?? 1);
  }

  queue(): number {
    const msgs = this.state.messages;
    if (this.cfg.speed === null) return msgs.length - this.state.position;
    const simNow = this.simulatedNow();
    let n = 0;
    for (let i = this.state.position; i < msgs.length; i++) {
      const t = (msgs[i] as ReplayMessage).mshTime;
      if (!(t <= simNow) && Number.isFinite(t)) break;
      n++;
    }
    return n;
  }

  onDone(f: () => void): void {
    if (this.state.done) f();
    else this.doneListeners.push(f);
  }

  private notifyDone(): void {
    const ls = this.doneListeners;
    this.doneListeners = [];
    for (const f of ls) f();
  }

  async listen(): Promise<void> {
    this.mllpServer = net.createServer((sock) => this.onConnection(sock));
    this.pagerServer = http.createServer({ connectionsCheckingInterval: Math.max(50, Math.min(1000, this.cfg.headerTimeoutMs / 4)) }, (req, res) => void this.onPager(req, res));
    this.pagerServer.headersTimeout = this.cfg.headerTimeoutMs;
    this.pagerServer.requestTimeout = this.cfg.headerTimeoutMs * 2;
    this.pagerServer.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT';
      if (timeout) this.fail('a pager client did not send its request in time; connection closed');
      if (socket.writable) socket.end(timeout ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.mllpPort = await listenOn(this.mllpServer, this.cfg.addr, this.group.mllp);
    this.pagerPort = await listenOn(this.pagerServer, this.cfg.addr, this.group.pager);
    this.loopDone = this.loop();
  }

  private onConnection(sock: net.Socket): void {
    if (this.closing) {
      sock.destroy();
      return;
    }
    sock.on('error', () => undefined);
    const drop = (): void => {
      const i = this.waiting.indexOf(sock);
      if (i >= 0) this.waiting.splice(i, 1);
    };
    sock.once('close', drop);
    this.waiting.push(sock);
    this.abortPacing?.();
    const w = this.wakeLoop;
    this.wakeLoop = null;
    w?.();
  }

  private async nextSocket(): Promise<net.Socket | null> {
    for (;;) {
      if (this.closing) return null;
      if (this.waiting.length) {
        const sock = this.waiting.pop() as net.Socket;
        for (const older of this.waiting.splice(0)) older.destroy();
        if (sock.destroyed) continue;
        return sock;
      }
      await new Promise<void>((r) => {
        this.wakeLoop = r;
      });
    }
  }

  private async loop(): Promise<void> {
    for (;;) {
      const sock = await this.nextSocket();
      if (!sock) return;
      try {
        await this.serve(sock);
      } catch (err) {
        this.emit({ type: 'error', real: this.now(), text: `internal error serving ${sock.remoteAddress}: ${(err as Error).message}` });
        sock.destroy();
      }
    }
  }

  /** Makes every event so far durable (per --state-sync) before an admin action is answered. */
  persist(): Promise<void> {
    return this.commit();
  }

  /** Rewinds (admin button, or a new connection with --rewind). */
  rewind(): void {
    this.epoch++;
    this.attempts.clear();
    this.emit({ type: 'rewind', real: this.now(), sim: this.defaultStartSim });
  }

  /** Replaces the fault plan (admin action); an empty plan turns faults off. Takes effect from the next message. */
  setFaultPlan(plan: FaultPlan): void {
    this.injector = isEmptyFaultPlan(plan) ? null : createFaultInjector(plan, createRng(this.cfg.seed).stream(`group/${this.name}/admin`));
    this.emit({ type: 'error', real: this.now(), text: `admin: fault plan ${this.injector ? 'replaced' : 'cleared'}` });
  }

  /** Drops the current connection (admin button). */
  disconnect(): boolean {
    const s = this.current;
    if (!s) return false;
    s.destroy();
    s.abort();
    return true;
  }

  private fail(text: string): void {
    this.emit({ type: 'error', real: this.now(), text });
  }

  private async serve(sock: net.Socket): Promise<void> {
    const s = new Session(sock, this.cfg.maxReplyBytes);
    // A client that goes (or is cut off) while the replay waits for a message's time is noticed at once.
    sock.once('close', () => {
      if (this.current === s) this.abortPacing?.();
    });
    this.current = s;
    this.connectedSince = this.now();
    this.emit({ type: 'connect', real: this.now(), peer: s.peer });
    let reason = 'client closed the connection';
    try {
      if (this.cfg.rewind) this.rewind();
      await this.commit();
      const messages = this.state.messages;
      for (;;) {
        if (this.closing) {
          reason = 'simulator shutting down';
          break;
        }
        if (s.closed) {
          if (s.failed) {
            this.fail(`client ${s.peer}: ${s.failed}`);
            reason = 'misbehaving client';
          }
          break;
        }
        if (this.waiting.length) {
          reason = 'a newer connection took over';
          break;
        }
        if (this.state.done) {
          reason = 'end of messages';
          break;
        }
        const index = this.state.position;
        const m = messages[index] as ReplayMessage;
        if (this.cfg.speed !== null && Number.isFinite(m.mshTime)) {
          const waitMs = (m.mshTime - this.simulatedNow()) / this.cfg.speed;
          if (waitMs > 0) {
            await this.pace(waitMs);
            continue; // re-check takeover, shutdown and due time
          }
        }
        const fast = this.injector === null && this.cfg.speed === null && (this.log === null || this.cfg.stateSync === 'write');
        const outcome = fast ? await this.runFast(s) : await this.exchange(s, m);
        if (outcome !== 'ok') {
          reason = outcome;
          break;
        }
        if (this.log) await this.commit();
      }
    } finally {
      if (!s.closed) s.close();
      s.abort();
      this.current = null;
      this.connectedSince = null;
      this.emit({ type: 'disconnect', real: this.now(), reason });
      await this.commit();
    }
  }

  private pace(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.abortPacing = () => {
        this.abortPacing = null;
        done();
      };
    });
  }

  /**
   * Writes message `m` and handles its reply. Returns 'ok' to go on, or why the connection ends.
   */
  private async exchange(s: Session, m: ReplayMessage): Promise<string> {
    // A message's faults are injected once: a dropped message is not dropped again when resent.
    const faults = this.injector && !this.state.faulted.has(m.index) ? this.injector.decide(m.index) : null;
    let frame = m.frame;
    if (faults) {
      for (const kind of faultCounterKeys(faults)) this.emit({ type: 'fault', real: this.now(), kind, index: m.index });
      if (faults.delayMs > 0) {
        await this.pace(faults.delayMs);
        if (s.closed || this.closing) return 'client closed the connection';
      }
      if (faults.corrupt) frame = encodeFrame(corruptMessage(faults.corrupt, m.frame.subarray(1, m.frame.length - 2), createRng(`${this.cfg.seed}/${this.name}/corrupt/${m.index}`)));
    }
    const unsolicited = s.discardUnsolicited();
    if (unsolicited) this.fail(`${unsolicited} reply frame(s) arrived with no message in flight; ignored`);
    const epoch = this.epoch;
    if (faults && faults.fragments > 1) {
      for (const piece of fragmentFrame(frame, faults.fragments, createRng(`${this.cfg.seed}/${this.name}/fragment/${m.index}`))) {
        s.write(piece);
        await new Promise<void>((r) => setImmediate(r));
      }
    } else {
      s.write(frame);
    }
    this.emit({ type: 'write', real: this.now(), index: m.index });
    if (faults?.dropConnection) {
      s.destroy();
      return 'fault: connection dropped after writing the message';
    }
    const r = await s.nextReply(this.cfg.readTimeoutMs);
    const outcome = this.handleReply(m, r, epoch);
    if (outcome === 'ok' && faults?.duplicate) return (await this.duplicate(s, m)) ? 'ok' : 'client closed the connection';
    return outcome;
  }

  /**
   * The fast path (no faults, no pacing, no log or `--state-sync write`): each reply is handled and the next
   * message written inside the socket's data callback, with no promise or timer per message.
   * Resolves with 'ok' when the slow path must take over again, or why the connection ends.
   */
  private runFast(s: Session): Promise<string> {
    const messages = this.state.messages;
    const timeout = this.cfg.readTimeoutMs;
    return new Promise((resolve) => {
      // One closure for the whole run of exchanges; the message in flight is in `m`/`epoch`.
      let m = messages[this.state.position] as ReplayMessage;
      let epoch = this.epoch;
      const onReply = (r: ReplyOutcome): void => {
        const outcome = this.handleReply(m, r, epoch);
        if (outcome !== 'ok') return resolve(outcome);
        if (this.closing || s.closed || this.waiting.length > 0 || this.state.done) return resolve('ok');
        step();
      };
      const step = (): void => {
        if (s.hasUnsolicited()) return resolve('ok');
        m = messages[this.state.position] as ReplayMessage;
        epoch = this.epoch;
        this.log?.flush(); // the previous reply is in the kernel before the next message goes out
        s.write(m.frame);
        this.emit({ type: 'write', real: this.now(), index: m.index });
        s.onReply(timeout, onReply);
      };
      step();
    });
  }

  /** What a reply means; emits the reply and error events. Returns 'ok' or why the connection ends. */
  private handleReply(m: ReplayMessage, r: ReplyOutcome, epoch: number): string {
    const real = this.now();
    if (r.kind === 'closed') return 'client closed the connection';
    if (r.kind === 'aborted') return this.closing ? 'simulator shutting down' : 'disconnected by an admin';
    if (r.kind === 'timeout') {
      this.fail(`no reply to message ${m.index} within ${this.cfg.readTimeoutMs} ms`);
      return 'reply timeout';
    }
    if (r.kind === 'error') {
      this.fail(`bad reply to message ${m.index}: ${r.text}`);
      return 'bad reply';
    }
    if (epoch !== this.epoch) {
      this.fail(`reply to message ${m.index} arrived after a rewind; ignored`);
      return 'ok';
    }
    const first = r.frames[0];
    const shape = first && first.ok ? readReplyShape(first.payload) : { ok: false as const, reason: first ? first.error.message : 'no frame' };
    if (this.cfg.onNak === 'advance') {
      // The reference: any reply frame moves the position on before the reply is checked.
      this.emit({ type: 'reply', real, index: m.index, code: shape.ok ? shape.code : null, counted: true });
      if (!shape.ok) {
        this.fail(`bad reply to message ${m.index}: ${shape.reason}`);
        return 'bad reply';
      }
      if (r.frames.length > 1) {
        this.fail(`${r.frames.length} reply frames at once to message ${m.index} (multiple MSA messages)`);
        return 'several replies at once';
      }
      this.checkControlId(m, shape.acknowledges);
      return 'ok';
    }
    // --on-nak=resend: only a readable positive ACK moves on; a NAK is resent a bounded number of times.
    if (!shape.ok) {
      this.emit({ type: 'reply', real, index: m.index, code: null, counted: false, note: shape.reason });
      this.fail(`bad reply to message ${m.index}: ${shape.reason}`);
      return 'bad reply';
    }
    if (r.frames.length > 1) {
      this.emit({ type: 'reply', real, index: m.index, code: shape.code, counted: false, note: 'several replies at once' });
      this.fail(`${r.frames.length} reply frames at once to message ${m.index}`);
      return 'several replies at once';
    }
    this.checkControlId(m, shape.acknowledges);
    if (shape.code === 'AA' || shape.code === 'CA') {
      this.emit({ type: 'reply', real, index: m.index, code: shape.code, counted: true });
      this.attempts.delete(m.index);
      return 'ok';
    }
    const tries = (this.attempts.get(m.index) ?? 0) + 1;
    if (tries > this.cfg.maxResends) {
      this.attempts.delete(m.index);
      this.emit({ type: 'reply', real, index: m.index, code: shape.code, counted: true, note: `gave up after ${this.cfg.maxResends} resends` });
      this.fail(`message ${m.index} answered ${shape.code || '(empty code)'} ${tries} times; moving on`);
      return 'ok';
    }
    this.attempts.set(m.index, tries);
    this.emit({ type: 'reply', real, index: m.index, code: shape.code, counted: false, note: `negative acknowledgement; resend ${tries} of ${this.cfg.maxResends}` });
    return 'ok';
  }

  private checkControlId(m: ReplayMessage, acknowledges: string): void {
    if (m.controlId !== '' && acknowledges !== m.controlId) {
      this.fail(`ACK of message ${m.index} names control id '${acknowledges.slice(0, 40)}', expected '${m.controlId.slice(0, 40)}'`);
    }
  }

  /** A duplicate fault: the message again, its reply read and not scored. False if the peer went away. */
  private async duplicate(s: Session, m: ReplayMessage): Promise<boolean> {
    s.write(m.frame);
    const r = await s.nextReply(this.cfg.readTimeoutMs);
    if (r.kind === 'frames') return true;
    if (r.kind === 'timeout') this.fail(`no reply to the duplicate of message ${m.index}`);
    return false;
  }

  private async onPager(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const p = q >= 0 ? url.slice(0, q) : url;
    if (p === '/metrics') {
      req.resume();
      send(res, 200, renderPagerMetrics(this));
      return;
    }
    if (p !== '/page') {
      req.resume();
      send(res, 400, 'Bad Request\n');
      return;
    }
    const body = await readBody(req, this.cfg.maxPageBodyBytes);
    if (body === null) {
      this.fail(`page body larger than ${this.cfg.maxPageBodyBytes} bytes; refused`);
      await this.commit();
      send(res, 413, `page body larger than ${this.cfg.maxPageBodyBytes} bytes\n`, true);
      return;
    }
    const parsed = parsePageBody(body.toString('latin1'));
    if (!parsed.ok) {
      send(res, 400, 'Bad Request\n');
      return;
    }
    const fault = this.injector?.pagerFault(this.simulatedNow() - this.state.startSim) ?? null;
    if (fault) {
      this.emit({ type: 'fault', real: this.now(), kind: fault.kind === 'error500' ? 'pager_error500' : 'pager_hang', index: -1 });
      await this.commit();
      if (fault.kind === 'hang') await new Promise((r) => setTimeout(r, fault.ms).unref());
      send(res, fault.kind === 'error500' ? 500 : 503, fault.kind === 'error500' ? 'Internal Server Error (injected fault)\n' : 'Service Unavailable (injected hang)\n');
      return;
    }
    const time = parsed.time ?? this.state.lastResult.get(parsed.mrn) ?? ZERO_TIME;
    this.emit({ type: 'page', real: this.now(), mrn: parsed.mrn, time });
    await this.commit();
    send(res, 200, 'ok\n');
  }

  async close(): Promise<void> {
    this.closing = true;
    this.abortPacing?.();
    const w = this.wakeLoop;
    this.wakeLoop = null;
    w?.();
    for (const s of this.waiting.splice(0)) s.destroy();
    const cur = this.current;
    if (cur) {
      // As the reference: let the exchange in progress finish (its reply counts), up to the read timeout.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.loopDone, new Promise<void>((r) => (timer = setTimeout(r, this.cfg.readTimeoutMs)))]);
      clearTimeout(timer);
      cur.destroy();
      cur.abort();
    }
    await this.loopDone;
    await Promise.all([closeServer(this.mllpServer), closeServer(this.pagerServer)]);
    this.log?.close();
  }
}

function send(res: http.ServerResponse, status: number, body: string, close = false): void {
  if (res.headersSent) return;
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) };
  if (close) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

function listenOn(server: net.Server | http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server | http.Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) (server as http.Server).closeAllConnections();
  });
}

export interface RunningSimulator {
  readonly groups: readonly GroupRuntime[];
  readonly backstagePort: number;
  /** Resolves when --exit-when-done is met (never otherwise). */
  readonly done: Promise<void>;
  report(): SimulatorReport;
  writeReport(): Promise<string | null>;
  close(): Promise<void>;
}

/** Starts every group and the backstage server. */
export async function startSimulator(cfg: SimulatorConfig): Promise<RunningSimulator> {
  const now = createPreciseNow();
  const groups: GroupRuntime[] = [];
  for (const g of cfg.groups) groups.push(new GroupRuntime(cfg, g, now));
  const report = (): SimulatorReport => buildReport(cfg, groups, now());
  const backstage = http.createServer({ connectionsCheckingInterval: Math.max(50, Math.min(1000, cfg.headerTimeoutMs / 4)) }, (req, res) => void handleBackstage(req, res, { cfg, groups, report, now }));
  backstage.headersTimeout = cfg.headerTimeoutMs;
  backstage.requestTimeout = cfg.headerTimeoutMs * 2;
  try {
    for (const g of groups) await g.listen();
  } catch (err) {
    await Promise.all(groups.map((g) => g.close()));
    throw err;
  }
  const backstagePort = await listenOn(backstage, cfg.addr, cfg.backstage);
  for (const g of groups) cfg.log(`listening mllp=${cfg.addr}:${g.mllpPort} pager=${cfg.addr}:${g.pagerPort} backstage=${cfg.addr}:${backstagePort} group=${g.name}`);

  const writeReport = async (): Promise<string | null> => {
    if (!cfg.reportDir) return null;
    const r = report();
    fs.mkdirSync(cfg.reportDir, { recursive: true });
    const jsonPath = path.join(cfg.reportDir, 'report.json');
    fs.writeFileSync(jsonPath + '.tmp', JSON.stringify(r, null, 2) + '\n');
    fs.renameSync(jsonPath + '.tmp', jsonPath);
    await writeHtml(cfg.reportDir, r, cfg.log);
    return jsonPath;
  };

  let done: Promise<void> = new Promise<void>(() => undefined);
  if (cfg.exitWhenDoneGraceMs !== undefined) {
    const grace = cfg.exitWhenDoneGraceMs;
    done = Promise.all(groups.map((g) => new Promise<void>((r) => g.onDone(r)))).then(
      () =>
        new Promise<void>((r) => {
          cfg.log(`every group has replayed every message; waiting ${grace} ms for late pages`);
          setTimeout(r, grace);
        }),
    );
  }
  let closed = false;
  return {
    groups,
    backstagePort,
    done,
    report,
    writeReport,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(groups.map((g) => g.close()));
      await closeServer(backstage);
    },
  };
}

async function writeHtml(dir: string, r: SimulatorReport, log: (l: string) => void): Promise<void> {
  try {
    fs.writeFileSync(path.join(dir, 'report.html'), renderReportHtml(r));
  } catch (err) {
    log(`report.html not written: ${(err as Error).message}`);
  }
}
