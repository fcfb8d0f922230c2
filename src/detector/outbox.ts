/**
 * The page outbox: pages committed with their result are sent at once by this worker, never on
 * the ACK path. A page the pager does not take (5xx, timeout, connection error) is retried with
 * capped exponential backoff and jitter (core/retry.ts); a 4xx is recorded as failed and never
 * retried. Every delivery is recorded in the store, so a page delivered is never sent again,
 * and a restart resumes whatever is still pending.
 */
import http from 'node:http';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Rng } from '../core/random.js';
import { nextDelay, type RetryPolicy } from '../core/retry.js';
import type { PageJob } from './handler.js';
import type { DetectorMetrics } from './metrics.js';
import type { DetectorStore } from './store.js';

/** What the pager made of one attempt. */
export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'retry'; readonly error: string }
  | { readonly kind: 'rejected'; readonly status: number; readonly error: string };

/** Sends one page. Never rejects: failures are outcomes. */
export interface PageSender {
  send(job: PageJob): Promise<SendOutcome>;
  close(): void;
}

/** The default retry policy of pages: 100 ms doubling to 5 s, half jitter, never giving up. */
export const defaultPageRetryPolicy: RetryPolicy = Object.freeze({ initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.5, maxRetries: Infinity });

/** The decision after an attempt. */
export type RetryPlan = { readonly status: 'delivered' } | { readonly status: 'failed'; readonly error: string } | { readonly status: 'pending'; readonly nextAt: number; readonly error: string };

/**
 * Pure: what to do after attempt number `attempts` (1-based, the one just made) ended with
 * `outcome` at `now`. Retries wait `nextDelay(policy, attempts - 1)`.
 */
export function planAfterAttempt(outcome: SendOutcome, attempts: number, now: number, policy: RetryPolicy, rng: Pick<Rng, 'next'>): RetryPlan {
  if (outcome.kind === 'delivered') return { status: 'delivered' };
  if (outcome.kind === 'rejected') return { status: 'failed', error: outcome.error };
  const delay = nextDelay(policy, attempts - 1, rng);
  if (delay === undefined) return { status: 'failed', error: `gave up after ${attempts} attempts: ${outcome.error}` };
  return { status: 'pending', nextAt: now + delay, error: outcome.error };
}

/** The body of a page: `MRN,TIMESTAMP` with no trailing newline (the course's pager answers 400 to one). */
export function pageBody(job: Pick<PageJob, 'mrn' | 'timeText'>): string {
  return `${job.mrn},${job.timeText}`;
}

/** Classifies an HTTP status: 2xx delivered, 4xx rejected, anything else retried. */
export function classifyStatus(status: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status >= 400 && status < 500) return { kind: 'rejected', status, error: `pager answered HTTP ${status}` };
  return { kind: 'retry', error: `pager answered HTTP ${status}` };
}

