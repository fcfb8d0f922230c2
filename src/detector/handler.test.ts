import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../core/clock.js';
import { createRegistry } from '../core/metrics.js';
import { nhsModel, type Model } from '../aki/index.js';
import { buildAdmitMessage, buildDischargeMessage, buildResultMessage, parseHl7, readAck, readCourseMessage } from '../hl7/index.js';
import { ageAt, classifyInvalid, DeadLetterReason, MessageHandler, pageTimeText, type HandledMessage } from './handler.js';
import { createDetectorMetrics } from './metrics.js';
import { DetectorStore } from './store.js';

const T0 = Date.UTC(2024, 0, 10, 12, 0, 0);
const DAY = 86_400_000;

function setup(options: { model?: Model; badMessageAck?: 'AA' | 'AE' } = {}) {
  const store = DetectorStore.open(':memory:');
  const clock = new FakeClock(T0);
  const metrics = createDetectorMetrics(createRegistry());
  const handler = new MessageHandler({ store, model: options.model ?? nhsModel(), now: () => clock.now(), badMessageAck: options.badMessageAck, metrics });
  const send = (text: string | Buffer | undefined): HandledMessage => handler.handle({ payload: text === undefined ? undefined : typeof text === 'string' ? Buffer.from(text, 'latin1') : text, receivedAt: clock.now() });
  return { store, clock, handler, metrics, send };
}

const admit = (mrn: string, birth = Date.UTC(1980, 0, 1), sex: 'F' | 'M' = 'F', time = T0 - DAY) => buildAdmitMessage({ time, mrn, name: 'ANNA SMITH', birthDate: birth, sex });
const result = (mrn: string, time: number, value: number) => buildResultMessage({ time, mrn, value });

test('a creatinine result that doubles within a week pages once, with the OBR-7 time as sent', () => {
  const { send, store } = setup();
  assert.equal(send(admit('123456')).outcome, 'processed');
  const first = send(result('123456', T0, 80));
  assert.equal(first.page, undefined);
  const aki = send(result('123456', T0 + 2 * DAY, 200));
  assert.equal(aki.outcome, 'processed');
  assert.deepEqual(aki.page && { mrn: aki.page.mrn, timeText: aki.page.timeText }, { mrn: '123456', timeText: '20240112120000' });
  const ack = readAck(aki.ack);
  assert.equal(ack.ok && ack.code, 'AA');
  assert.deepEqual(
    store.pendingPages().map((p) => [p.mrn, p.timeText, p.status]),
    [['123456', '20240112120000', 'pending']],
  );
});

test('a result already stored (same MRN and observation time) is acknowledged and changes nothing', () => {
  const { send, store } = setup();
  send(admit('42'));
  send(result('42', T0, 80));
  const page = send(result('42', T0 + DAY, 200));
  assert.ok(page.page);
  const again = send(result('42', T0 + DAY, 200));
  assert.equal(again.outcome, 'duplicate');
  assert.equal(again.page, undefined);
  assert.equal(again.code, 'AA');
  assert.equal(store.counts().results, 2);
  assert.equal(store.allPages().length, 1);
  // The duplicate did not advance the patient's state: a third, normal result is judged against 80 and 200.
  const state = JSON.parse(store.getPatient('42')?.state ?? '{}') as { n: number };
  assert.equal(state.n, 2);
});

test('lenient parsing: segment ends, 12-digit times, extra segments, short and long MRNs, unknown types', async (t) => {
  const cases: { name: string; text: string; outcome: HandledMessage['outcome']; type: string }[] = [
    { name: '\\r segment ends', text: result('100001', T0, 90), outcome: 'processed', type: 'ORU^R01' },
    { name: '\\n segment ends', text: result('100002', T0, 90).replaceAll('\r', '\n'), outcome: 'processed', type: 'ORU^R01' },
    { name: '\\r\\n segment ends', text: result('100003', T0, 90).replaceAll('\r', '\r\n'), outcome: 'processed', type: 'ORU^R01' },
    {
      name: '12-digit times and an NK1 segment',
      text: 'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||202402171800||ORU^R01|||2.5\rPID|1||531904276\rNK1|1|JANE\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||107.9\r',
      outcome: 'processed',
      type: 'ORU^R01',
    },
    { name: 'a PV1 segment in an admission', text: admit('123').replace(/\r$/, '\rPV1|1|I\r'), outcome: 'processed', type: 'ADT^A01' },
    { name: '3-digit MRN', text: result('123', T0, 90), outcome: 'processed', type: 'ORU^R01' },
    { name: '9-digit MRN', text: result('123456789', T0, 90), outcome: 'processed', type: 'ORU^R01' },
    { name: 'a discharge', text: buildDischargeMessage({ time: T0, mrn: '123' }), outcome: 'processed', type: 'ADT^A03' },
    { name: 'an unknown message type', text: 'MSH|^~\\&|X|Y|||20240101000000||SIU^S12|||2.5\rSCH|1\r', outcome: 'ignored', type: 'SIU^S12' },
    { name: 'an admission without a birth date', text: 'MSH|^~\\&|X|Y|||20240101000000||ADT^A01|||2.5\rPID|1||555||A B||\r', outcome: 'processed', type: 'ADT^A01' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const { send } = setup();
      const h = send(c.text);
      assert.equal(h.outcome, c.outcome);
      assert.equal(h.type, c.type);
      assert.equal(h.code, 'AA');
    });
  }
});

