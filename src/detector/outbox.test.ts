import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../core/clock.js';
import { createRegistry } from '../core/metrics.js';
import type { RetryPolicy } from '../core/retry.js';
import type { PageJob } from './handler.js';
import { createDetectorMetrics } from './metrics.js';
import { classifyStatus, createHttpPageSender, pageBody, PageOutbox, planAfterAttempt, type SendOutcome } from './outbox.js';
import { DetectorStore } from './store.js';

const noJitter: RetryPolicy = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0, maxRetries: Infinity };
const fixed = (u: number) => ({ next: () => u });
const retry: SendOutcome = { kind: 'retry', error: 'HTTP 500' };

test('the retry schedule doubles from the initial delay up to the cap, from an explicit now', () => {
  const now = 1_000_000;
  const delays = [1, 2, 3, 4, 5, 6, 7].map((attempts) => {
    const plan = planAfterAttempt(retry, attempts, now, noJitter, fixed(0));
    assert.equal(plan.status, 'pending');
    return plan.status === 'pending' ? plan.nextAt - now : NaN;
  });
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000, 1000]);
});

test('jitter shortens a delay by up to its share, never lengthens it', () => {
  const policy = { ...noJitter, jitter: 0.5 };
  const at = (u: number) => {
    const p = planAfterAttempt(retry, 3, 0, policy, fixed(u));
    return p.status === 'pending' ? p.nextAt : NaN;
  };
  assert.equal(at(0), 400);
  assert.equal(at(0.5), 300);
  assert.equal(at(0.999999), 400 * (1 - 0.5 * 0.999999));
});

test('a 4xx is final, a 2xx is delivered, 5xx and anything else is retried; a bounded policy gives up', () => {
  assert.deepEqual(classifyStatus(200), { kind: 'delivered', status: 200 });
  assert.equal(classifyStatus(400).kind, 'rejected');
  assert.equal(classifyStatus(404).kind, 'rejected');
  assert.equal(classifyStatus(500).kind, 'retry');
  assert.equal(classifyStatus(503).kind, 'retry');
  assert.equal(classifyStatus(302).kind, 'retry');
  assert.equal(planAfterAttempt(classifyStatus(400), 1, 0, noJitter, fixed(0)).status, 'failed');
  // maxRetries 3: the first attempt and three retries, then stop.
  assert.equal(planAfterAttempt(retry, 3, 0, { ...noJitter, maxRetries: 3 }, fixed(0)).status, 'pending');
  assert.equal(planAfterAttempt(retry, 4, 0, { ...noJitter, maxRetries: 3 }, fixed(0)).status, 'failed');
});

test('the page body is MRN,TIMESTAMP without a newline', () => {
  assert.equal(pageBody({ mrn: '123', timeText: '202402172237' }), '123,202402172237');
});

