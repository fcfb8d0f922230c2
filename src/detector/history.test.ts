import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nhsModel, parsePatientState } from '../aki/index.js';
import { buildResultMessage } from '../hl7/index.js';
import { MessageHandler } from './handler.js';
import { HISTORY_META_KEY, loadHistoryText, parseHistoryCsv, parseHistoryDate } from './history.js';
import { DetectorStore } from './store.js';

const HEADER = 'mrn,creatinine_date_0,creatinine_result_0,creatinine_date_1,creatinine_result_1,creatinine_date_2,creatinine_result_2';

test('history rows are read with CRLF or LF, a BOM, padding and ragged rows; bad cells are skipped and counted', () => {
  const text = `\uFEFF${HEADER}\r\n100,2024-01-01 07:25:00,73.16,2024-01-09 11:02:00,70.5,,\r\n200,2024-01-02 09:51:00,61.27\n300,2024-01-03 10:00:00,abc,2024-13-01 00:00:00,5,2024-01-04 10:00,55\nx1,2024-01-01 00:00:00,1\n\n`;
  const rows = parseHistoryCsv(text);
  assert.deepEqual([...rows.patients.keys()], ['100', '200', '300']);
  assert.deepEqual(rows.patients.get('100'), [
    { time: Date.UTC(2024, 0, 1, 7, 25), value: 73.16 },
    { time: Date.UTC(2024, 0, 9, 11, 2), value: 70.5 },
  ]);
  assert.deepEqual(rows.patients.get('300'), [{ time: Date.UTC(2024, 0, 4, 10, 0), value: 55 }]);
  assert.equal(rows.results, 4);
  assert.equal(rows.skipped, 3);
  assert.match(rows.problems.join('\n'), /bad MRN 'x1'/);
});

test('history dates are UTC; impossible dates are refused', () => {
  assert.equal(parseHistoryDate('2024-02-29 23:59:59'), Date.UTC(2024, 1, 29, 23, 59, 59));
  assert.equal(parseHistoryDate('2023-02-29 00:00:00'), undefined);
  assert.equal(parseHistoryDate('2024-01-01T00:00:00'), Date.UTC(2024, 0, 1));
  assert.equal(parseHistoryDate('01/01/2024 00:00'), undefined);
});

test('parsing arbitrary text never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const r = parseHistoryCsv(s);
      assert.ok(r.results >= 0);
    }),
    { numRuns: 300 },
  );
});

test('history is loaded once: a second start reads nothing, and the stream continues from it', () => {
  const store = DetectorStore.open(':memory:');
  const text = `${HEADER}\n500,2024-01-05 10:00:00,80,2024-01-01 10:00:00,90\n`;
  const first = loadHistoryText(store, text, 'test', 0);
  assert.deepEqual([first.loaded, first.patients, first.results], [true, 1, 2]);
  assert.ok(store.getMeta(HISTORY_META_KEY));
  const state = parsePatientState(JSON.parse(store.getPatient('500')?.state ?? 'null'));
  assert.equal(state.n, 2);
  assert.equal(state.lt, Date.UTC(2024, 0, 5, 10), 'results are added in time order, whatever the column order');
  const second = loadHistoryText(store, `${HEADER}\n600,2024-01-05 10:00:00,80\n`, 'test', 0);
  assert.equal(second.loaded, false);
  assert.equal(store.getPatient('600'), undefined);
  // A streamed result doubling the history's 80 within 7 days is an AKI (NHS, no demographics).
  const handler = new MessageHandler({ store, model: nhsModel(), now: () => 0 });
  const h = handler.handle({ payload: Buffer.from(buildResultMessage({ time: Date.UTC(2024, 0, 7), mrn: '500', value: 170 })), receivedAt: 0 });
  assert.ok(h.page);
  // A history result repeated by the stream is a duplicate.
  const dup = handler.handle({ payload: Buffer.from(buildResultMessage({ time: Date.UTC(2024, 0, 5, 10), mrn: '500', value: 80 })), receivedAt: 0 });
  assert.equal(dup.outcome, 'duplicate');
});

test('history loaded after the stream has started is merged in time order', () => {
  const store = DetectorStore.open(':memory:');
  const handler = new MessageHandler({ store, model: nhsModel(), now: () => 0 });
  handler.handle({ payload: Buffer.from(buildResultMessage({ time: Date.UTC(2024, 0, 10), mrn: '700', value: 100 })), receivedAt: 0 });
  loadHistoryText(store, `${HEADER}\n700,2024-01-01 00:00:00,50\n`, 'late', 0);
  const state = parsePatientState(JSON.parse(store.getPatient('700')?.state ?? 'null'));
  assert.deepEqual([state.n, state.lv, state.pv], [2, 100, 50]);
});
