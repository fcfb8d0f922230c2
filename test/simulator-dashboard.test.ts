/**
 * The backstage UI of a running simulator in headless Chromium: the index lists the group, the
 * group page shows it, and the Rewind button works with the admin token and is refused without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ACK, Conn, frameBytes, metrics, startSim, tmpDir } from './simulator-helpers.js';
import { launchChromium, skipUnlessChromium } from './tools.js';

const doc = JSON.parse(fs.readFileSync(path.resolve('test/fixtures/simulator/scoring-vectors.json'), 'utf8')) as { scenarios: { name: string; messages: string[]; akis_csv: string }[] };
const base = doc.scenarios.find((s) => s.name === 'pager-body-forms')!;

test('dashboard in Chromium: index, group page, rewind refused without the token and done with it', { skip: skipUnlessChromium() }, async () => {
  const dir = tmpDir('dash-');
  fs.writeFileSync(path.join(dir, 'messages.mllp'), Buffer.concat(base.messages.map(frameBytes)));
  fs.writeFileSync(path.join(dir, 'akis.csv'), base.akis_csv);
  const s = await startSim(['--messages=messages.mllp', '--akis=akis.csv', '--rewind=false', '--admin-token=t0ken'], dir);
  const browser = await launchChromium();
  const c = new Conn();
  try {
    await c.open(s.mllp);
    for (let i = 0; i < 3; i++) {
      assert.equal((await c.next()).type, 'frame');
      await c.write(frameBytes(ACK));
    }
    assert.equal((await c.next()).type, 'frame');
    assert.equal((await metrics(s.backstage)).values.messages_sent, 3);

    const page = await browser.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(`http://127.0.0.1:${s.backstage}/`)) external.push(r.url());
    });
    await page.goto(`http://127.0.0.1:${s.backstage}/`);
    const row = await page.textContent('#groups');
    assert.match(row ?? '', /hospital/);
    assert.match(row ?? '', /3 \/ 10/);
    await page.click('a[href="/groups/hospital"]');
    await page.waitForSelector('#rewind');
    assert.match((await page.textContent('body')) ?? '', /true_positives/);

    for (const token of ['', 'wrong']) {
      await page.fill('#token', token);
      const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/groups/hospital/rewind')), page.click('#rewind')]);
      assert.equal(answer.status(), 401, `token '${token}'`);
      await page.waitForSelector('#status.error');
      assert.match((await page.textContent('#status')) ?? '', /401/, `token '${token}'`);
      assert.equal((await metrics(s.backstage)).values.messages_sent, 3, `refused with token '${token}': nothing changed`);
    }

    await page.fill('#token', 't0ken');
    await page.click('#rewind');
    await page.waitForSelector('#status.ok');
    assert.match((await page.textContent('#status')) ?? '', /200/);
    assert.equal((await metrics(s.backstage)).values.messages_sent, 0, 'rewound');
    assert.deepEqual(errors, []);
    assert.deepEqual(external, [], 'no external fonts or CDNs');
  } finally {
    c.destroy();
    await browser.close();
    await s.sim.close();
  }
});
