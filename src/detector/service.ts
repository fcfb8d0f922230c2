/**
 * The detector service: wires the store, history, model, handler, outbox, feed client and the
 * metrics/health HTTP server together, and closes them in the right order (stop reading, finish
 * the message in hand, let pages in flight finish, close the store, stop serving metrics).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Model } from '../aki/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { createRegistry } from '../core/metrics.js';
import type { Rng } from '../core/random.js';
import type { RetryPolicy } from '../core/retry.js';
import { FeedClient } from './feed.js';
import { MessageHandler } from './handler.js';
import { loadHistoryFile, type HistoryLoad } from './history.js';
import { createDetectorMetrics, type DetectorMetrics } from './metrics.js';
import { createHttpPageSender, PageOutbox, type PageSender } from './outbox.js';
import { DetectorStore, type Synchronous } from './store.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface DetectorConfig {
  readonly mllp: HostPort;
  readonly pager: HostPort;
  /** The SQLite file (`:memory:` allowed in tests). */
  readonly storePath: string;
  /** history.csv to load on first start, or undefined for none. */
  readonly historyPath?: string | undefined;
  readonly model: Model;
  /** Take the model's live-period start from the first result on the feed (see MessageHandler). */
  readonly streamStartFromFeed?: boolean;
  /** Where /metrics, /healthz and /readyz are served; port 0 picks a free one. */
  readonly metrics: HostPort;
  readonly badMessageAck?: 'AA' | 'AE';
  readonly synchronous?: Synchronous;
  readonly pagerTimeoutMs?: number;
  readonly pageRetryPolicy?: RetryPolicy;
  readonly reconnectPolicy?: RetryPolicy;
  readonly pageConcurrency?: number;
}

export interface DetectorDeps {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger?: Logger;
  /** Replaces the HTTP pager client (tests). */
  readonly sender?: PageSender;
}

/** A running detector. */
export interface Detector {
  readonly metricsAddress: HostPort;
  readonly store: DetectorStore;
  readonly outbox: PageOutbox;
  readonly feed: FeedClient;
  readonly metrics: DetectorMetrics;
  readonly history: HistoryLoad | undefined;
  /** Stops everything in order. Idempotent. */
  close(): Promise<void>;
}

/** Serves /metrics, /healthz and /readyz. */
function createHttpServer(metrics: DetectorMetrics, state: { ready: boolean; feed?: FeedClient }): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
          res.end(text);
        },
        (err: Error) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`metrics failed: ${err.message}\n`);
        },
      );
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const feed = state.feed?.connected ? 'connected' : 'not connected';
      res.writeHead(state.ready ? 200 : 503, { 'Content-Type': 'text/plain' });
      res.end(state.ready ? `ready (feed ${feed})\n` : 'not ready\n');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found: try /metrics, /healthz or /readyz\n');
  });
}

/** Starts a detector: opens the store, loads history (first start only), serves metrics, resumes the outbox, connects to the feed. */
export async function startDetector(config: DetectorConfig, deps: DetectorDeps): Promise<Detector> {
  const { clock, rng, logger } = deps;
  const store = DetectorStore.open(config.storePath, { synchronous: config.synchronous ?? 'full' });
  const registry = createRegistry({ processMetricsPrefix: 'detector_' });
  const outboxRef: { current?: PageOutbox } = {};
  const metrics = createDetectorMetrics(registry, () => outboxRef.current?.stats() ?? { depth: 0, oldestAgeSeconds: 0 });
  metrics.modelInfo.set({ version: config.model.version, kind: config.model.kind }, 1);
  metrics.connected.set(0);

  let history: HistoryLoad | undefined;
  if (config.historyPath !== undefined) {
    try {
      history = loadHistoryFile(store, config.historyPath, clock.now());
    } catch (err) {
      store.close();
      throw err;
    }
    if (history.loaded) logger?.info({ path: config.historyPath, patients: history.patients, results: history.results, skipped: history.skipped, problems: history.problems }, 'history loaded into the store');
    else logger?.info({ path: config.historyPath }, 'history already in the store (loaded on first start); not read again');
  }

  const sender = deps.sender ?? createHttpPageSender({ host: config.pager.host, port: config.pager.port, timeoutMs: config.pagerTimeoutMs, maxSockets: config.pageConcurrency });
  const outbox = new PageOutbox({ store, sender, clock, rng: rng.stream('outbox'), policy: config.pageRetryPolicy, concurrency: config.pageConcurrency, metrics, logger: logger?.child({ component: 'outbox' }) });
  const handler = new MessageHandler({
    store,
    model: config.model,
    streamStartFromFeed: config.streamStartFromFeed,
    now: () => clock.now(),
    badMessageAck: config.badMessageAck,
    metrics,
    logger: logger?.child({ component: 'handler' }),
  });
  outboxRef.current = outbox;
  const box = outbox;
  const feed = new FeedClient({
    host: config.mllp.host,
    port: config.mllp.port,
    handler,
    clock,
    rng: rng.stream('reconnect'),
    onPage: (page) => box.enqueue(page),
    policy: config.reconnectPolicy,
    metrics,
    logger: logger?.child({ component: 'feed' }),
  });

  const state: { ready: boolean; feed?: FeedClient } = { ready: false, feed };
  const server = createHttpServer(metrics, state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metrics.port, config.metrics.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    store.close();
    throw err;
  });
  const addr = server.address() as AddressInfo;

  outbox.resume();
  feed.start();
  state.ready = true;

  let closing: Promise<void> | undefined;
  return {
    metricsAddress: { host: config.metrics.host, port: addr.port },
    store,
    outbox,
    feed,
    metrics,
    history,
    close() {
      closing ??= (async () => {
        state.ready = false;
        await feed.stop();
        await box.close();
        store.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
