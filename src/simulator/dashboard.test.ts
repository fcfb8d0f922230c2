import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium, skipUnlessChromium } from '../../test/tools.js';
import { groupPath, MAX_EVENTS, renderGroupPage, renderIndexPage, type GroupDetail, type GroupSummary } from './dashboard.js';

const EVIL = `<img src=x onerror=alert(1)>"'&`;

const SUMMARIES: GroupSummary[] = [
  { name: 'hospital', connected: true, connectedSince: '2026-12-03T19:00:05.120Z', messagesSent: 1234, messagesTotal: 5000, lastError: null },
  { name: 'a b/c?d#e', connected: false, connectedSince: null, messagesSent: 0, messagesTotal: 5000, lastError: 'read timeout after 10 s' },
  { name: EVIL, connected: false, connectedSince: null, messagesSent: 0, messagesTotal: 0, lastError: EVIL },
];

function detail(overrides: Partial<GroupDetail> = {}): GroupDetail {
  return {
    ...(SUMMARIES[0] as GroupSummary),
    metrics: [
      { name: 'true_positives', value: 12 },
      { name: 'f3_score', value: 0.912345678 },
      { name: 'latencies_50', value: 0.25 },
    ],
    events: [
      { time: '2026-12-03T19:00:01Z', type: 'Rewind', detail: 'start 2024-01-01T07:00:00Z' },
      { time: '2026-12-03T19:00:02Z', type: 'Send', detail: 'message 0' },
      { time: '2026-12-03T19:00:03Z', type: 'Page', detail: 'MRN 730416' },
    ],
    ...overrides,
  };
}

