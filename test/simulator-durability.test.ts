/**
 * Durability: a replay killed with SIGKILL at several random points and restarted each time
 * (--state, --rewind=false) ends with the same exact metrics as an uninterrupted replay, and
 * resumes position and time base exactly (also when the restarted process has another TZ).
 * A log in the reference's text format is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ACK, Conn, frameBytes, httpRequest, metrics, spawnSim, startSim, tmpDir, until } from './simulator-helpers.js';
import { akiKeys, runClient } from './simulator-client.js';
import { validateReport, type GroupReport } from '../src/simulator/report.js';
import { createRng } from '../src/core/random.js';

function generate(seed: number): string {
  const dir = tmpDir('simgen-');
  const r = spawnSync(process.execPath, [path.resolve('bin/swemls.js'), 'generate', '--seed', String(seed), '--days', '3', '--history', '10', '--out', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

/** What must survive: both scorings' counts and the message counts (latencies are timing). */
function finalFigures(g: GroupReport): unknown {
  return { exact: g.exact, compatible: g.compatible, sent: g.messages.sent, results: g.messages.results, total: g.messages.total };
}

/** Pages the AKIs, plus a wrong page (FP) for every 40th result, so both TP and FP are exercised. */
function pagePlan(data: string): Set<string> {
  const keys = akiKeys(fs.readFileSync(path.join(data, 'aki.csv'), 'utf8'));
  const text = fs.readFileSync(path.join(data, 'messages.mllp'), 'latin1');
  let n = 0;
  for (const m of text.matchAll(/PID\|1\|\|(\d+)\rOBR\|1\|\|\|\|\|\|(\d+)/g)) if (++n % 40 === 0) keys.add(`${m[1]}@${m[2]}`);
  return keys;
}

/**
 * A state directory's data for one patient: admission 08:00, results 09:00 (80) and 10:00 (250,
 * the AKI), then `last` (a fourth message, if any); an empty `state/` beside them.
 */
function alice(prefix: string, last?: string): string {
  const dir = tmpDir(prefix);
  const msgs = [
    'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240401080000||ADT^A01|||2.5\rPID|1||100000001||ALICE SMITH||19600101|F\r',
    'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240401090000||ORU^R01|||2.5\rPID|1||100000001\rOBR|1||||||20240401090000\rOBX|1|SN|CREATININE||80.0\r',
    'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240401100000||ORU^R01|||2.5\rPID|1||100000001\rOBR|1||||||20240401100000\rOBX|1|SN|CREATININE||250.0\r',
    ...(last ? [last] : []),
  ];
  fs.writeFileSync(path.join(dir, 'messages.mllp'), Buffer.concat(msgs.map((t) => frameBytes(t))));
  fs.writeFileSync(path.join(dir, 'akis.csv'), 'mrn,date,aki,nhs\n100000001,2024-04-01 10:00:00,y,y\n');
  fs.mkdirSync(path.join(dir, 'state'));
  return dir;
}