test('corrupt messages become dead letters with a reason, are counted, and answered AA by default', async (t) => {
  const good = result('123456', T0, 90);
  const cases: { name: string; text: string | undefined; reason: string }[] = [
    { name: 'empty frame', text: undefined, reason: DeadLetterReason.emptyFrame },
    { name: 'not HL7', text: 'hello world', reason: DeadLetterReason.notHl7 },
    { name: 'random bytes', text: '\u0000\u00ff\u0013garbage|||', reason: DeadLetterReason.notHl7 },
    { name: 'creatinine abc', text: good.replace(/CREATININE\|\|[^\r]*/, 'CREATININE||abc'), reason: DeadLetterReason.badValue },
    { name: 'missing PID', text: good.replace(/PID\|[^\r]*\r/, ''), reason: DeadLetterReason.badMrn },
    { name: 'non-numeric MRN', text: good.replace('123456', '12A456'), reason: DeadLetterReason.badMrn },
    { name: 'bad observation time', text: good.replace(/OBR\|1\|\|\|\|\|\|\d+/, 'OBR|1||||||2024130199'), reason: DeadLetterReason.badTime },
    { name: 'no OBX', text: good.replace(/OBX\|[^\r]*\r/, ''), reason: DeadLetterReason.noCreatinine },
    { name: 'empty MSH-9', text: good.replace('ORU^R01', ''), reason: DeadLetterReason.noType },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const { send, store, metrics } = setup();
      const h = send(c.text);
      assert.equal(h.outcome, 'dead_letter');
      assert.equal(h.reason, c.reason);
      assert.equal(h.code, 'AA');
      assert.equal(readAck(h.ack).ok, true);
      assert.equal(store.counts().deadLetters, 1);
      const text = await metrics.registry.getSingleMetricAsString('detector_dead_letters_total');
      assert.match(text, new RegExp(`detector_dead_letters_total\\{reason="${c.reason}"\\} 1`));
    });
  }
});

test('the answer to a bad message can be AE, with an ERR segment naming the problem', () => {
  const { send } = setup({ badMessageAck: 'AE' });
  const h = send(result('1', T0, 90).replace(/CREATININE\|\|[^\r]*/, 'CREATININE||abc'));
  const ack = readAck(h.ack);
  assert.ok(ack.ok);
  assert.equal(ack.code, 'AE');
  assert.match(ack.errorText, /creatinine value 'abc'/);
  // Good messages are still AA.
  assert.equal(send(result('1', T0, 90)).code, 'AA');
});

test('the dead-letter reasons follow readCourseMessage wording (a change there fails here)', () => {
  const base = result('123456', T0, 90);
  const reasonOf = (text: string) => {
    const m = readCourseMessage(parseHl7(text));
    assert.equal(m.kind, 'invalid');
    return classifyInvalid(m.kind === 'invalid' ? m.reason : '');
  };
  assert.equal(reasonOf(base.replace('123456', 'x')), 'bad_mrn');
  assert.equal(reasonOf(base.replace(/OBR\|1\|\|\|\|\|\|\d+/, 'OBR|1||||||junk')), 'bad_time');
  assert.equal(reasonOf(base.replace(/CREATININE\|\|[^\r]*/, 'CREATININE||-5')), 'bad_value');
  assert.equal(reasonOf(base.replace(/OBX\|[^\r]*\r/, '')), 'no_creatinine');
});

test('demographics from the latest admission reach the model, with the age at the time of the result', () => {
  const seen: { age?: number | undefined; sex?: string | undefined }[] = [];
  const spy: Model = { ...nhsModel(), version: 'spy', predict: (_s, d) => (seen.push({ ...d }), { aki: false, score: 0 }) };
  const { send } = setup({ model: spy });
  send(result('7', T0, 90)); // no admission yet: no demographics
  send(admit('7', Date.UTC(2006, 0, 20), 'M', T0));
  send(result('7', T0 + DAY, 90)); // 2024-01-11: 6,566 days, 17 (the rule ignores leap days)
  send(result('7', T0 + 15 * DAY, 90)); // 2024-01-25: 18
  send(admit('7', Date.UTC(2006, 0, 20), 'F', T0 - 10 * DAY)); // an older admission does not replace the newer
  send(result('7', T0 + 16 * DAY, 90));
  assert.deepEqual(seen, [
    { age: undefined, sex: undefined },
    { age: 17, sex: 'm' },
    { age: 18, sex: 'm' },
    { age: 18, sex: 'm' },
  ]);
});

