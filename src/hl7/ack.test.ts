import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AckCode, buildAck, readAck } from './ack.js';
import { parseHl7 } from './message.js';

const T = Date.UTC(2024, 1, 17, 22, 37, 8);
const ORU = 'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|LIMS^1.2.3^ISO|WARD|20240217223707||ORU^R01|MSG00042|P|2.5\rPID|1||531904276\rOBR|1||||||20240217223707\rOBX|1|SN|CREATININE||107.9\r';

describe('buildAck', () => {
  it('builds AA with MSH-3..6 swapped (all components), the given time and control id, and MSA-2 = MSH-10', () => {
    const ack = buildAck({ message: parseHl7(ORU), code: AckCode.accept, time: T, controlId: 'ACK7' });
    assert.equal(ack, 'MSH|^~\\&|LIMS^1.2.3^ISO|WARD|SIMULATION|SOUTH RIVERSIDE|20240217223708||ACK|ACK7|P|2.5\rMSA|AA|MSG00042\r');
  });

  it('is a pure function of its inputs: no clock inside (unlike libraries that bake new Date() into ACKs)', () => {
    const a = buildAck({ message: parseHl7(ORU), code: 'AA', time: T });
    const b = buildAck({ message: parseHl7(ORU), code: 'AA', time: T });
    assert.equal(a, b);
    assert.notEqual(buildAck({ message: parseHl7(ORU), code: 'AA', time: T + 1000 }), a);
  });

  it('echoes an empty MSH-10 as an empty MSA-2 (the course data has none)', () => {
    const m = parseHl7('MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240217223707||ORU^R01|||2.5\rPID|1||1\r');
    assert.equal(buildAck({ message: m, code: 'AA', time: T }), 'MSH|^~\\&|||SIMULATION|SOUTH RIVERSIDE|20240217223708||ACK||P|2.5\rMSA|AA|\r');
  });

  it('adds an ERR segment to AE and AR, with a table 0357 code and the text in ERR-8', () => {
    const ae = buildAck({ message: parseHl7(ORU), code: AckCode.error, time: T, errorText: 'bad value | here' });
    assert.equal(ae.split('\r')[2], 'ERR|||207^Application internal error^HL70357|E||||bad value \\F\\ here');
    const ar = buildAck({ message: parseHl7(ORU), code: AckCode.reject, time: T, errorCode: '200', errorText: 'no' });
    assert.equal(ar.split('\r')[1], 'MSA|AR|MSG00042');
    assert.equal(ar.split('\r')[2], 'ERR|||200^Unsupported message type^HL70357|E||||no');
    assert.equal(buildAck({ code: 'AE', time: T, errorCode: '999' }).split('\r')[2], 'ERR|||999^Error^HL70357|E||||');
  });

  it('answers a message that could not be parsed with empty addresses', () => {
    assert.equal(buildAck({ code: 'AR', time: T, errorText: 'not HL7' }), 'MSH|^~\\&|||||20240217223708||ACK||P|2.5\rMSA|AR|\rERR|||207^Application internal error^HL70357|E||||not HL7\r');
  });

  it('re-escapes addresses of a message with other delimiters into the default ones', () => {
    const m = parseHl7('MSH#$*@%#A|B#F$X#R#RF#20240217##ORU$R01#ID9#P#2.5\r');
    const ack = buildAck({ message: m, code: 'AA', time: T });
    assert.equal(ack, 'MSH|^~\\&|R|RF|A\\F\\B|F^X|20240217223708||ACK||P|2.5\rMSA|AA|ID9\r');
  });
});

describe('readAck', () => {
  it('says what an ACK acknowledges', () => {
    const ack = buildAck({ message: parseHl7(ORU), code: 'AE', time: T, controlId: 'A1', errorText: 'oops' });
    assert.deepEqual(readAck(ack), { ok: true, code: 'AE', acknowledges: 'MSG00042', controlId: 'A1', errorText: 'oops' });
    assert.deepEqual(readAck(Buffer.from('MSH|^~\\&|||||20240217223707||ACK|||2.5\rMSA|AA\r')), { ok: true, code: 'AA', acknowledges: '', controlId: '', errorText: '' });
  });

  it('reports any MSA-1 code as it is (CA, CE... and unknown)', () => {
    const r = readAck('MSH|^~\\&|A\rMSA|CA|X\r');
    assert.ok(r.ok);
    assert.equal(r.code, 'CA');
  });

  it('gives a reason, never throws, for what is not an ACK', () => {
    assert.deepEqual(readAck('MSH|^~\\&|A\rPID|1\r'), { ok: false, reason: 'no MSA segment' });
    assert.deepEqual(readAck('MSH|^~\\&|A\rMSA||X\r'), { ok: false, reason: 'MSA-1 is empty' });
    const r = readAck('garbage');
    assert.equal(r.ok, false);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 })), (x) => {
        const out = readAck(x);
        assert.equal(typeof out.ok, 'boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('reads back what buildAck built, for any control ids and texts', () => {
    fc.assert(
      fc.property(fc.constantFrom('AA', 'AE', 'AR'), fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (code, msgId, ackId, text) => {
        const m = parseHl7(`MSH|^~\\&|A|B|C|D|20240217||ORU^R01|${msgId.replace(/[|^~\\&\r\n]/g, '')}|P|2.5\r`);
        const r = readAck(buildAck({ message: m, code: code as AckCode, time: T, controlId: ackId, errorText: text }));
        assert.ok(r.ok);
        assert.equal(r.code, code);
        assert.equal(r.acknowledges, m.controlId);
        assert.equal(r.controlId, ackId);
        assert.equal(r.errorText, code === 'AA' ? '' : text);
      }),
      { numRuns: 300 },
    );
  });
});
