import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { loadBackfill, splitBatchText } from './backfill.js';
import { DetectorStore } from './store.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/detector/${name}`, import.meta.url), 'latin1');

test('the course backfill format (FSH/BSH, newline-separated segments) loads admissions', () => {
  const store = DetectorStore.open(':memory:');
  const r = loadBackfill(store, fixture('backfill-fsh.txt'));
  assert.deepEqual([r.messages, r.admissions, r.invalid, r.headers.join(',')], [3, 3, 0, 'FSH,BSH']);
  assert.deepEqual(store.getPatient('310001'), { mrn: '310001', birthDate: Date.UTC(2008, 4, 1), sex: 'f', admittedAt: Date.UTC(2024, 0, 4, 11, 11), state: null });
  assert.equal(store.getPatient('31003')?.sex, 'm');
});

test('standard HL7 batch files (FHS/BHS/BTS/FTS, CRLF) load too; other types are ignored and bad messages counted', () => {
  const store = DetectorStore.open(':memory:');
  const r = loadBackfill(store, fixture('backfill-fhs.txt'));
  assert.deepEqual([r.messages, r.admissions, r.ignored, r.invalid], [4, 2, 1, 1]);
  assert.match(r.problems.join('\n'), /MRN/);
  assert.equal(store.getPatient('555001')?.birthDate, Date.UTC(1950, 5, 1));
});

test('a backfilled admission older than one already stored does not replace it', () => {
  const store = DetectorStore.open(':memory:');
  store.putAdmission('310001', Date.UTC(2008, 4, 1), 'm', Date.UTC(2024, 1, 1));
  const r = loadBackfill(store, fixture('backfill-fsh.txt'));
  assert.equal(r.superseded, 1);
  assert.equal(store.getPatient('310001')?.sex, 'm');
});

test('text with no MSH line is refused with DET_ERR_BACKFILL', () => {
  const store = DetectorStore.open(':memory:');
  assert.throws(() => loadBackfill(store, 'FSH|^~\\&\nBSH|^~\\&\n'), { code: 'DET_ERR_BACKFILL' });
});

test('splitting arbitrary text never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      const r = splitBatchText(s);
      assert.ok(r.messages.every((m) => m.startsWith('MSH')));
    }),
    { numRuns: 300 },
  );
});