test('state survives a new handler (a restart): the store is the truth, not the cache', () => {
  const { store, clock } = setup();
  const h1 = new MessageHandler({ store, model: nhsModel(), now: () => clock.now() });
  h1.handle({ payload: Buffer.from(admit('9')), receivedAt: T0 });
  h1.handle({ payload: Buffer.from(result('9', T0, 80)), receivedAt: T0 });
  const h2 = new MessageHandler({ store, model: nhsModel(), now: () => clock.now() });
  const h = h2.handle({ payload: Buffer.from(result('9', T0 + DAY, 200)), receivedAt: T0 });
  assert.ok(h.page, 'the second handler sees the first result and pages');
});

test('frames that arrive together are handled in one transaction, ACKs in order', () => {
  const { handler, store } = setup();
  const out = handler.handleBatch([admit('5'), result('5', T0, 80), 'junk', result('5', T0 + DAY, 300)].map((t) => ({ payload: Buffer.from(t), receivedAt: T0 })));
  assert.deepEqual(
    out.map((h) => h.outcome),
    ['processed', 'processed', 'dead_letter', 'processed'],
  );
  assert.ok(out[3]?.page);
  assert.equal(store.counts().results, 2);
});

test('a store failure rolls the batch back and forgets the cached state, so a resend is handled afresh', () => {
  const { handler, store } = setup();
  handler.handle({ payload: Buffer.from(admit('8')), receivedAt: T0 });
  handler.handle({ payload: Buffer.from(result('8', T0, 80)), receivedAt: T0 });
  const original = store.insertPage.bind(store);
  store.insertPage = () => {
    throw new Error('disk full');
  };
  assert.throws(() => handler.handle({ payload: Buffer.from(result('8', T0 + DAY, 300)), receivedAt: T0 }), /disk full/);
  store.insertPage = original;
  assert.equal(store.counts().results, 1);
  const h = handler.handle({ payload: Buffer.from(result('8', T0 + DAY, 300)), receivedAt: T0 });
  assert.equal(h.outcome, 'processed');
  assert.ok(h.page);
  assert.equal((JSON.parse(store.getPatient('8')?.state ?? '{}') as { n: number }).n, 2);
});

test('ageAt follows the course rule (whole days ÷ 365) and refuses births after the result', () => {
  assert.equal(ageAt(Date.UTC(2000, 0, 1), Date.UTC(2024, 0, 1)), 24);
  assert.equal(ageAt(null, T0), undefined);
  assert.equal(ageAt(T0 + DAY, T0), undefined);
});

test('pageTimeText keeps 12- and 14-digit OBR-7 as sent and normalises anything else', () => {
  assert.equal(pageTimeText('202402172237', 0), '202402172237');
  assert.equal(pageTimeText('20240217223701', 0), '20240217223701');
  assert.equal(pageTimeText('20240217223701+0000', Date.UTC(2024, 1, 17, 22, 37, 1)), '20240217223701');
});

test('with streamStartFromFeed the live period starts at 00:00 UTC of the first result, is stored with it, kept by a restart and undone by a rollback', () => {
  const store = DetectorStore.open(':memory:');
  const starts: (number | null)[] = [];
  // A model that reports the live-period start it predicts with.
  const probe = (start: number | null): Model => ({ ...nhsModel(), streamStart: start, predict: () => (starts.push(start), { aki: false, score: 0 }), withStreamStart: (s) => probe(s) });
  const frame = (text: string) => ({ payload: Buffer.from(text), receivedAt: T0 });
  const h1 = new MessageHandler({ store, model: probe(0), streamStartFromFeed: true, now: () => T0 });
  assert.equal(h1.streamStart, 0, 'nothing is known before the first result');
  h1.handle(frame(admit('1')));
  assert.equal(store.getMeta('stream_start'), undefined, 'an admission does not start the live period');

  const original = store.setPrediction.bind(store);
  store.setPrediction = () => {
    throw new Error('disk full');
  };
  assert.throws(() => h1.handle(frame(result('1', T0 + 5 * DAY + 3_600_000, 80))), /disk full/);
  store.setPrediction = original;
  assert.equal(store.getMeta('stream_start'), undefined, 'rolled back with the result');
  assert.equal(h1.streamStart, 0);

  const dayOfFirst = Date.UTC(2024, 0, 15);
  h1.handle(frame(result('1', T0 + 5 * DAY + 3_600_000, 80))); // 2024-01-15 13:00
  h1.handle(frame(result('1', T0 + 9 * DAY, 85)));
  assert.equal(store.getMeta('stream_start'), String(dayOfFirst));
  const h2 = new MessageHandler({ store, model: probe(0), streamStartFromFeed: true, now: () => T0 });
  assert.equal(h2.streamStart, dayOfFirst, 'a restart reads the start from the store');
  h2.handle(frame(result('1', T0 + 10 * DAY, 90)));
  assert.deepEqual(starts, [dayOfFirst, dayOfFirst, dayOfFirst, dayOfFirst], 'the rolled-back attempt predicted with it too, then every result');
  // Without the option the model keeps the start it was given.
  assert.equal(new MessageHandler({ store, model: probe(7), now: () => T0 }).streamStart, 7);
});
