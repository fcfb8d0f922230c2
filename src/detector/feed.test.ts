import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { realClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { FeedClient } from './feed.js';
import type { MessageHandler } from './handler.js';

/** A hospital at `port` that accepts each connection and closes it at once (the end of its stream). */
function quietHospital(port = 0): Promise<net.Server> {
  const server = net.createServer((s) => s.end());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

test('the feed logs each change of state once: quiet reconnects are not logged, but a reconnect after the hospital was unreachable is', { timeout: 20_000 }, async () => {
  const lines: { msg: string }[] = [];
  const waiters: { re: RegExp; n: number; resolve: () => void }[] = [];
  const count = (re: RegExp): number => lines.filter((l) => re.test(l.msg)).length;
  const logger = createLogger({
    level: 'info',
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as { msg: string });
        for (const w of waiters.splice(0)) if (count(w.re) >= w.n) w.resolve();
        else waiters.push(w);
      },
    },
  });
  const logged = (re: RegExp, n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (count(re) >= n) return resolve();
      const timer = setTimeout(() => reject(new Error(`no ${n}× ${re} in ${JSON.stringify(lines.map((l) => l.msg))}`)), 10_000);
      waiters.push({ re, n, resolve: () => (clearTimeout(timer), resolve()) });
    });

  let server = await quietHospital();
  const port = (server.address() as net.AddressInfo).port;
  const feed = new FeedClient({
    host: '127.0.0.1',
    port,
    handler: {} as MessageHandler, // no frame ever arrives
    clock: realClock,
    rng: { next: () => 0.5 },
    onPage: () => undefined,
    policy: { initialMs: 10, maxMs: 40, factor: 2, jitter: 0, maxRetries: Infinity },
    logger,
  });
  feed.start();
  try {
    await logged(/^feed: connected$/, 1);
    await logged(/closed without a message/, 1);
    await new Promise((r) => setTimeout(r, 300)); // several quiet reconnects
    assert.equal(count(/^feed: connected$/), 1, 'a quiet reconnect is not logged');
    assert.equal(count(/closed without a message/), 1);

    await new Promise<void>((r) => server.close(() => r()));
    await logged(/cannot connect/, 1);
    await new Promise((r) => setTimeout(r, 200)); // several failed attempts
    assert.equal(count(/cannot connect/), 1, 'one warning while the hospital is away');

    server = await quietHospital(port);
    await logged(/^feed: connected$/, 2); // the warning gets its answer
  } finally {
    await feed.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
