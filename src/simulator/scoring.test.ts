/**
 * The two scorings, driven by events. The compatible one keeps the reference's flaws (tested
 * against the recorded vectors in test/simulator-vectors.test.ts); these tests show each flaw
 * next to what the exact scoring makes of the same events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairKey, parseAkiCsv } from './data.js';
import { GroupState } from './group-state.js';
import type { ReplayMessage } from './data.js';
import { ZERO_TIME } from './scoring-compatible.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 3, 1, 8);

function result(index: number, mrn: string, time: number): ReplayMessage {
  return { index, frame: Buffer.alloc(0), payload: Buffer.alloc(0), mshTime: time, mshTimeText: '', controlId: '', type: 'ORU^R01', result: { mrn, time, key: pairKey(mrn, time) } };
}

/** A: results at 9, 10 (AKI), 11; B: results at 9:30, 10:30; C: result at 12 (AKI, its last). */
function scenario(akis = 'mrn,date,aki,nhs\nA1,2024-04-01 10:00:00,y,y\n'): GroupState {
  const msgs = [result(0, '1', T0 + H), result(1, '2', T0 + 1.5 * H), result(2, '1', T0 + 2 * H), result(3, '2', T0 + 2.5 * H), result(4, '1', T0 + 3 * H), result(5, '3', T0 + 4 * H)];
  const s = new GroupState(msgs, parseAkiCsv(akis.replace('A1', '1')), T0, 0);
  return s;
}

function sendAll(s: GroupState, from: number, to: number, real = 1000): void {
  for (let i = from; i < to; i++) {
    s.apply({ type: 'write', real, index: i });
    s.apply({ type: 'reply', real: real + 1, index: i, code: 'AA', counted: true });
  }
}

test('flaw: a wrong-time page then the right one drives the compatible FN to -1 and F3 off; exact stays sane', () => {
  const s = scenario();
  sendAll(s, 0, 2);
  s.apply({ type: 'page', real: 2000, mrn: '1', time: T0 + H }); // wrong time (a real result time)
  sendAll(s, 2, 3);
  s.apply({ type: 'page', real: 3000, mrn: '1', time: T0 + 2 * H }); // right time
  const c = s.compatibleSnapshot();
  assert.equal(c.fn, -1, 'the reference books FN -1');
  const e = s.exact.scores();
  assert.deepEqual({ tp: e.tp, fp: e.fp, fn: e.fn }, { tp: 1, fp: 1, fn: 0 });
  assert.ok(e.f3 <= 1);
});

test('flaw: alternating wrong and right pages add compatible TPs (F3 above 1); exact counts each pair once', () => {
  const s = scenario();
  sendAll(s, 0, 6);
  for (let k = 0; k < 4; k++) {
    s.apply({ type: 'page', real: 5000 + k, mrn: '1', time: T0 + 3 * H });
    s.apply({ type: 'page', real: 5000 + k, mrn: '1', time: T0 + 2 * H });
  }
  const c = s.compatibleSnapshot();
  assert.ok(c.tp >= 4 && c.fn < 0, `compatible tp ${c.tp} fn ${c.fn}`);
  assert.ok(c.f3 > 1, `compatible F3 ${c.f3}`);
  const e = s.exact.scores();
  assert.deepEqual({ tp: e.tp, fp: e.fp, fn: e.fn }, { tp: 1, fp: 1, fn: 0 });
  assert.ok(e.f3 <= 1 && e.f3 >= 0);
});

test('flaw: an AKI whose patient has no later test is never missed by the compatible scoring; exact closes it at the end', () => {
  const s = scenario('mrn,date,aki,nhs\nA1,2024-04-01 10:00:00,y,y\n3,2024-04-01 12:00:00,y,y\n');
  sendAll(s, 0, 6);
  assert.equal(s.compatibleSnapshot().fn, 1, 'only A (which has a later result) is missed');
  const e = s.exact.scores();
  assert.equal(e.fn, 2, 'both AKIs are missed once the stream has ended');
  assert.ok(s.done);
});

test('exact FN counts AKIs already sent while the stream runs, and never goes negative', () => {
  const s = scenario();
  sendAll(s, 0, 2);
  assert.equal(s.exact.scores().fn, 0, 'the AKI result is not sent yet');
  sendAll(s, 2, 3);
  assert.equal(s.exact.scores().fn, 1);
  s.apply({ type: 'page', real: 4000, mrn: '1', time: T0 + 2 * H });
  s.apply({ type: 'page', real: 4001, mrn: '1', time: T0 + 2 * H });
  assert.deepEqual({ tp: s.exact.scores().tp, fn: s.exact.scores().fn }, { tp: 1, fn: 0 });
});

