/**
 * The simulator over real sockets: the reference's own tests ported (ack one message, pages with
 * and without time, persistence and relative time across restarts, rewind on new connections),
 * and what ours adds (NAK resend policy, MSA-2 check, limits, admin token, pacing, faults).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ACK, Conn, frameBytes, httpRequest, metrics, startSim, tmpDir, until, type StartedSim } from './simulator-helpers.js';

const doc = JSON.parse(fs.readFileSync(path.resolve('test/fixtures/simulator/scoring-vectors.json'), 'utf8')) as { scenarios: { name: string; messages: string[]; akis_csv: string }[] };
const base = doc.scenarios.find((s) => s.name === 'pager-body-forms')!;
/** 10 messages: admissions of 100000001 and 100000002, results 2..7 (AKI of 100000001 at message 4, 10:00), discharges. */
const MESSAGES = base.messages;
const AKIS = base.akis_csv;

function dataDir(messages = MESSAGES, akis = AKIS): string {
  const dir = tmpDir('simb-');
  fs.writeFileSync(path.join(dir, 'messages.mllp'), Buffer.concat(messages.map(frameBytes)));
  fs.writeFileSync(path.join(dir, 'akis.csv'), akis);
  return dir;
}

async function withSim(argv: string[], f: (s: StartedSim, dir: string) => Promise<void>, dir = dataDir()): Promise<void> {
  const s = await startSim(['--messages=messages.mllp', '--akis=akis.csv', ...argv], dir);
  try {
    await f(s, dir);
  } finally {
    await s.sim.close();
  }
}

async function recvIndex(c: Conn, messages = MESSAGES): Promise<number | null> {
  const ev = await c.next(5000);
  return ev.type === 'frame' ? messages.indexOf(ev.text) : null;
}

const ack = (code: string, controlId = ''): Buffer => frameBytes(`MSH|^~\\&|||||20240101000000||ACK|||2.5\rMSA|${code}|${controlId}\r`);

test('reference test: ack one message', async () => {
  await withSim([], async (s) => {
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal(await recvIndex(c), 0);
    await c.write(frameBytes(ACK));
    assert.equal(await recvIndex(c), 1);
    const m = await metrics(s.backstage);
    assert.deepEqual([m.values.messages_sent, m.values.queue, m.values.connections], [1, 9, 1]);
    c.destroy();
  });
});

test('reference test: pages with and without a time score the AKI; the pager port serves unlabelled metrics', async () => {
  for (const body of ['100000001,20240401100000', '100000001']) {
    await withSim([], async (s) => {
      const c = new Conn();
      await c.open(s.mllp);
      for (let i = 0; i < 5; i++) {
        assert.equal(await recvIndex(c), i);
        if (i === 4) assert.deepEqual(await httpRequest({ port: s.pager, method: 'POST', path: '/page', body }).then((r) => ('error' in r ? r : r.status)), 200);
        await c.write(frameBytes(ACK));
      }
      assert.equal(await recvIndex(c), 5);
      const m = await metrics(s.pager);
      assert.equal(m.values.true_positives, 1, body);
      assert.equal(m.labels.true_positives, '');
      c.destroy();
    });
  }
});

test('reference test: persistence and relative time across restarts (--state, --rewind=false)', async () => {
  const dir = dataDir();
  fs.mkdirSync(path.join(dir, 'state'));
  let timeBase: unknown;
  await withSim(
    ['--state=state', '--rewind=false'],
    async (s) => {
      const c = new Conn();
      await c.open(s.mllp);
      for (let i = 0; i < 3; i++) {
        assert.equal(await recvIndex(c), i);
        await c.write(frameBytes(ACK));
      }
      assert.equal(await recvIndex(c), 3);
      await httpRequest({ port: s.pager, method: 'POST', path: '/page', body: '100000002,20240401093000' });
      const m = await metrics(s.backstage);
      timeBase = [m.values.simulator_time_base_simulated_seconds, m.values.simulator_time_base_real_seconds];
      c.destroy();
    },
    dir,
  );
  await withSim(
    ['--state=state', '--rewind=false'],
    async (s) => {
      const m = await metrics(s.backstage);
      assert.deepEqual([m.values.messages_sent, m.values.false_positives, m.values.queue], [3, 1, 7]);
      assert.deepEqual([m.values.simulator_time_base_simulated_seconds, m.values.simulator_time_base_real_seconds], timeBase, 'the time base survives');
      const c = new Conn();
      await c.open(s.mllp);
      assert.equal(await recvIndex(c), 3, 'the message in flight at the stop is sent again');
      c.destroy();
    },
    dir,
  );
});