test('kill -9 at random points (--state-sync fsync and write), restarted each time, ends with the same exact metrics as an uninterrupted replay', async () => {
  const data = generate(21);
  const total = fs.readFileSync(path.join(data, 'messages.mllp')).filter((b) => b === 0x0b).length;
  const plan = pagePlan(data);
  const common = ['--messages', 'messages.mllp', '--akis', 'aki.csv', '--rewind=false', '--exit-when-done', '--grace', '0'];

  // Uninterrupted.
  const s1 = tmpDir('state-');
  const r1 = path.join(s1, 'report');
  const a = await spawnSim([...common, '--state', s1, '--report', r1], { cwd: data });
  await runClient({ port: a.mllp, pager: a.pager, pageAt: plan });
  assert.equal((await a.exited).code, 0);
  const want = validateReport(JSON.parse(fs.readFileSync(path.join(r1, 'report.json'), 'utf8'))).groups[0]!;
  assert.ok(want.exact.tp > 0 && want.exact.fp > 0, 'the plan exercises TP and FP');

  // Interrupted at three random points.
  const rng = createRng('kill-points');
  const kills = [rng.int(5, total / 3), rng.int(total / 3, (2 * total) / 3), rng.int((2 * total) / 3, total - 5)].map(Math.floor);
  const s2 = tmpDir('state-');
  const r2 = path.join(s2, 'report');
  let received = 0;
  let timeBase: { sim: number; real: number } | null = null;
  for (let run = 0; ; run++) {
    // Alternate time zones and both durability modes across the restarts.
    const tz = run % 2 ? 'Asia/Tokyo' : 'America/New_York';
    const sync = run % 2 ? 'write' : 'fsync';
    const sim = await spawnSim([...common, '--state', s2, '--state-sync', sync, '--report', r2], { cwd: data, env: { TZ: tz } });
    const m = await metrics(sim.backstage);
    const base = { sim: m.values.simulator_time_base_simulated_seconds as number, real: m.values.simulator_time_base_real_seconds as number };
    if (timeBase === null) timeBase = base;
    else assert.deepEqual(base, timeBase, `run ${run} (TZ=${tz}) resumes the time base`);
    const position = m.values.messages_sent as number;
    if (run > 0) assert.ok(position > 0 && position <= received, `run ${run} resumes at ${position} (client had received ${received})`);
    const killAt = kills[run];
    const client = runClient({
      port: sim.mllp,
      pager: sim.pager,
      pageAt: plan,
      onMessage: () => {
        received++;
        if (killAt !== undefined && received === killAt) sim.proc.kill('SIGKILL');
      },
    });
    await client;
    const exit: { code: number | null; signal: NodeJS.Signals | null } = await sim.exited;
    if (killAt !== undefined) {
      assert.equal(exit.signal, 'SIGKILL', `run ${run} was killed`);
      continue;
    }
    assert.equal(exit.code, 0, sim.stderr());
    break;
  }
  const got = validateReport(JSON.parse(fs.readFileSync(path.join(r2, 'report.json'), 'utf8'))).groups[0]!;
  assert.deepEqual(finalFigures(got), finalFigures(want));
  assert.ok(received > total, 'messages in flight at a kill were sent again');
});

test("a state directory holding the reference simulator's text log is read: position, pages and time base", async () => {
  const dir = alice('reflog-', 'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240401110000||ORU^R01|||2.5\rPID|1||100000001\rOBR|1||||||20240401110000\rOBX|1|SN|CREATININE||260.0\r');
  fs.writeFileSync(
    path.join(dir, 'state', 'hospital.log'),
    [
      'Rewind 20240401070000 20260101120000 0',
      'Send 20240401080000 20260101120001 0',
      'Send 20240401090000 20260101120002 1',
      'Send 20240401100000 20260101120003 2',
      'Page 20240401100000 20260101120004 100000001',
      '',
    ].join('\n'),
  );
  const s = await startSim(['--messages=messages.mllp', '--akis=akis.csv', '--state=state', '--rewind=false'], dir);
  try {
    const m = await metrics(s.backstage);
    assert.equal(m.values.messages_sent, 3);
    assert.equal(m.values.results_sent, 2);
    assert.equal(m.values.true_positives, 1);
    assert.equal(m.values.queue, 1);
    assert.equal(m.values.simulator_time_base_simulated_seconds, Date.UTC(2024, 3, 1, 7) / 1000);
    assert.equal(m.values.simulator_time_base_real_seconds, Date.UTC(2026, 0, 1, 12) / 1000);
    assert.ok(fs.existsSync(path.join(dir, 'state', 'hospital.events.jsonl')), 'converted to our log');
  } finally {
    await s.sim.close();
  }
});