test('flaw: latency keyed by observation time alone collides across patients; exact latency is per (MRN, time) from the write', () => {
  // Two patients tested in the same minute.
  const t = T0 + H;
  const msgs = [result(0, '1', t), result(1, '2', t)];
  const s = new GroupState(msgs, parseAkiCsv('mrn,date,aki,nhs\n1,2024-04-01 09:00:00,y,y\n'), T0, 0);
  s.apply({ type: 'write', real: 1000, index: 0 });
  s.apply({ type: 'reply', real: 1001, index: 0, code: 'AA', counted: true });
  s.apply({ type: 'write', real: 9000, index: 1 });
  s.apply({ type: 'reply', real: 9001, index: 1, code: 'AA', counted: true });
  s.apply({ type: 'page', real: 9500, mrn: '1', time: t }); // A paged 8.5 s after its result was written
  const c = s.compatibleSnapshot();
  assert.equal(c.latency, 0.499, 'the reference measures from B\u2019s ACK (same minute)');
  const l = s.exact.latency();
  assert.equal(l.count, 1);
  assert.equal(l.max, 8.5, 'exact: from the moment A\u2019s result was written');
});

test('exact latency is measured from the write even when the page comes after the ACK (the reference switches to the ACK time)', () => {
  const s = scenario();
  s.apply({ type: 'write', real: 1000, index: 0 });
  s.apply({ type: 'reply', real: 1000, index: 0, code: 'AA', counted: true });
  s.apply({ type: 'write', real: 2000, index: 1 });
  s.apply({ type: 'reply', real: 2000, index: 1, code: 'AA', counted: true });
  s.apply({ type: 'write', real: 3000, index: 2 });
  s.apply({ type: 'reply', real: 3600, index: 2, code: 'AA', counted: true });
  s.apply({ type: 'page', real: 4000, mrn: '1', time: T0 + 2 * H });
  assert.equal(s.compatibleSnapshot().latency, 0.4);
  assert.equal(s.exact.latency().max, 1);
});

test('flaw: NHS false positives from earlier nhs=y rows are ignored by the compatible scoring; exact counts every row', () => {
  // MRN 2 has two nhs=y rows (9:30 and 10:30) and no AKI: the reference keeps only the last.
  const s = scenario('mrn,date,aki,nhs\nA1,2024-04-01 10:00:00,y,y\n2,2024-04-01 09:30:00,n,y\n2,2024-04-01 10:30:00,n,y\n');
  sendAll(s, 0, 6);
  const c = s.compatibleSnapshot();
  assert.deepEqual({ tp: c.nhsTp, fp: c.nhsFp, fn: c.nhsFn }, { tp: 1, fp: 1, fn: 0 });
  const e = s.exact.scores().nhs;
  assert.deepEqual({ tp: e.tp, fp: e.fp, fn: e.fn }, { tp: 1, fp: 2, fn: 0 });
});

test('a page with no result yet refers to time zero: an FP in both scorings, no latency sample', () => {
  const s = scenario();
  s.apply({ type: 'page', real: 10, mrn: '9', time: ZERO_TIME });
  assert.equal(s.compatibleSnapshot().fp, 1);
  assert.equal(s.exact.scores().fp, 1);
  assert.equal(s.exact.latency().count, 0);
  assert.equal(s.compatibleSnapshot().latencySamples, 0);
});

test('a NAK under the resend policy does not move the position or score; a rewind resets both scorings', () => {
  const s = scenario();
  s.apply({ type: 'write', real: 1, index: 0 });
  s.apply({ type: 'reply', real: 2, index: 0, code: 'AE', counted: false });
  assert.equal(s.position, 0);
  assert.equal(s.resends, 1);
  assert.equal(s.compatibleSnapshot().messagesSent, 0);
  sendAll(s, 0, 3);
  s.apply({ type: 'page', real: 5, mrn: '1', time: T0 + 2 * H });
  s.apply({ type: 'rewind', real: 10, sim: T0 });
  assert.equal(s.position, 0);
  assert.deepEqual({ tp: s.exact.scores().tp, tp2: s.compatibleSnapshot().tp, sent: s.compatibleSnapshot().messagesSent }, { tp: 0, tp2: 0, sent: 0 });
});