test('reference test: with --rewind (default) every new connection starts again from the first message', async () => {
  await withSim([], async (s) => {
    const a = new Conn();
    await a.open(s.mllp);
    assert.equal(await recvIndex(a), 0);
    await a.write(frameBytes(ACK));
    assert.equal(await recvIndex(a), 1);
    a.end();
    await until(() => metrics(s.backstage), (m) => m.values.connections === 0);
    const b = new Conn();
    await b.open(s.mllp);
    assert.equal(await recvIndex(b), 0);
    b.destroy();
  });
});

test('flaw fixed: a negative ACK is resent (--on-nak=resend, the default) up to --max-resends, then the replay moves on', async () => {
  await withSim(['--max-resends=2'], async (s) => {
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal(await recvIndex(c), 0);
    await c.write(ack('AE'));
    assert.equal(await recvIndex(c), 0, 'AE: resent');
    await c.write(ack('AR'));
    assert.equal(await recvIndex(c), 0, 'AR: resent');
    await c.write(ack('AE'));
    assert.equal(await recvIndex(c), 1, 'after 2 resends it moves on');
    await c.write(ack('AE'));
    assert.equal(await recvIndex(c), 1);
    await c.write(ack('AA'));
    assert.equal(await recvIndex(c), 2);
    const m = await metrics(s.backstage);
    assert.equal(m.values.simulator_resends_total, 3);
    assert.equal(m.values.simulator_errors_total, 1, 'giving up on message 0 is recorded as an error');
    assert.equal(m.values.messages_sent, 2);
    assert.ok(m.all.some((x) => x.name === 'simulator_acks_total' && x.labels.includes('code="AE"') && x.value === 3));
    c.destroy();
  });
});

test('MSA-2 is checked against MSH-10 when the message has one; a mismatch is recorded', async () => {
  const msgs = MESSAGES.map((t, i) => t.replace('||ADT^A01|||2.5', `||ADT^A01|CID${i}||2.5`).replace('||ORU^R01|||2.5', `||ORU^R01|CID${i}||2.5`).replace('||ADT^A03|||2.5', `||ADT^A03|CID${i}||2.5`));
  await withSim(
    [],
    async (s) => {
      const c = new Conn();
      await c.open(s.mllp);
      assert.equal(await recvIndex(c, msgs), 0);
      await c.write(ack('AA', 'CID0'));
      assert.equal(await recvIndex(c, msgs), 1);
      assert.equal((await metrics(s.backstage)).values.simulator_errors_total, 0);
      await c.write(ack('AA', 'WRONG'));
      assert.equal(await recvIndex(c, msgs), 2);
      assert.equal((await metrics(s.backstage)).values.simulator_errors_total, 1);
      assert.match(s.sim.groups[0]!.state.lastError?.text ?? '', /control id 'WRONG', expected 'CID1'/);
      c.destroy();
    },
    dataDir(msgs),
  );
});

test('limits: an oversized reply frame closes that connection with an error; an oversized page body gets 413; the process lives on', async () => {
  await withSim(['--max-reply-bytes=1024', '--max-page-bytes=64'], async (s) => {
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal(await recvIndex(c), 0);
    await c.write(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(4096, 0x41)]));
    assert.equal((await c.next(5000)).type, 'close');
    assert.match(s.sim.groups[0]!.state.lastError?.text ?? '', /larger than 1024/);
    const r = await httpRequest({ port: s.pager, method: 'POST', path: '/page', body: '1'.repeat(1000) });
    assert.ok(!('error' in r) && r.status === 413, JSON.stringify(r));
    const d = new Conn();
    await d.open(s.mllp);
    assert.equal(await recvIndex(d), 0);
    d.destroy();
  });
});

