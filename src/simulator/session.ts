/**
 * One MLLP client connection as the replay loop sees it: write a frame, then wait for the next
 * batch of reply frames (the frames one read brought), the peer closing, or a timeout.
 */
import type net from 'node:net';
import { MllpDecoder, type MllpFrame } from '../hl7/index.js';
import { monotonicMs } from '../core/clock.js';

export type ReplyOutcome =
  | { readonly kind: 'frames'; readonly frames: readonly MllpFrame[] }
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'error'; readonly text: string };

/**
 * Most reply frames kept while no message is in flight (they are dropped, counted, at the next
 * write). A peer that sends more — a flood while the replay waits for a message's time — is
 * cut off, so nothing it sends can grow the simulator's memory.
 */
export const MAX_UNSOLICITED_FRAMES = 1024;

export class Session {
  private readonly decoder: MllpDecoder;
  private batches: MllpFrame[][] = [];
  /** Frames in `batches` and their payload bytes. */
  private pendingFrames = 0;
  private pendingBytes = 0;
  private failure: string | null = null;
  private waiter: ((o: ReplyOutcome) => void) | null = null;
  /** A ticking check of the wait's age (no timer work per message); see arm(). */
  private timer: NodeJS.Timeout | null = null;
  private timerMs = 0;
  private waitStart = 0;
  closed = false;
  readonly peer: string;

