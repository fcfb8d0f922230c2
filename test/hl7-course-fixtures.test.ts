/**
 * Messages in the shapes of the course's examples (12-digit times, an NK1 segment, short MRNs,
 * no final CR, MSH-7 ≠ OBR-7) and of its generator (14-digit times, Python floats), written by
 * hand with values of our own in test/fixtures/hl7/. They must parse to the right values, and
 * the generator-shaped ones must be reproduced byte for byte by our builders.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { buildAdmitMessage, buildDischargeMessage, buildResultMessage, parseHl7, readCourseMessage, readMllpFile } from '../src/hl7/index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'hl7');
const fixture = (name: string): Buffer => readFileSync(path.join(dir, name));

describe('course-shaped fixtures', () => {
  it('an admission with a 12-digit time, an NK1 segment and a 4-digit MRN, without a final CR', () => {
    const bytes = fixture('admit-12digit-nk1.hl7');
    assert.notEqual(bytes.at(-1), 0x0d);
    const m = parseHl7(bytes);
    assert.deepEqual(
      m.segments.map((s) => s.name),
      ['MSH', 'PID', 'NK1'],
    );
    assert.equal(m.get('NK1', 2), 'ARJUN KAUR');
    assert.deepEqual(readCourseMessage(m), { kind: 'admit', mrn: '4821', name: 'PRIYA KAUR', birthDate: Date.UTC(1961, 6, 22), sex: 'F', time: Date.UTC(2024, 2, 5, 10, 15) });
  });

  it('a result whose OBR-7 (12 digits) differs from MSH-7, keyed on OBR-7', () => {
    const m = parseHl7(fixture('result-12digit.hl7'));
    assert.equal(m.get('MSH', 7), '202403051200');
    assert.deepEqual(readCourseMessage(m), { kind: 'result', mrn: '4821', time: Date.UTC(2024, 2, 5, 15, 47), timeText: '202403051547', values: [87.2] });
  });

  it('a discharge with a 12-digit time', () => {
    assert.deepEqual(readCourseMessage(parseHl7(fixture('discharge-12digit.hl7'))), { kind: 'discharge', mrn: '4821', time: Date.UTC(2024, 2, 7, 11, 30) });
  });

  it('a journey in an MLLP file (admit with NK1, result, discharge) reads in order', () => {
    const { frames, strayBytes, emptyFrames, trailingBytes } = readMllpFile(path.join(dir, 'journey-12digit.mllp'));
    assert.deepEqual([strayBytes, emptyFrames, trailingBytes], [0, 0, 0]);
    assert.deepEqual(
      frames.map((f) => readCourseMessage(parseHl7(f)).kind),
      ['admit', 'result', 'discharge'],
    );
    // The frames hold exactly the .hl7 messages (with their final CR).
    assert.equal(frames[1]?.toString('latin1'), `${fixture('result-12digit.hl7').toString('latin1')}\r`);
  });

  it('generator-shaped messages read right and are rebuilt byte for byte from what was read', () => {
    const admit = fixture('admit-generator.hl7');
    const a = readCourseMessage(parseHl7(admit));
    assert.deepEqual(a, { kind: 'admit', mrn: '731904556', name: 'TOMASZ NOWAK', birthDate: Date.UTC(1988, 1, 29), sex: 'M', time: Date.UTC(2024, 2, 7, 9, 30, 15) });
    if (a.kind !== 'admit' || a.birthDate === undefined || a.time === undefined || a.sex === 'U') throw new Error('unreachable');
    assert.equal(buildAdmitMessage({ time: a.time, mrn: a.mrn, name: a.name, birthDate: a.birthDate, sex: a.sex }), admit.toString('latin1'));

    for (const name of ['result-generator.hl7', 'result-generator-whole.hl7']) {
      const bytes = fixture(name);
      const r = readCourseMessage(parseHl7(bytes));
      if (r.kind !== 'result') throw new Error(`${name}: ${r.kind}`);
      assert.equal(r.values.length, 1);
      assert.equal(buildResultMessage({ time: r.time, mrn: r.mrn, value: r.values[0] as number }), bytes.toString('latin1'), name);
    }
    assert.deepEqual(readCourseMessage(parseHl7(fixture('result-generator-whole.hl7'))), {
      kind: 'result',
      mrn: '731904556',
      time: Date.UTC(2024, 2, 8, 6),
      timeText: '20240308060000',
      values: [100],
    });

    const discharge = fixture('discharge-generator.hl7');
    const d = readCourseMessage(parseHl7(discharge));
    if (d.kind !== 'discharge' || d.time === undefined) throw new Error('unreachable');
    assert.equal(buildDischargeMessage({ time: d.time, mrn: d.mrn }), discharge.toString('latin1'));
  });

  it('every fixture serialises back to its own bytes (plus the final CR when it had none)', () => {
    for (const name of ['admit-12digit-nk1.hl7', 'result-12digit.hl7', 'discharge-12digit.hl7', 'admit-generator.hl7', 'result-generator.hl7', 'result-generator-whole.hl7', 'discharge-generator.hl7']) {
      const text = fixture(name).toString('latin1');
      assert.equal(parseHl7(text).toString(), text.endsWith('\r') ? text : `${text}\r`, name);
    }
  });
});