test('limits: a pager client that never finishes its headers is cut off by the header timeout', async () => {
  await withSim(['--header-timeout=0.3'], async (s) => {
    const net = await import('node:net');
    const sock = net.createConnection({ host: '127.0.0.1', port: s.pager });
    sock.write('POST /page HTTP/1.1\r\nHost: x\r\n');
    const got = await new Promise<string>((resolve) => {
      let out = '';
      sock.on('data', (d: Buffer) => (out += d.toString()));
      sock.on('close', () => resolve(out));
      sock.on('error', () => resolve(out));
    });
    assert.match(got, /^HTTP\/1\.1 408/);
  });
});

test('admin actions: disabled without --admin-token (403); 401 without a valid token; rewind and disconnect with it', async () => {
  await withSim([], async (s) => {
    const r = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/hospital/rewind' });
    assert.ok(!('error' in r) && r.status === 403);
  });
  await withSim(['--admin-token=sekrit', '--rewind=false'], async (s) => {
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal(await recvIndex(c), 0);
    await c.write(frameBytes(ACK));
    assert.equal(await recvIndex(c), 1);
    const no = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/hospital/rewind' });
    assert.ok(!('error' in no) && no.status === 401);
    const wrong = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/hospital/rewind', headers: { Authorization: 'Bearer nope' } });
    assert.ok(!('error' in wrong) && wrong.status === 401);
    const missing = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/nobody/rewind', headers: { Authorization: 'Bearer sekrit' } });
    assert.ok(!('error' in missing) && missing.status === 404);
    const ok = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/hospital/rewind', headers: { Authorization: 'Bearer sekrit' } });
    assert.ok(!('error' in ok) && ok.status === 200);
    assert.equal((await metrics(s.backstage)).values.messages_sent, 0);
    await c.write(frameBytes(ACK)); // the reply to message 1, written before the rewind: not counted
    assert.equal(await recvIndex(c), 0, 'after the rewind the replay starts again');
    const dis = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/hospital/disconnect', headers: { Authorization: 'Bearer sekrit' } });
    assert.ok(!('error' in dis) && dis.status === 200);
    assert.equal((await c.next(5000)).type, 'close');
    const page = await httpRequest({ port: s.backstage, path: '/groups/hospital' });
    assert.ok(!('error' in page) && page.status === 200 && /hospital/.test(page.body));
  });
});

test('pacing: with --replay-in-real-time a message waits for its simulated time; --speed makes simulated time run faster', async () => {
  // The first message is at 08:00 and simulated time starts at 07:00 on that day.
  await withSim(['--replay-in-real-time'], async (s) => {
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal((await c.next(300)).type, 'timeout', 'an hour ahead: nothing yet');
    assert.equal((await metrics(s.backstage)).values.queue, 0, 'nothing is due');
    c.destroy();
  });
  await withSim(['--speed=72000'], async (s) => {
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal(await recvIndex(c), 0, 'at 20 simulated hours per second the hour passes in 50 ms');
    c.destroy();
  });
});