describe('index page', () => {
  const html = renderIndexPage(SUMMARIES);

  test('links every group by its URL-encoded name', () => {
    assert.ok(html.includes('<a href="/groups/hospital">hospital</a>'));
    assert.ok(html.includes('<a href="/groups/a%20b%2Fc%3Fd%23e">a b/c?d#e</a>'));
    assert.equal(groupPath(EVIL), `/groups/${encodeURIComponent(EVIL)}`);
  });

  test('shows connection, since, messages and last error', () => {
    assert.match(html, /<td><span class="badge yes">yes<\/span><\/td><td class="time"><time datetime="2026-12-03T19:00:05.120Z" data-since>2026-12-03 19:00:05 UTC<\/time>/);
    assert.ok(html.includes('1,234 / 5,000'));
    assert.ok(html.includes('read timeout after 10 s'));
    assert.equal((html.match(/badge no/g) ?? []).length, 2);
  });

  test('escapes names and errors', () => {
    assert.ok(!html.includes('<img'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;'));
    // The href is URL-encoded, then HTML-escaped (encodeURIComponent leaves the quote alone).
    assert.ok(html.includes(`href="/groups/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%22&#39;%26"`));
  });

  test('no groups; no external resources', () => {
    assert.ok(renderIndexPage([]).includes('No groups.'));
    assert.doesNotMatch(html, /<link|@import|src="http|https?:\/\//i);
  });
});

describe('group page', () => {
  test('metrics, events newest first, admin controls', () => {
    const html = renderGroupPage(detail(), { adminEnabled: true });
    assert.ok(html.includes('<td>f3_score</td><td class="num">0.912346</td>'));
    assert.ok(html.includes('<td>true_positives</td><td class="num">12</td>'));
    const order = ['MRN 730416', 'message 0', 'start 2024-01-01T07:00:00Z'].map((s) => html.indexOf(s));
    assert.ok(order.every((i) => i > 0) && order[0]! < order[1]! && order[1]! < order[2]!, `newest first: ${order}`);
    for (const id of ['token', 'rewind', 'disconnect', 'status']) assert.ok(html.includes(`id="${id}"`), id);
    assert.doesNotMatch(html, /<button id="(rewind|disconnect)"[^>]*disabled/);
    assert.ok(!html.includes('--admin-token</code>.'));
    assert.ok(html.includes('data-group="hospital"'));
  });

  test('events given newest first stay newest first', () => {
    const html = renderGroupPage(detail({ events: [...detail().events].reverse() }), { adminEnabled: true });
    assert.ok(html.indexOf('MRN 730416') < html.indexOf('message 0'));
  });

  test('at most MAX_EVENTS events', () => {
    const events = Array.from({ length: 250 }, (_, i) => ({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), type: 'Send', detail: `message #${i};` }));
    const html = renderGroupPage(detail({ events }), { adminEnabled: true });
    assert.equal((html.match(/<td class="detail">/g) ?? []).length, MAX_EVENTS);
    assert.ok(html.includes('message #249;') && html.includes('message #50;') && !html.includes('message #49;'));
    assert.ok(html.includes('Showing the 200 most recent of 250 events.'));
  });

  test('admin off: buttons disabled and the page says why', () => {
    const html = renderGroupPage(detail(), { adminEnabled: false });
    assert.match(html, /<button id="rewind" type="button" disabled>/);
    assert.match(html, /<button id="disconnect" type="button" disabled>/);
    assert.ok(html.includes('need the simulator to be started with <code>--admin-token</code>'));
  });

  test('escapes everything, including the group name in the script data', () => {
    const html = renderGroupPage(
      detail({ name: EVIL, lastError: EVIL, metrics: [{ name: EVIL, value: 1 }], events: [{ time: EVIL, type: EVIL, detail: `</script>${EVIL}` }] }),
      { adminEnabled: true },
    );
    assert.ok(!html.includes('<img'));
    assert.ok(!html.includes('</script><img'));
    assert.ok(html.includes(`data-group="&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"`));
  });

  test('empty metrics and events', () => {
    const html = renderGroupPage(detail({ metrics: [], events: [], connectedSince: null, connected: false }), { adminEnabled: false });
    assert.ok(html.includes('No metrics.') && html.includes('No events yet.'));
  });
});

describe('group page in Chromium', { skip: skipUnlessChromium() }, () => {
  let browser: Browser;
  let server: Server;
  let base: string;
  const posts: { url: string; auth: string | undefined }[] = [];
  let sent = 10;
  const name = 'ward 7/α';

  before(async () => {
    server = createServer((req, res) => {
      if (req.method === 'POST' && req.url === `${groupPath(name)}/rewind`) {
        posts.push({ url: req.url, auth: req.headers.authorization });
        const ok = req.headers.authorization === 'Bearer s3cret';
        res.writeHead(ok ? 200 : 401, { 'content-type': 'text/plain' }).end(ok ? 'rewound\n' : 'bad token\n');
        return;
      }
      if (req.method === 'GET' && req.url === groupPath(name)) {
        sent += 5;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(renderGroupPage({ ...detail(), name, messagesSent: sent }, { adminEnabled: true }));
        return;
      }
      res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('the buttons POST with the bearer token, show the answer, keep the token and refresh without a reload', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}${groupPath(name)}`);
    await page.fill('#token', 'wrong');
    await page.click('#rewind');
    await page.waitForSelector('#status.error');
    assert.equal(await page.textContent('#status'), 'rewind: 401 Unauthorized – bad token');

    await page.fill('#token', 's3cret');
    await page.click('#rewind');
    await page.waitForSelector('#status.ok');
    assert.equal(await page.textContent('#status'), 'rewind: 200 OK – rewound');
    assert.deepEqual(
      posts.map((p) => p.auth),
      ['Bearer wrong', 'Bearer s3cret'],
    );

    // A successful action refreshes #live in place: the count moves on, the page is not reloaded.
    // (Browser-side code as strings: the project's TypeScript has no DOM types.)
    await page.evaluate('window.marker = 42');
    // (Selectors, not waitForFunction: the page's CSP forbids the eval that a polled predicate needs.)
    await page.locator('#live dl').filter({ hasNotText: '15 /' }).waitFor();
    assert.equal(await page.evaluate('window.marker'), 42);
    assert.equal(await page.inputValue('#token'), 's3cret');

    // The token is kept in sessionStorage across a reload of the tab.
    await page.reload();
    assert.equal(await page.inputValue('#token'), 's3cret');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