  constructor(
    readonly socket: net.Socket,
    private readonly maxReplyBytes: number,
  ) {
    this.decoder = new MllpDecoder({ maxFrameBytes: maxReplyBytes });
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.onClose());
    socket.on('close', () => this.onClose());
    socket.on('end', () => this.onClose());
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    let frames: MllpFrame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.failure = (err as Error).message;
      this.wake({ kind: 'error', text: this.failure });
      return;
    }
    if (frames.length === 0) return;
    if (this.waiter) return this.wake({ kind: 'frames', frames });
    this.batches.push(frames);
    this.pendingFrames += frames.length;
    for (const f of frames) if (f.ok) this.pendingBytes += f.payload.length;
    if (this.pendingFrames > MAX_UNSOLICITED_FRAMES || this.pendingBytes > this.maxReplyBytes) {
      this.failure = `${this.pendingFrames} reply frames (${this.pendingBytes} bytes) with no message in flight: more than ${MAX_UNSOLICITED_FRAMES} frames or ${this.maxReplyBytes} bytes; connection closed`;
      this.batches = [];
      this.pendingFrames = 0;
      this.pendingBytes = 0;
      this.socket.destroy();
    }
  }

  /** Why the peer was cut off, if it was (a framing error or a flood). */
  get failed(): string | null {
    return this.failure;
  }

  private onClose(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.closed) return;
    this.closed = true;
    this.wake({ kind: 'closed' });
  }

  private wake(o: ReplyOutcome): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    w(o);
  }

  /** Drops reply frames that arrived while nothing was in flight. Returns how many. */
  discardUnsolicited(): number {
    let n = 0;
    for (const b of this.batches) n += b.length;
    this.batches = [];
    this.pendingFrames = 0;
    this.pendingBytes = 0;
    return n;
  }

  write(data: Buffer): void {
    if (!this.closed) this.socket.write(data);
  }

  /** True when reply frames arrived with no message in flight. */
  hasUnsolicited(): boolean {
    return this.batches.length > 0;
  }

  /** Calls `cb` (synchronously, from the socket's data event) with the next batch of reply frames or why there is none. */
  onReply(timeoutMs: number, cb: (o: ReplyOutcome) => void): void {
    const b = this.takeBatch();
    if (b) return cb({ kind: 'frames', frames: b });
    if (this.failure) return cb({ kind: 'error', text: this.failure });
    if (this.closed) return cb({ kind: 'closed' });
    this.waiter = cb;
    this.arm(timeoutMs);
  }

  /**
   * Starts the wait's clock. One interval per connection checks the age of the current wait
   * (ticks of 1/8 of the timeout, at most 250 ms late): re-arming a timer for every message
   * costs more than the rest of an exchange.
   */
  private arm(timeoutMs: number): void {
    this.waitStart = monotonicMs();
    if (this.timer !== null && this.timerMs === timeoutMs) return;
    if (this.timer) clearInterval(this.timer);
    this.timerMs = timeoutMs;
    this.timer = setInterval(
      () => {
        if (this.waiter && monotonicMs() - this.waitStart >= timeoutMs) this.wake({ kind: 'timeout' });
      },
      Math.max(5, Math.min(250, timeoutMs / 8)),
    );
    this.timer.unref();
  }

  /** The next batch of reply frames, or why there is none. */
  nextReply(timeoutMs: number): Promise<ReplyOutcome> {
    const b = this.takeBatch();
    if (b) return Promise.resolve({ kind: 'frames', frames: b });
    if (this.failure) return Promise.resolve({ kind: 'error', text: this.failure });
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.arm(timeoutMs);
    });
  }

  private takeBatch(): MllpFrame[] | undefined {
    const b = this.batches.shift();
    if (b) {
      this.pendingFrames -= b.length;
      for (const f of b) if (f.ok) this.pendingBytes -= f.payload.length;
    }
    return b;
  }

  /** Ends a wait early (shutdown). */
  abort(): void {
    this.wake({ kind: 'aborted' });
  }

  /** Closes our side: FIN now, and the socket is destroyed shortly after if the peer lingers. */
  close(): void {
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** What a reply frame says, by the reference's rule (MSH first, `\r`-separated, an MSA with a field). */
export type ReplyShape = { readonly ok: true; readonly code: string; readonly acknowledges: string } | { readonly ok: false; readonly reason: string };

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isNameChar = (c: number): boolean => isUpper(c) || (c >= 0x30 && c <= 0x39);

/**
 * Byte-level (it runs once per message on the hot path): the reply must start with MSH, hold
 * no LF, have `\r`-separated segments each named by three capitals/digits followed by the field
 * separator or its end, and an MSA segment with at least one field.
 */
export function readReplyShape(payload: Buffer): ReplyShape {
  const n = payload.length;
  if (n === 0) return { ok: false, reason: 'empty reply frame' };
  if (payload.indexOf(0x0a) >= 0) return { ok: false, reason: 'reply segments not separated by \\r alone' };
  if (n < 4 || payload[0] !== 0x4d || payload[1] !== 0x53 || payload[2] !== 0x48) return { ok: false, reason: 'reply does not start with an MSH segment' };
  const sep = payload[3] as number;
  let msaStart = -1;
  let msaEnd = -1;
  let pos = 0;
  while (pos < n) {
    let end = payload.indexOf(0x0d, pos);
    if (end < 0) end = n;
    const len = end - pos;
    if (len === 0 && end === n) break;
    if (len < 3 || !isUpper(payload[pos] as number) || !isNameChar(payload[pos + 1] as number) || !isNameChar(payload[pos + 2] as number) || (len > 3 && payload[pos + 3] !== sep)) {
      return { ok: false, reason: `bad segment '${payload.toString('latin1', pos, Math.min(end, pos + 20))}' in reply` };
    }
    if (msaStart < 0 && payload[pos] === 0x4d && payload[pos + 1] === 0x53 && payload[pos + 2] === 0x41) {
      msaStart = pos;
      msaEnd = end;
    }
    pos = end + 1;
  }
  if (msaStart < 0) return { ok: false, reason: 'reply has no MSA segment' };
  if (msaEnd - msaStart < 4) return { ok: false, reason: 'reply MSA has no fields' };
  const f1s = msaStart + 4;
  let f1e = payload.indexOf(sep, f1s);
  if (f1e < 0 || f1e > msaEnd) f1e = msaEnd;
  let acknowledges = '';
  if (f1e < msaEnd) {
    let f2e = payload.indexOf(sep, f1e + 1);
    if (f2e < 0 || f2e > msaEnd) f2e = msaEnd;
    acknowledges = payload.toString('latin1', f1e + 1, f2e).split('^')[0] as string;
  }
  const code = f1e - f1s === 2 ? payload.toString('latin1', f1s, f1e) : (payload.toString('latin1', f1s, f1e).split('^')[0] as string);
  return { ok: true, code, acknowledges };
}