/** A sender whose answers the test gives, one per attempt. */
function scriptedSender(script: SendOutcome[]) {
  const calls: { job: PageJob; at: number }[] = [];
  let clock: FakeClock | undefined;
  return {
    calls,
    bind(c: FakeClock) {
      clock = c;
    },
    send(job: PageJob): Promise<SendOutcome> {
      calls.push({ job, at: clock?.now() ?? 0 });
      return Promise.resolve(script.shift() ?? ({ kind: 'delivered', status: 200 } as const));
    },
    close() {},
  };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

function seedPage(store: DetectorStore, mrn: string, time: number, createdAt: number): PageJob {
  store.insertResult(mrn, time, 300, 'stream', createdAt);
  store.insertPage(mrn, time, '20240101000000', createdAt);
  return { mrn, time, timeText: '20240101000000', createdAt, attempts: 0 };
}

test('the outbox sends at once, retries a failing pager on the backoff schedule, and records one delivery', async () => {
  const store = DetectorStore.open(':memory:');
  const clock = new FakeClock(10_000);
  const sender = scriptedSender([retry, { kind: 'retry', error: 'timeout' }]);
  sender.bind(clock);
  const metrics = createDetectorMetrics(createRegistry());
  const outbox = new PageOutbox({ store, sender, clock, rng: fixed(0), policy: noJitter, metrics });
  outbox.enqueue(seedPage(store, '1', 1, 10_000));
  await settle();
  assert.deepEqual(sender.calls.map((c) => c.at), [10_000]);
  assert.equal(outbox.stats().depth, 1);
  clock.advance(99);
  await settle();
  assert.equal(sender.calls.length, 1, 'not before the delay');
  clock.advance(1);
  await settle();
  clock.advance(200);
  await settle();
  assert.deepEqual(sender.calls.map((c) => c.at), [10_000, 10_100, 10_300]);
  await outbox.idle();
  const [row] = store.allPages();
  assert.equal(row?.status, 'delivered');
  assert.equal(row?.attempts, 3);
  assert.equal(row?.deliveredAt, 10_300);
  assert.match(await metrics.registry.getSingleMetricAsString('detector_page_retries_total'), /detector_page_retries_total 2/);
  assert.match(await metrics.registry.getSingleMetricAsString('detector_pages_sent_total'), /detector_pages_sent_total 1/);
  assert.match(await metrics.registry.getSingleMetricAsString('detector_page_latency_seconds'), /detector_page_latency_seconds_sum 0.3/);
  // Enqueueing the delivered page again (a replay) sends nothing more once it is recorded.
  assert.equal(outbox.stats().depth, 0);
});

test('a 4xx is recorded as failed and never retried', async () => {
  const store = DetectorStore.open(':memory:');
  const clock = new FakeClock(0);
  const sender = scriptedSender([{ kind: 'rejected', status: 400, error: 'pager answered HTTP 400' }]);
  const metrics = createDetectorMetrics(createRegistry());
  const outbox = new PageOutbox({ store, sender, clock, rng: fixed(0), policy: noJitter, metrics });
  outbox.enqueue(seedPage(store, '2', 1, 0));
  await outbox.idle();
  clock.advance(60_000);
  await settle();
  assert.equal(sender.calls.length, 1);
  assert.deepEqual(
    store.allPages().map((p) => [p.status, p.lastError]),
    [['failed', 'pager answered HTTP 400']],
  );
  assert.match(await metrics.registry.getSingleMetricAsString('detector_pages_failed_total'), /detector_pages_failed_total 1/);
});

test('a restart resumes only the pages still pending; delivered and failed ones are never sent again', async () => {
  const store = DetectorStore.open(':memory:');
  seedPage(store, '10', 1, 0);
  seedPage(store, '11', 1, 0);
  seedPage(store, '12', 1, 0);
  store.markDelivered('10', 1, 1, 5);
  store.markFailed('12', 1, 1, 'HTTP 404');
  const clock = new FakeClock(100);
  const sender = scriptedSender([]);
  const outbox = new PageOutbox({ store, sender, clock, rng: fixed(0), policy: noJitter });
  assert.equal(outbox.resume(), 1);
  await outbox.idle();
  assert.deepEqual(sender.calls.map((c) => c.job.mrn), ['11']);
});

test('the outbox reports its depth and the age of its oldest page; close leaves pending pages in the store', async () => {
  const store = DetectorStore.open(':memory:');
  const clock = new FakeClock(1_000);
  const sender = scriptedSender([retry]);
  const outbox = new PageOutbox({ store, sender, clock, rng: fixed(0), policy: noJitter });
  outbox.enqueue(seedPage(store, '20', 1, 1_000));
  await settle();
  clock.advance(50);
  assert.deepEqual(outbox.stats(), { depth: 1, oldestAgeSeconds: 0.05 });
  await outbox.close();
  clock.advance(10_000);
  await settle();
  assert.equal(sender.calls.length, 1);
  assert.deepEqual(store.pendingPages().map((p) => [p.mrn, p.attempts]), [['20', 1]]);
});

test('the HTTP sender posts MRN,TIMESTAMP as text/plain and classifies answers, timeouts and refused connections', async () => {
  const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
  let answer: number | 'hang' = 200;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      if (answer === 'hang') return;
      res.writeHead(answer).end('ok\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const sender = createHttpPageSender({ host: '127.0.0.1', port, timeoutMs: 200 });
  const job: PageJob = { mrn: '123', time: 0, timeText: '20240101120000', createdAt: 0, attempts: 0 };
  assert.deepEqual(await sender.send(job), { kind: 'delivered', status: 200 });
  assert.deepEqual(seen[0], { method: 'POST', url: '/page', type: 'text/plain', body: '123,20240101120000' });
  answer = 503;
  assert.equal((await sender.send(job)).kind, 'retry');
  answer = 400;
  assert.equal((await sender.send(job)).kind, 'rejected');
  answer = 'hang';
  const hung = await sender.send(job);
  assert.equal(hung.kind, 'retry');
  assert.match(hung.kind === 'retry' ? hung.error : '', /within 200 ms/);
  sender.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  const refused = createHttpPageSender({ host: '127.0.0.1', port, timeoutMs: 200 });
  assert.equal((await refused.send(job)).kind, 'retry');
  refused.close();
});