test('faults: corrupted, duplicated and fragmented messages are counted, logged and scored against the originals', async () => {
  await withSim(['--corrupt-rate=1', '--short-messages', '--duplicate-rate=1', '--on-nak=advance'], async (s) => {
    const c = new Conn();
    await c.open(s.mllp);
    let frames = 0;
    let originals = 0;
    for (;;) {
      const ev = await c.next(5000);
      if (ev.type !== 'frame') break;
      frames++;
      if (MESSAGES.includes(ev.text)) originals++;
      await c.write(frameBytes(ACK));
    }
    assert.equal(frames, 20, 'each message and its duplicate');
    assert.equal(originals, 10, 'the duplicates are the originals; the first copies are corrupted');
    await until(() => metrics(s.backstage), (m) => m.values.connections === 0);
    const m = await metrics(s.backstage);
    assert.equal(m.values.results_sent, 6, 'scored against the originals');
    assert.equal(m.values.false_negatives, 1);
    const fault = (kind: RegExp): number => m.all.filter((x) => x.name === 'simulator_faults_injected_total' && kind.test(x.labels)).reduce((a, x) => a + x.value, 0);
    assert.equal(fault(/kind="corrupt_/), 10);
    assert.equal(fault(/kind="duplicate"/), 10);
    assert.equal(fault(/kind="fragment"/), 10);
    assert.ok(s.sim.groups[0]!.recent.some((e) => e.type === 'fault'));
  });
});

test('faults: a pager answering 500 does not score the page', async () => {
  await withSim(['--pager-error-rate=1'], async (s) => {
    const r = await httpRequest({ port: s.pager, method: 'POST', path: '/page', body: '100000002' });
    assert.ok(!('error' in r) && r.status === 500);
    const m = await metrics(s.backstage);
    assert.equal(m.values.false_positives, 0);
    assert.ok(m.all.some((x) => x.name === 'simulator_faults_injected_total' && x.labels.includes('pager_error500') && x.value === 1));
  });
});

test('the exact scoring is exported beside the compatible one, and the course names come first with compatible values', async () => {
  await withSim([], async (s) => {
    await httpRequest({ port: s.pager, method: 'POST', path: '/page', body: '5' });
    await httpRequest({ port: s.pager, method: 'POST', path: '/page', body: '5' });
    const r = await httpRequest({ port: s.backstage, path: '/metrics' });
    assert.ok(!('error' in r));
    if ('error' in r) return;
    assert.match(r.body, /^true_positives\{group="hospital"\} 0\n/);
    assert.match(r.body, /\nsimulator_false_positives\{group="hospital",scoring="compatible"\} 1\n/);
    assert.match(r.body, /\nsimulator_false_positives\{group="hospital",scoring="exact"\} 1\n/);
    assert.match(r.body, /# TYPE simulator_page_latency_seconds histogram/);
  });
});

test('faults from a plan file: a scheduled drop loses the reply (the message is sent again), and a hanging pager answers 503 late', async () => {
  const dir = dataDir();
  fs.writeFileSync(path.join(dir, 'plan.yaml'), 'seed: 3\nmessages:\n  schedule:\n    - { at: 2, fault: drop }\n    - { at: 3, fault: delay, ms: 20 }\npager:\n  hang_rate: 1\n  hang_ms: 50\n');
  await withSim(
    ['--fault-plan=plan.yaml', '--rewind=false'],
    async (s) => {
      const a = new Conn();
      await a.open(s.mllp);
      for (const want of [0, 1]) {
        assert.equal(await recvIndex(a), want);
        await a.write(frameBytes(ACK));
      }
      assert.equal(await recvIndex(a), 2);
      assert.equal((await a.next()).type, 'close', 'dropped after writing message 2');
      await until(() => metrics(s.backstage), (m) => m.values.connections === 0);
      const b = new Conn();
      await b.open(s.mllp);
      assert.equal(await recvIndex(b), 2, 'message 2 again: its reply never counted');
      await b.write(frameBytes(ACK));
      assert.equal(await recvIndex(b), 3, 'message 3 after its delay');
      const r = await httpRequest({ port: s.pager, method: 'POST', path: '/page', body: '100000002' });
      assert.ok(!('error' in r) && r.status === 503, JSON.stringify(r));
      const m = await metrics(s.backstage);
      const fault = (kind: string): number => m.all.filter((x) => x.name === 'simulator_faults_injected_total' && x.labels.includes(`kind="${kind}"`)).reduce((n, x) => n + x.value, 0);
      assert.deepEqual([fault('drop_connection'), fault('delay'), fault('pager_hang')], [1, 1, 1]);
      assert.equal(m.values.false_positives, 0, 'the hung page is not scored');
      b.destroy();
    },
    dir,
  );
});

test("Go's flag forms are accepted: -flag value, --flag=value, --rewind=false", async () => {
  const { parseArgs } = await import('../src/core/config.js');
  const { command } = await import('../src/cli/simulate.js');
  const a = parseArgs(command.spec, ['-messages', 'm.mllp', '--akis=a.csv', '-mllp=9440', '--rewind=false', '-replay-in-real-time', '-html', '.'], {});
  assert.deepEqual([a.values.messages, a.values.akis, a.values.mllp, a.values.rewind, a.values.replayInRealTime], ['m.mllp', 'a.csv', 9440, false, true]);
  assert.equal(a.values.addr, '127.0.0.1', 'our default address is loopback');
});

test('--post-processed-messages: the post-processed bytes are sent, the originals are scored', async () => {
  const dir = dataDir();
  const post = MESSAGES.map((t) => t.replace('SOUTH RIVERSIDE', 'S\u00d6UTH RIVERSIDE'));
  fs.writeFileSync(path.join(dir, 'post.mllp'), Buffer.concat(post.map(frameBytes)));
  await withSim(
    ['--post-processed-messages=post.mllp', '--on-nak=advance'],
    async (s) => {
      const c = new Conn();
      await c.open(s.mllp);
      for (let i = 0; i < 10; i++) {
        const ev = await c.next();
        assert.equal(ev.type === 'frame' ? post.indexOf(ev.text) : null, i);
        if (i === 4) await httpRequest({ port: s.pager, method: 'POST', path: '/page', body: '100000001' });
        await c.write(frameBytes(ACK));
      }
      assert.equal((await c.next()).type, 'close');
      const m = await metrics(s.backstage);
      assert.deepEqual([m.values.true_positives, m.values.results_sent], [1, 6]);
    },
    dir,
  );
});

test('--simulated-time/--real-time pin the clock (with --rewind=false): the messages due by then are queued', async () => {
  // Pin "now" to 09:30 simulated: messages 0..3 (08:00, 08:05, 09:00, 09:30) are due.
  const now = new Date(Date.now() - 1000).toISOString().replace(/[-T:]/g, '').slice(0, 14);
  await withSim(['--replay-in-real-time', '--rewind=false', '--simulated-time=20240401093000', `--real-time=${now}`], async (s) => {
    assert.equal((await metrics(s.backstage)).values.queue, 4);
  });
  const bad = tmpDir();
  const { parseArgs } = await import('../src/core/config.js');
  const { command, configFromArgs } = await import('../src/cli/simulate.js');
  assert.throws(() => configFromArgs(parseArgs(command.spec, ['--simulated-time=20240401'], {}), { cwd: bad }, () => undefined), /go together/);
});

test('admin: a fault plan can be posted at run time with the token (400 listing the problems of a bad one)', async () => {
  await withSim(['--admin-token=t', '--rewind=false'], async (s) => {
    const auth = { Authorization: 'Bearer t' };
    const bad = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/hospital/faults', headers: auth, body: 'messages:\n  drop_rate: 7\n' });
    assert.ok(!('error' in bad) && bad.status === 400 && /rate/.test(bad.body), JSON.stringify(bad));
    const no = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/hospital/faults', body: 'messages:\n  schedule:\n    - { at: 1, fault: drop }\n' });
    assert.ok(!('error' in no) && no.status === 401);
    const ok = await httpRequest({ port: s.backstage, method: 'POST', path: '/groups/hospital/faults', headers: auth, body: 'messages:\n  schedule:\n    - { at: 1, fault: drop }\n' });
    assert.ok(!('error' in ok) && ok.status === 200, JSON.stringify(ok));
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal(await recvIndex(c), 0);
    await c.write(frameBytes(ACK));
    assert.equal(await recvIndex(c), 1);
    assert.equal((await c.next()).type, 'close', 'the posted plan drops the connection after message 1');
  });
});

test('nothing a client sends crashes the simulator: random bytes on the MLLP port and random page requests', async () => {
  const { createRng } = await import('../src/core/random.js');
  const rng = createRng('fuzz');
  await withSim(['--read-timeout=0.2', '--max-reply-bytes=512'], async (s) => {
    for (let k = 0; k < 30; k++) {
      const c = new Conn();
      await c.open(s.mllp);
      await c.next();
      const len = rng.int(0, 700);
      const bytes = Buffer.alloc(len);
      for (let i = 0; i < len; i++) bytes[i] = rng.chance(0.1) ? rng.pick([0x0b, 0x1c, 0x0d, 0x0a, 0x7c]) : rng.int(0, 256);
      await c.write(bytes);
      if (rng.chance(0.5)) c.destroy();
      else c.end();
      const body = Buffer.from(Array.from({ length: rng.int(0, 40) }, () => rng.int(0, 256))).toString('latin1');
      const r = await httpRequest({ port: s.pager, method: rng.pick(['POST', 'GET', 'PUT']), path: rng.pick(['/page', '/page?x=1', '/metrics', '/nope']), body });
      assert.ok(!('error' in r), JSON.stringify(r));
    }
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal(await recvIndex(c), 0, 'still serving');
    c.destroy();
    assert.equal((await httpRequest({ port: s.backstage, path: '/healthy' }) as { status: number }).status, 200);
  });
});

test('shutdown waits for the exchange in progress: the reply that arrives counts, and the state keeps it', async () => {
  const dir = dataDir();
  fs.mkdirSync(path.join(dir, 'state'));
  const s = await startSim(['--messages=messages.mllp', '--akis=akis.csv', '--state=state', '--rewind=false'], dir);
  const c = new Conn();
  await c.open(s.mllp);
  assert.equal(await recvIndex(c), 0);
  const closing = s.sim.close();
  await c.write(frameBytes(ACK));
  assert.equal((await c.next()).type, 'close', 'closed after the reply, no next message');
  await closing;
  await withSim(
    ['--state=state', '--rewind=false'],
    async (again) => {
      assert.equal((await metrics(again.backstage)).values.messages_sent, 1);
    },
    dir,
  );
});

test('a client that floods frames while nothing is in flight is cut off with an error; the simulator serves on', async () => {
  // In real time, pinned to message 0's time (08:00), the replay then waits 5 minutes for
  // message 1: nothing is in flight, so every frame the client sends is unsolicited. Without a
  // cap they were all kept, until the heap ran out and every group went down.
  const now = new Date(Date.now() - 1000).toISOString().replace(/[-T:]/g, '').slice(0, 14);
  await withSim(['--replay-in-real-time', '--rewind=false', '--simulated-time=20240401080000', `--real-time=${now}`], async (s) => {
    const a = new Conn();
    await a.open(s.mllp);
    assert.equal(await recvIndex(a), 0);
    await a.write(frameBytes(ACK));
    await until(() => metrics(s.backstage), (m) => m.values.messages_sent === 1, 5000, 'message 0 acknowledged');
    const empty = Buffer.from([0x0b, 0x1c, 0x0d]);
    const flood = Buffer.concat(Array.from({ length: 5000 }, () => empty));
    a.write(flood).catch(() => undefined);
    assert.equal((await a.next(5000)).type, 'close', 'the flooding client is disconnected');
    const m = await until(() => metrics(s.backstage), (x) => x.values.connections === 0, 5000, 'the connection gone');
    const errors = m.all.filter((x) => x.name === 'simulator_errors_total').reduce((n, x) => n + x.value, 0);
    assert.ok(errors >= 1, 'the flood is recorded as an error');
    // The next client is served: it waits for message 1's time, like any client would.
    const b = new Conn();
    await b.open(s.mllp);
    await until(() => metrics(s.backstage), (x) => x.values.connections === 1, 5000, 'a new connection');
    assert.equal((await metrics(s.backstage)).values.messages_sent, 1);
    b.destroy();
  });
});
