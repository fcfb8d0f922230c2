import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildAdmitMessage, buildDischargeMessage, buildResultMessage, readCourseMessage, type CourseMessage } from './course-messages.js';
import { parseHl7 } from './message.js';

const read = (text: string): CourseMessage => readCourseMessage(parseHl7(text));
const H = 'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||';

describe('course message builders', () => {
  it('build ADT^A01 in the generator shape, byte for byte', () => {
    const text = buildAdmitMessage({ time: Date.UTC(2024, 2, 7, 9, 30, 15), mrn: '731904556', name: 'TOMASZ NOWAK', birthDate: Date.UTC(1988, 1, 29), sex: 'M' });
    assert.equal(text, `${H}20240307093015||ADT^A01|||2.5\rPID|1||731904556||TOMASZ NOWAK||19880229|M\r`);
  });

  it('build ADT^A03 in the generator shape, byte for byte', () => {
    assert.equal(buildDischargeMessage({ time: Date.UTC(2024, 2, 9, 17, 5, 44), mrn: '731904556' }), `${H}20240309170544||ADT^A03|||2.5\rPID|1||731904556\r`);
  });

  it('build ORU^R01 with OBR-7 = MSH-7 and OBX-5 as Python prints the float', () => {
    const t = Date.UTC(2024, 2, 7, 14, 15, 2);
    assert.equal(
      buildResultMessage({ time: t, mrn: '731904556', value: 131.40517289303847 }),
      `${H}20240307141502||ORU^R01|||2.5\rPID|1||731904556\rOBR|1||||||20240307141502\rOBX|1|SN|CREATININE||131.40517289303847\r`,
    );
    assert.ok(buildResultMessage({ time: t, mrn: '1', value: 100 }).endsWith('OBX|1|SN|CREATININE||100.0\r'));
  });

  it('fill MSH-10 when a control id is given (escaped)', () => {
    const text = buildDischargeMessage({ time: 0, mrn: '5', controlId: 'G1|7' });
    assert.equal(text, `${H}19700101000000||ADT^A03|G1\\F\\7||2.5\rPID|1||5\r`);
    assert.equal(parseHl7(text).controlId, 'G1|7');
  });

  it('are read back to the values they were built from (build → parse → read → build is stable)', () => {
    const time = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => Math.floor(ms / 1000) * 1000);
    const mrn = fc.stringMatching(/^[1-9][0-9]{2,9}$/);
    fc.assert(
      fc.property(time, mrn, fc.double({ min: 0, max: 5000, noNaN: true }), (t, m, v) => {
        const text = buildResultMessage({ time: t, mrn: m, value: v });
        const r = read(text);
        assert.equal(r.kind, 'result');
        if (r.kind !== 'result') return;
        assert.equal(r.mrn, m);
        assert.equal(r.time, t);
        assert.deepEqual(r.values, [v]);
        assert.equal(buildResultMessage({ time: r.time, mrn: r.mrn, value: r.values[0] as number }), text);
        assert.equal(parseHl7(text).toString(), text);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(time, mrn, fc.stringMatching(/^[A-Z]{1,12} [A-Z]{1,12}$/), fc.integer({ min: -20000, max: 20000 }), fc.constantFrom('F' as const, 'M' as const), (t, m, name, day, sex) => {
        const birth = day * 86_400_000;
        const text = buildAdmitMessage({ time: t, mrn: m, name, birthDate: birth, sex });
        assert.deepEqual(read(text), { kind: 'admit', mrn: m, name, birthDate: birth, sex, time: t });
        assert.equal(parseHl7(text).toString(), text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('readCourseMessage', () => {
  it('reads an admission, discharge and result', () => {
    assert.deepEqual(read(`${H}202403051015||ADT^A01|||2.5\rPID|1||4821||PRIYA KAUR||19610722|F\r`), {
      kind: 'admit',
      mrn: '4821',
      name: 'PRIYA KAUR',
      birthDate: Date.UTC(1961, 6, 22),
      sex: 'F',
      time: Date.UTC(2024, 2, 5, 10, 15),
    });
    assert.deepEqual(read(`${H}202403071130||ADT^A03|||2.5\rPID|1||307\r`), { kind: 'discharge', mrn: '307', time: Date.UTC(2024, 2, 7, 11, 30) });
    assert.deepEqual(read(`${H}202403051200||ORU^R01|||2.5\rPID|1||307\rOBR|1||||||202403051547\rOBX|1|SN|CREATININE||87.2\r`), {
      kind: 'result',
      mrn: '307',
      time: Date.UTC(2024, 2, 5, 15, 47),
      timeText: '202403051547',
      values: [87.2],
    });
  });

  it('keys a result on OBR-7, not MSH-7', () => {
    const r = read(`${H}202402171800||ORU^R01|||2.5\rPID|1||1\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||1.0\r`);
    assert.ok(r.kind === 'result');
    assert.equal(r.timeText, '202402172237');
  });

  it('collects every creatinine OBX and skips other tests', () => {
    const r = read(`${H}20240217||ORU^R01|||2.5\rPID|1||1\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||1.5\rOBX|2|SN|POTASSIUM||4.1\rOBX|3|SN|creatinine||2e2\r`);
    assert.ok(r.kind === 'result');
    assert.deepEqual(r.values, [1.5, 200]);
  });

  it('reads a missing or odd sex as U and an unreadable birth date as undefined', () => {
    const r = read(`${H}20240217||ADT^A01|||2.5\rPID|1||12||X Y||1961|x\r`);
    assert.ok(r.kind === 'admit');
    assert.equal(r.sex, 'U');
    assert.equal(r.birthDate, undefined);
  });

  it('reads the MRN from the first component of the first repetition of PID-3', () => {
    const r = read(`${H}20240217||ADT^A03|||2.5\rPID|1||555^^^HOSP^MR~999^^^NHS\r`);
    assert.deepEqual(r, { kind: 'discharge', mrn: '555', time: Date.UTC(2024, 1, 17) });
  });

  const invalid: readonly (readonly [string, RegExp])[] = [
    [`${H}20240217||ORU^R01|||2.5\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||1\r`, /MRN/],
    [`${H}20240217||ORU^R01|||2.5\rPID|1||12AB\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||1\r`, /MRN/],
    [`${H}20240217||ORU^R01|||2.5\rPID|1||12\rOBR|1||||||20240217\rOBX|1|SN|CREATININE||1\r`, /observation time/],
    [`${H}20240217||ORU^R01|||2.5\rPID|1||12\rOBR|1||||||202413202243\rOBX|1|SN|CREATININE||1\r`, /observation time/],
    [`${H}20240217||ORU^R01|||2.5\rPID|1||12\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||high\r`, /creatinine value/],
    [`${H}20240217||ORU^R01|||2.5\rPID|1||12\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||-3\r`, /creatinine value/],
    [`${H}20240217||ORU^R01|||2.5\rPID|1||12\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||0x1A\r`, /creatinine value/],
    [`${H}20240217||ORU^R01|||2.5\rPID|1||12\rOBR|1||||||202402172237\rOBX|1|SN|CREATININE||\r`, /creatinine value/],
    [`${H}20240217||ORU^R01|||2.5\rPID|1||12\rOBR|1||||||202402172237\rOBX|1|SN|POTASSIUM||4\r`, /no creatinine/],
    [`${H}20240217||ADT^A01|||2.5\r`, /MRN/],
    [`${H}20240217|||||2.5\r`, /empty MSH-9/],
  ];
  const codes = ['bad_mrn', 'bad_mrn', 'bad_time', 'bad_time', 'bad_value', 'bad_value', 'bad_value', 'bad_value', 'no_creatinine', 'bad_mrn', 'no_type'];
  invalid.forEach(([text, reason], k) => {
    it(`says why it cannot read: ${reason.source} (${codes[k]})`, () => {
      const r = read(text);
      assert.equal(r.kind, 'invalid');
      if (r.kind === 'invalid') {
        assert.match(r.reason, reason);
        assert.equal(r.code, codes[k]);
      }
    });
  });

  it('passes other message types through as other', () => {
    assert.deepEqual(read(`${H}20240217||ADT^A08|||2.5\rPID|1||12\r`).kind, 'admit');
    assert.deepEqual(read(`${H}20240217||ORM^O01|||2.5\r`), { kind: 'other', type: 'ORM^O01' });
  });

  it('never throws on any parsed message', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 6 }), fc.constantFrom('ADT^A01', 'ADT^A03', 'ORU^R01', 'X'), (lines, type) => {
        let m;
        try {
          m = parseHl7(`${H}20240217||${type}|||2.5\r${lines.map((l) => `PID|${l}\rOBR|${l}\rOBX|${l}`).join('\r')}`);
        } catch {
          return;
        }
        const r = readCourseMessage(m);
        assert.ok(['admit', 'discharge', 'result', 'other', 'invalid'].includes(r.kind));
      }),
      { numRuns: 500 },
    );
  });
});
