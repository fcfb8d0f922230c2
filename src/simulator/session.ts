/**
 * One MLLP client connection as the replay loop sees it: write a frame, then wait for the next
 * batch of reply frames (the frames one read brought), the peer closing, or a timeout.
 */
import type net from 'node:net';
import { MllpDecoder, type MllpFrame } from '../hl7/index.js';

export type ReplyOutcome =
  | { readonly kind: 'frames'; readonly frames: readonly MllpFrame[] }
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'error'; readonly text: string };

export class Session {
  private readonly decoder: MllpDecoder;
  private batches: MllpFrame[][] = [];
  private failure: string | null = null;
  private waiter: ((o: ReplyOutcome) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  closed = false;
  readonly peer: string;

  constructor(
    readonly socket: net.Socket,
    maxReplyBytes: number,
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
    if (this.waiter) this.wake({ kind: 'frames', frames });
    else this.batches.push(frames);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake({ kind: 'closed' });
  }

  private wake(o: ReplyOutcome): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    w(o);
  }

  /** Drops reply frames that arrived while nothing was in flight. Returns how many. */
  discardUnsolicited(): number {
    let n = 0;
    for (const b of this.batches) n += b.length;
    this.batches = [];
    return n;
  }

  write(data: Buffer): void {
    if (!this.closed) this.socket.write(data);
  }

  /** The next batch of reply frames, or why there is none. */
  nextReply(timeoutMs: number): Promise<ReplyOutcome> {
    const b = this.batches.shift();
    if (b) return Promise.resolve({ kind: 'frames', frames: b });
    if (this.failure) return Promise.resolve({ kind: 'error', text: this.failure });
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.timer = setTimeout(() => this.wake({ kind: 'timeout' }), timeoutMs);
    });
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

const SEGMENT = /^[A-Z][A-Z0-9]{2}$/;

export function readReplyShape(payload: Buffer): ReplyShape {
  const text = payload.toString('latin1');
  if (text.length === 0) return { ok: false, reason: 'empty reply frame' };
  if (text.includes('\n')) return { ok: false, reason: 'reply segments not separated by \\r alone' };
  if (!text.startsWith('MSH') || text.length < 4) return { ok: false, reason: 'reply does not start with an MSH segment' };
  const sep = text[3] as string;
  const segs = text.split('\r');
  if (segs[segs.length - 1] === '') segs.pop();
  let msa: string[] | null = null;
  for (const s of segs) {
    const name = s.slice(0, 3);
    if (!SEGMENT.test(name) || (s.length > 3 && s[3] !== sep)) return { ok: false, reason: `bad segment '${s.slice(0, 20)}' in reply` };
    if (name === 'MSA' && msa === null) msa = s.split(sep);
  }
  if (!msa) return { ok: false, reason: 'reply has no MSA segment' };
  if (msa.length < 2) return { ok: false, reason: 'reply MSA has no fields' };
  const comp = (f: string | undefined): string => (f ?? '').split('^')[0] as string;
  return { ok: true, code: comp(msa[1]), acknowledges: comp(msa[2]) };
}
