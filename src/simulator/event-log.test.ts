import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventLog, readReferenceLog } from './event-log.js';
import { ZERO_TIME } from './scoring-compatible.js';

test('events written are read back; a torn last line (a crash mid-write) is dropped and cut off', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evlog-'));
  const a = EventLog.open(dir, 'g1');
  assert.equal(a.source, 'new');
  a.log.append({ type: 'rewind', real: 1.5, sim: 2 });
  a.log.append({ type: 'write', real: 3, index: 0 });
  await a.log.sync();
  a.log.close();
  fs.appendFileSync(path.join(dir, 'g1.events.jsonl'), '{"type":"reply","real":4,"ind');
  const b = EventLog.open(dir, 'g1');
  assert.equal(b.source, 'ours');
  assert.deepEqual(b.events, [
    { type: 'rewind', real: 1.5, sim: 2 },
    { type: 'write', real: 3, index: 0 },
  ]);
  assert.equal(b.skipped, 1);
  b.log.append({ type: 'reply', real: 5, index: 0, code: 'AA', counted: true });
  b.log.close();
  const c = EventLog.open(dir, 'g1');
  assert.equal(c.events.length, 3, 'the new event starts on a line of its own');
  c.log.close();
});

test('a state path that is not a directory is a clear error', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'evlog-')), 'f');
  fs.writeFileSync(file, '');
  assert.throws(() => EventLog.open(file, 'g'), /SIM_ERR_STATE|not a directory/);
  assert.throws(() => EventLog.open(path.join(file, 'nope'), 'g'), /does not exist/);
});

test("the reference's text log: Rewind, Send, Page (time zero too), Error; unknown lines skipped", () => {
  const r = readReferenceLog('Rewind 20240401070000 20260101120000 0\nSend 20240401080000 20260101120001 0\nPage 00010101000000 20260101120002 42\nError 00010101000000 20260101120003 0\nReceive x y z\n\n');
  assert.equal(r.skipped, 1);
  assert.deepEqual(
    r.events.map((e) => e.type),
    ['rewind', 'write', 'reply', 'page', 'error'],
  );
  const page = r.events[3] as { mrn: string; time: number };
  assert.deepEqual([page.mrn, page.time], ['42', ZERO_TIME]);
});
