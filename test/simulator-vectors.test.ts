/**
 * The 35 conformance scenarios (test/fixtures/simulator/scoring-vectors.json, hand-made and
 * recorded against the course's Go simulator): every exact field must match — the frame
 * received at each step, closes, page statuses and bodies, all counts and F3 at every snapshot,
 * whether a latency sample exists, and the start-up figures. The reference crashes on an empty
 * reply frame; ours must stay up and treat it as a bad reply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Conn, frameBytes, httpRequest, metrics, parseMetrics, startSim, tmpDir, until, type StartedSim } from './simulator-helpers.js';
import { COURSE_METRICS } from '../src/simulator/metrics-text.js';

interface Step {
  op: string;
  conn?: string;
  frames?: string[];
  raw?: string;
  body?: string;
  method?: string;
  path?: string;
  ms?: number;
  settle?: boolean;
  timeout_ms?: number;
  expect?: Record<string, unknown>;
}
interface Scenario {
  name: string;
  simulator_flags: string[];
  messages: string[];
  akis_csv: string;
  expect_startup: { messages: number; akis: number; nhs_f3_log: string };
  steps: Step[];
  expect_crash?: unknown;
}

const NON_EXACT = ['latency', 'latencies_50', 'latencies_90'];
const doc = JSON.parse(fs.readFileSync(path.resolve('test/fixtures/simulator/scoring-vectors.json'), 'utf8')) as { scenarios: Scenario[] };

function exactMetrics(values: Record<string, number>): { metrics: Record<string, number>; latency_nonzero: Record<string, boolean> } {
  const m: Record<string, number> = {};
  for (const k of COURSE_METRICS) if (!NON_EXACT.includes(k)) m[k] = values[k] as number;
  const nz: Record<string, boolean> = {};
  for (const k of NON_EXACT) nz[k] = values[k] !== 0;
  return { metrics: m, latency_nonzero: nz };
}

async function settle(s: StartedSim): Promise<void> {
  await until(() => metrics(s.backstage), (m) => m.values.connections === 0, 3000, 'connections 0');
}

test('the scenario file holds the 35 recorded scenarios', () => {
  assert.equal(doc.scenarios.length, 35);
});

for (const sc of doc.scenarios) {
  test(`conformance: ${sc.name}`, async () => {
    const dir = tmpDir('vec-');
    fs.writeFileSync(path.join(dir, 'messages.mllp'), Buffer.concat(sc.messages.map(frameBytes)));
    fs.writeFileSync(path.join(dir, 'akis.csv'), sc.akis_csv, 'latin1');
    // The reference's NAK behaviour; a short read timeout so the garbage-reply scenario is quick.
    const s = await startSim(['--messages=messages.mllp', '--akis=akis.csv', '--on-nak=advance', '--read-timeout=0.5', ...sc.simulator_flags], dir);
    const conns: Record<string, Conn> = {};
    try {
      const c = s.sim.groups[0]!;
      assert.deepEqual(
        { messages: c.state.messages.length, akis: c.state.akis.akiTime.size, nhs_f3_log: c.state.akis.startupNhsF3.toFixed(6) },
        sc.expect_startup,
        'start-up figures',
      );
      for (const [i, st] of sc.steps.entries()) {
        const where = `${sc.name} step ${i} (${st.op}${st.conn ? ` ${st.conn}` : ''})`;
        const conn = (): Conn => conns[st.conn as string] as Conn;
        switch (st.op) {
          case 'connect': {
            const k = new Conn();
            await k.open(s.mllp);
            conns[st.conn as string] = k;
            break;
          }
          case 'recv': {
            const ev = await conn().next(st.timeout_ms ?? 5000);
            const got = ev.type === 'frame' ? sc.messages.indexOf(ev.text) : null;
            assert.equal(got, (st.expect as { message: number | null }).message, where);
            break;
          }
          case 'reply':
            await conn().write(st.raw !== undefined ? Buffer.from(st.raw, 'latin1') : Buffer.concat((st.frames ?? []).map(frameBytes)));
            break;
          case 'close':
            conn().end();
            await conn().next(3000);
            await settle(s);
            break;
          case 'wait_close': {
            let frames = 0;
            let ev;
            for (;;) {
              ev = await conn().next(st.timeout_ms ?? 5000);
              if (ev.type === 'frame') {
                frames++;
                continue;
              }
              break;
            }
            const want = st.expect as { closed: boolean; frames_before_close: number };
            assert.deepEqual({ closed: ev.type === 'close', frames_before_close: frames }, { closed: want.closed, frames_before_close: want.frames_before_close }, where);
            if (st.settle !== false) await settle(s);
            break;
          }
          case 'page': {
            const r = await httpRequest({ port: s.pager, method: st.method ?? 'POST', path: st.path ?? '/page', body: st.body });
            assert.ok(!('error' in r), `${where}: ${JSON.stringify(r)}`);
            const want = st.expect as { status: number; body: string };
            if (!('error' in r)) {
              assert.equal(r.status, want.status, `${where} body ${JSON.stringify(st.body)}`);
              if (want.status === 200) assert.equal(r.body, want.body, where);
            }
            break;
          }
          case 'metrics': {
            const m = await metrics(s.backstage);
            const want = st.expect as { metrics: Record<string, number>; latency_nonzero: Record<string, boolean> };
            assert.deepEqual(exactMetrics(m.values), exactMetrics({ ...want.metrics, ...Object.fromEntries(NON_EXACT.map((k) => [k, want.latency_nonzero[k] ? 1 : 0])) }), where);
            break;
          }
          case 'pager_metrics': {
            const r = await httpRequest({ port: s.pager, path: '/metrics' });
            assert.ok(!('error' in r));
            if ('error' in r) break;
            const m = parseMetrics(r.body);
            const want = st.expect as { status: number; metrics: Record<string, number>; latency_nonzero: Record<string, boolean>; labelled: boolean };
            assert.equal(r.status, want.status, where);
            assert.equal(Object.values(m.labels).some(Boolean), want.labelled, `${where}: labels`);
            assert.deepEqual(exactMetrics(m.values), exactMetrics({ ...want.metrics, ...Object.fromEntries(NON_EXACT.map((k) => [k, want.latency_nonzero[k] ? 1 : 0])) }), where);
            break;
          }
          case 'sleep':
            // Part of the scenario: lets the simulator accept a second connection before the first replies.
            await new Promise((r) => setTimeout(r, st.ms));
            break;
          case 'wait_exit': {
            // Only in empty-frame-crash: the reference exits with status 2; ours drops the
            // connection, counts the message and stays up.
            assert.ok(sc.expect_crash, where);
            const ev = await conns.A!.next(3000);
            assert.equal(ev.type, 'close', `${where}: the connection is dropped`);
            await settle(s);
            const m = await metrics(s.backstage);
            assert.equal(m.values.messages_sent, 2, 'the message answered by the empty frame counts as sent');
            const again = new Conn();
            await again.open(s.mllp);
            const first = await again.next(3000);
            assert.equal(first.type === 'frame' ? sc.messages.indexOf(first.text) : null, 0, 'still serving after the empty frame');
            again.destroy();
            break;
          }
          default:
            assert.fail(`unknown op ${st.op}`);
        }
      }
    } finally {
      for (const k of Object.values(conns)) k.destroy();
      await s.sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