/** A sender that POSTs `/page` over a keep-alive connection. */
export function createHttpPageSender(options: { host: string; port: number; timeoutMs?: number; maxSockets?: number }): PageSender {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 8 });
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    send(job) {
      return new Promise<SendOutcome>((resolve) => {
        const body = pageBody(job);
        const req = http.request(
          {
            host: options.host,
            port: options.port,
            method: 'POST',
            path: '/page',
            agent,
            headers: { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) },
            timeout: timeoutMs,
          },
          (res) => {
            res.resume();
            res.on('error', () => undefined);
            resolve(classifyStatus(res.statusCode ?? 0));
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer from the pager within ${timeoutMs} ms`)));
        req.on('error', (err) => resolve({ kind: 'retry', error: err.message }));
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

interface Waiting extends PageJob {
  nextAt: number;
}

export interface OutboxOptions {
  readonly store: DetectorStore;
  readonly sender: PageSender;
  readonly clock: Clock;
  readonly rng: Pick<Rng, 'next'>;
  readonly policy?: RetryPolicy;
  /** Pages in flight at once (default 8): one hanging request does not hold the others back. */
  readonly concurrency?: number;
  readonly metrics?: DetectorMetrics;
  readonly logger?: Logger;
}

/** The outbox worker. */
export class PageOutbox {
  private readonly waiting = new Map<string, Waiting>();
  private readonly inFlight = new Map<string, { job: PageJob; done: Promise<void> }>();
  private readonly policy: RetryPolicy;
  private readonly concurrency: number;
  private timer: { at: number; abort: AbortController } | undefined;
  private closed = false;
  private pagerDown = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: OutboxOptions) {
    this.policy = o.policy ?? defaultPageRetryPolicy;
    this.concurrency = o.concurrency ?? 8;
  }

  /** Loads the pages left pending by an earlier run and starts sending them. Returns how many. */
  resume(): number {
    const rows = this.o.store.pendingPages();
    const now = this.o.clock.now();
    for (const r of rows) this.waiting.set(key(r), { mrn: r.mrn, time: r.time, timeText: r.timeText, createdAt: r.createdAt, attempts: r.attempts, nextAt: now });
    if (rows.length > 0) this.o.logger?.info({ pages: rows.length }, 'outbox: resuming pages left pending');
    this.pump();
    return rows.length;
  }

  /** Adds a page that has just been committed and sends it at once. */
  enqueue(job: PageJob): void {
    if (this.closed) return; // it stays pending in the store: the next run sends it
    const k = key(job);
    if (this.waiting.has(k) || this.inFlight.has(k)) return;
    this.waiting.set(k, { ...job, nextAt: this.o.clock.now() });
    this.pump();
  }

  /** Pages pending or in flight, and the age of the oldest (s). */
  stats(): { depth: number; oldestAgeSeconds: number } {
    let oldest = Infinity;
    for (const w of this.waiting.values()) oldest = Math.min(oldest, w.createdAt);
    for (const f of this.inFlight.values()) oldest = Math.min(oldest, f.job.createdAt);
    const depth = this.waiting.size + this.inFlight.size;
    return { depth, oldestAgeSeconds: depth === 0 ? 0 : Math.max(0, (this.o.clock.now() - oldest) / 1000) };
  }

  /** Resolves when nothing is pending or in flight (for tests and shutdown). */
  idle(): Promise<void> {
    if (this.waiting.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops sending: no new attempts; waits for those in flight. Pending pages stay in the store. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.abort.abort();
    this.timer = undefined;
    await Promise.all([...this.inFlight.values()].map((f) => f.done));
    this.o.sender.close();
  }

  private pump(): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    let earliest = Infinity;
    for (const [k, w] of this.waiting) {
      if (this.inFlight.size >= this.concurrency) break;
      if (w.nextAt <= now) {
        this.waiting.delete(k);
        this.start(k, w);
      } else earliest = Math.min(earliest, w.nextAt);
    }
    if (this.inFlight.size >= this.concurrency) return; // a finishing send pumps again
    if (earliest === Infinity) {
      this.checkIdle();
      return;
    }
    if (this.timer && this.timer.at <= earliest) return;
    this.timer?.abort.abort();
    const abort = new AbortController();
    this.timer = { at: earliest, abort };
    this.o.clock.sleep(earliest - now, abort.signal).then(
      () => {
        if (this.timer?.abort === abort) this.timer = undefined;
        this.pump();
      },
      () => undefined,
    );
  }

  private checkIdle(): void {
    if (this.waiting.size === 0 && this.inFlight.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private start(k: string, job: Waiting): void {
    const done = this.o.sender.send(job).then((outcome) => this.finish(k, job, outcome));
    this.inFlight.set(k, { job, done });
  }

  private finish(k: string, job: Waiting, outcome: SendOutcome): void {
    this.inFlight.delete(k);
    const now = this.o.clock.now();
    const attempts = job.attempts + 1;
    const plan = planAfterAttempt(outcome, attempts, now, this.policy, this.o.rng);
    const { store, metrics, logger } = this.o;
    try {
      if (plan.status === 'delivered') {
        store.markDelivered(job.mrn, job.time, attempts, now);
        metrics?.pagesSent.inc();
        metrics?.pageLatency.observe(Math.max(0, now - job.createdAt) / 1000);
        if (this.pagerDown) {
          this.pagerDown = false;
          logger?.info({ mrn: job.mrn, attempts }, 'pager: taking pages again');
        }
      } else if (plan.status === 'failed') {
        store.markFailed(job.mrn, job.time, attempts, plan.error);
        metrics?.pagesFailed.inc();
        logger?.error({ mrn: job.mrn, time: job.timeText, error: plan.error }, 'pager refused a page: recorded as failed, not retried');
      } else {
        store.markAttempt(job.mrn, job.time, attempts, plan.error);
        metrics?.pageRetries.inc();
        if (!this.pagerDown) {
          this.pagerDown = true;
          logger?.warn({ error: plan.error }, 'pager unavailable: retrying pages with backoff');
        }
        if (!this.closed) this.waiting.set(k, { ...job, attempts, nextAt: plan.nextAt });
      }
    } catch (err) {
      // The store is closing (shutdown): the page stays as it was stored and is resumed on restart.
      logger?.warn({ err }, 'outbox: could not record a page outcome');
    }
    this.pump();
    if (this.closed) this.checkIdle();
  }
}

function key(job: Pick<PageJob, 'mrn' | 'time'>): string {
  return `${job.mrn}|${job.time}`;
}
