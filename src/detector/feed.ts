/**
 * The MLLP feed client: connects to the hospital, reconnects forever with capped backoff
 * (logging each change of state once, not each attempt), hands frames to the handler and
 * writes the ACKs only after the handler's transaction has committed. Frames that arrive in
 * one read are handled in one transaction (one fsync) and then acknowledged in order.
 */
import { connectMllp, type Hl7Error, type MllpConnection } from '../hl7/index.js';
import { monotonicMs, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Rng } from '../core/random.js';
import { nextDelay, type RetryPolicy } from '../core/retry.js';
import type { HandledMessage, IncomingFrame, MessageHandler } from './handler.js';
import type { DetectorMetrics } from './metrics.js';

/** Reconnect policy: 50 ms doubling to 1 s (so a restarted feed is found within about a second). */
export const defaultReconnectPolicy: RetryPolicy = Object.freeze({ initialMs: 50, maxMs: 1_000, factor: 2, jitter: 0.5, maxRetries: Infinity });

export interface FeedOptions {
  readonly host: string;
  readonly port: number;
  readonly handler: MessageHandler;
  readonly clock: Clock;
  readonly rng: Pick<Rng, 'next'>;
  /** Called with each page a message made, after its ACK was written. */
  readonly onPage: (page: NonNullable<HandledMessage['page']>) => void;
  readonly policy?: RetryPolicy;
  readonly metrics?: DetectorMetrics;
  readonly logger?: Logger;
  /** Largest MLLP frame accepted (bytes). */
  readonly maxFrameBytes?: number;
}

/** The feed client. `start()` runs until `stop()`. */
export class FeedClient {
  private connection: MllpConnection | undefined;
  private stopping = false;
  private sleeper: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private batch: { frame: IncomingFrame; t0: number }[] = [];
  private connections = 0;
  private framesThisConnection = 0;
  /** Resolves when connected (the first time after it is read). */
  private connectedWaiters: (() => void)[] = [];

  constructor(private readonly o: FeedOptions) {}

  get connected(): boolean {
    return this.connection !== undefined && !this.connection.closed;
  }

  /** Resolves when the client is connected. */
  whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops reading and closes the connection; a message in hand is finished and acknowledged first (handling is synchronous). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper?.abort();
    const c = this.connection;
    if (c) {
      c.stream.pause();
      await c.close(500);
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    const { logger, metrics } = this.o;
    let failures = 0;
    let unreachable = false; // a connect attempt failed since the last connection
    while (!this.stopping) {
      let conn: MllpConnection;
      try {
        conn = await connectMllp({ host: this.o.host, port: this.o.port, connectTimeoutMs: 2_000, maxFrameBytes: this.o.maxFrameBytes });
      } catch (err) {
        if (!unreachable) logger?.warn({ address: `${this.o.host}:${this.o.port}`, error: (err as Error).message }, 'feed: cannot connect, retrying with backoff');
        const delay = nextDelay(this.o.policy ?? defaultReconnectPolicy, failures, this.o.rng) ?? 1_000;
        failures++;
        unreachable = true;
        await this.pause(delay);
        continue;
      }
      if (this.stopping) {
        await conn.close(100);
        break;
      }
      this.connections++;
      if (this.connections > 1) metrics?.reconnects.inc();
      metrics?.connected.set(1);
      // Log a connection only when the previous one carried messages, or the hospital was
      // unreachable in between (its 'cannot connect' warning gets its answer), or it is the first:
      // a server that accepts and closes at once (end of its stream) is logged once, not per attempt.
      const quietBefore = this.framesThisConnection === 0 && this.connections > 1 && !unreachable;
      unreachable = false;
      if (!quietBefore) logger?.info({ address: `${this.o.host}:${this.o.port}` }, 'feed: connected');
      this.framesThisConnection = 0;
      this.connection = conn;
      for (const w of this.connectedWaiters.splice(0)) w();
      const closed = new Promise<void>((resolve) => conn.once('close', resolve));
      conn.on('frame', (payload) => this.onFrame(payload));
      conn.on('badFrame', (_err: Hl7Error) => this.onFrame(undefined));
      conn.on('error', (err) => logger?.warn({ error: err.message }, 'feed: protocol or socket error, dropping the connection'));
      await closed;
      this.connection = undefined;
      metrics?.connected.set(0);
      const quiet = this.framesThisConnection === 0;
      if (!this.stopping && !(quiet && quietBefore)) logger?.warn({ messages: this.framesThisConnection }, quiet ? 'feed: connection closed without a message; reconnecting with backoff' : 'feed: connection closed, reconnecting');
      // A connection that brought messages: reconnect quickly. One that brought none: back off further.
      failures = quiet ? failures + 1 : 0;
      await this.pause(nextDelay(this.o.policy ?? defaultReconnectPolicy, quiet ? failures : 0, this.o.rng) ?? 50);
    }
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopping) return;
    this.sleeper = new AbortController();
    try {
      await this.o.clock.sleep(ms, this.sleeper.signal);
    } catch {
      // aborted by stop()
    } finally {
      this.sleeper = undefined;
    }
  }

  private onFrame(payload: Buffer | undefined): void {
    this.framesThisConnection++;
    const t0 = monotonicMs();
    this.batch.push({ frame: { payload, receivedAt: this.o.clock.now() }, t0 });
    // Frames decoded from one read arrive in one synchronous burst: handle them together.
    if (this.batch.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    const conn = this.connection;
    const { metrics, logger } = this.o;
    let handled: HandledMessage[];
    try {
      handled = this.o.handler.handleBatch(batch.map((b) => b.frame));
    } catch (err) {
      // Nothing was committed, so nothing is acknowledged: drop the connection and let the sender resend.
      logger?.error({ err }, 'feed: could not store messages; not acknowledging, reconnecting');
      void conn?.close(100);
      return;
    }
    const last = batch[batch.length - 1];
    if (metrics && last) metrics.lastMessage.set(last.frame.receivedAt / 1000);
    for (let i = 0; i < handled.length; i++) {
      const h = handled[i] as HandledMessage;
      if (conn && !conn.closed) conn.send(h.ack).catch(() => undefined);
      metrics?.processing.observe((monotonicMs() - (batch[i] as { t0: number }).t0) / 1000);
    }
    for (const h of handled) if (h.page) this.o.onPage(h.page);
  }
}