test('an admin rewind and a refused page are on disk before they are answered: kill -9 right after keeps them', async () => {
  const dir = alice('admin-durable-', 'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240401110000||ADT^A03|||2.5\rPID|1||100000001\r');
  fs.writeFileSync(path.join(dir, 'plan.yaml'), 'pager:\n  error_rate: 1\n');
  const argv = ['--messages=messages.mllp', '--akis=akis.csv', '--state=state', '--rewind=false', '--admin-token=t', '--fault-plan=plan.yaml'];
  const a = await spawnSim(argv, { cwd: dir });
  try {
    const c = new Conn();
    await c.open(a.mllp);
    for (let i = 0; i < 3; i++) {
      assert.equal((await c.next()).type, 'frame');
      await c.write(frameBytes(ACK));
    }
    await until(() => metrics(a.backstage), (m) => m.values.messages_sent === 3, 5000, 'three messages acknowledged');
    c.destroy();
    await until(() => metrics(a.backstage), (m) => m.values.connections === 0, 5000, 'disconnected');
    const page = await httpRequest({ port: a.pager, method: 'POST', path: '/page', body: '100000001,20240401100000' });
    assert.ok(!('error' in page) && page.status === 500, JSON.stringify(page));
    const rw = await httpRequest({ port: a.backstage, method: 'POST', path: '/groups/hospital/rewind', headers: { Authorization: 'Bearer t' } });
    assert.ok(!('error' in rw) && rw.status === 200, JSON.stringify(rw));
    a.proc.kill('SIGKILL'); // at once: nothing else has happened since the answers
    await a.exited;
  } finally {
    a.proc.kill('SIGKILL');
  }
  const b = await spawnSim(argv, { cwd: dir });
  try {
    const m = await metrics(b.backstage);
    assert.equal(m.values.messages_sent, 0, 'the rewind survived the kill');
    const faults = m.all.filter((x) => x.name === 'simulator_faults_injected_total' && x.labels.includes('kind="pager_error500"')).reduce((n, x) => n + x.value, 0);
    assert.equal(faults, 1, 'the refused page survived the kill');
  } finally {
    b.proc.kill('SIGKILL');
    await b.exited;
  }
});

test('flaw fixed: with --state-sync fsync an event is fdatasync-ed before the next message goes out and before a page is answered', async (t) => {
  // The reference syncs its log only after a quiet second. Here every fdatasync records how far
  // the file reached when it was asked for; at each visible step that must cover the event.
  const dir = alice('fsync-order-');
  const log = path.join(dir, 'state', 'hospital.events.jsonl');
  let synced = 0;
  const original = fs.fdatasync;
  // The event log calls fs.fdatasync(fd, callback).
  (fs as { fdatasync: unknown }).fdatasync = (fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    const size = fs.fstatSync(fd).size;
    original(fd, (err) => {
      if (!err) synced = Math.max(synced, size);
      cb(err);
    });
  };
  t.after(() => {
    (fs as { fdatasync: unknown }).fdatasync = original;
  });
  /** Byte offset just past the first log line that matches. */
  const endOf = (re: RegExp): number => {
    const text = fs.readFileSync(log, 'utf8');
    let at = 0;
    for (const line of text.split('\n')) {
      at += Buffer.byteLength(line) + 1;
      if (re.test(line)) return at;
    }
    throw new Error(`no event ${String(re)} in the log`);
  };
  const s = await startSim(['--messages=messages.mllp', '--akis=akis.csv', '--state=state', '--rewind=false', '--state-sync=fsync'], dir);
  try {
    const c = new Conn();
    await c.open(s.mllp);
    assert.equal((await c.next()).type, 'frame');
    await c.write(frameBytes(ACK));
    assert.equal((await c.next()).type, 'frame', 'message 1 arrives');
    assert.ok(synced >= endOf(/"type":"reply".*"index":0/), 'the reply to message 0 was on disk before message 1 was written');
    const page = await httpRequest({ port: s.pager, method: 'POST', path: '/page', body: '100000001,20240401090000' });
    assert.ok(!('error' in page) && page.status === 200, JSON.stringify(page));
    assert.ok(synced >= endOf(/"type":"page"/), 'the page was on disk before it was answered');
    c.destroy();
  } finally {
    await s.sim.close();
  }
});
