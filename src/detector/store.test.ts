import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DetectorStore } from './store.js';

test('a store file is created, migrated, and keeps its rows across a reopen (WAL)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'det-store-'));
  try {
    const file = path.join(dir, 'd.sqlite');
    const a = DetectorStore.open(file);
    assert.equal(a.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(a.db.pragma('synchronous', { simple: true }), 2, 'FULL by default');
    a.insertResult('1', 5, 80, 'stream', 0);
    a.insertPage('1', 5, '20240101000000', 0);
    a.insertDeadLetter(0, 'not_hl7', 'junk', Buffer.from('junk'));
    a.close();
    const b = DetectorStore.open(file, { synchronous: 'normal' });
    assert.equal(b.db.pragma('synchronous', { simple: true }), 1);
    assert.deepEqual(b.counts(), { deadLetters: 1, results: 1, patients: 0 });
    assert.equal(b.pendingPages().length, 1);
    assert.equal(b.insertResult('1', 5, 99, 'stream', 0), false, '(MRN, time) is unique');
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not a database, or from a newer schema, is refused with DET_ERR_STORE', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'det-store-'));
  try {
    const junk = path.join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not sqlite, not at all, definitely not a database file header');
    assert.throws(() => DetectorStore.open(junk), { code: 'DET_ERR_STORE' });
    const newer = path.join(dir, 'newer.sqlite');
    const s = DetectorStore.open(newer);
    s.db.pragma('user_version = 99');
    s.close();
    assert.throws(() => DetectorStore.open(newer), { code: 'DET_ERR_STORE', message: /schema 99/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dead letters keep at most 64 KiB of the message', () => {
  const s = DetectorStore.open(':memory:');
  s.insertDeadLetter(0, 'not_hl7', 'big', Buffer.alloc(200_000, 65));
  assert.equal(s.db.prepare('SELECT length(raw) FROM dead_letters').pluck().get(), 65_536);
});
