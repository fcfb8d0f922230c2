import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildHl7, DEFAULT_DELIMITERS, escapeHl7, parseHl7, unescapeHl7, type Hl7Delimiters } from './message.js';
import { Hl7Error, Hl7ErrorCode } from './errors.js';

const ORU = 'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240217223707||ORU^R01|||2.5\rPID|1||531904276\rOBR|1||||||20240217223707\rOBX|1|SN|CREATININE||107.9\r';

function isHl7Error(code: string): (e: unknown) => boolean {
  return (e) => e instanceof Hl7Error && e.code === code;
}

describe('parseHl7', () => {
  it('reads segments and 1-based fields; MSH-1 is the field separator and MSH-2 the encoding characters', () => {
    const m = parseHl7(ORU);
    assert.deepEqual(
      m.segments.map((s) => s.name),
      ['MSH', 'PID', 'OBR', 'OBX'],
    );
    const msh = m.header;
    assert.equal(msh.field(1), '|');
    assert.equal(msh.field(2), '^~\\&');
    assert.equal(msh.component(2), '^~\\&');
    assert.equal(msh.field(3), 'SIMULATION');
    assert.equal(msh.field(4), 'SOUTH RIVERSIDE');
    assert.equal(msh.field(7), '20240217223707');
    assert.equal(msh.field(9), 'ORU^R01');
    assert.equal(msh.component(9, 1), 'ORU');
    assert.equal(msh.component(9, 2), 'R01');
    assert.equal(msh.component(9, 3), '');
    assert.equal(msh.field(12), '2.5');
    assert.equal(msh.length, 12);
    assert.equal(m.type, 'ORU^R01');
    assert.equal(m.controlId, '');
    assert.equal(m.get('PID', 3), '531904276');
    assert.equal(m.get('OBR', 7), '20240217223707');
    assert.equal(m.get('OBX', 5), '107.9');
    assert.equal(m.get('OBX', 99), '');
    assert.equal(m.get('ZZZ', 1), '');
    assert.equal(m.segment('PID')?.field(0), 'PID');
  });

  it('accepts segments ended by \\r, \\n or \\r\\n, with or without a final terminator, skipping empty lines', () => {
    const names = (text: string): string[] => parseHl7(text).segments.map((s) => s.name);
    for (const sep of ['\r', '\n', '\r\n']) {
      const text = ORU.replaceAll('\r', sep);
      assert.deepEqual(names(text), ['MSH', 'PID', 'OBR', 'OBX'], JSON.stringify(sep));
      assert.deepEqual(names(text.slice(0, -sep.length)), ['MSH', 'PID', 'OBR', 'OBX'], `${JSON.stringify(sep)} without the last`);
      assert.equal(parseHl7(text).get('OBX', 5), '107.9');
    }
    assert.deepEqual(names(ORU + '\r\n\n'), ['MSH', 'PID', 'OBR', 'OBX'], 'a trailing line break (node-hl7-client #96)');
    assert.deepEqual(names('MSH|^~\\&|A\r\rPID|1\r\n\r\nOBX|1'), ['MSH', 'PID', 'OBX']);
  });

  it('reads bytes as latin-1 and skips a byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ORU, 'latin1')]);
    assert.equal(parseHl7(bytes).get('PID', 3), '531904276');
    assert.equal(parseHl7('\ufeff' + ORU).get('PID', 3), '531904276');
    const name = Buffer.concat([Buffer.from('MSH|^~\\&|A\rPID|1||1||', 'latin1'), Buffer.from('JOSÉ', 'utf8')]);
    const m = parseHl7(new Uint8Array(name));
    assert.equal(Buffer.from(m.toString(), 'latin1').equals(Buffer.concat([name, Buffer.from('\r')])), true, 'bytes survive a round trip');
  });

  it('takes the delimiters from MSH', () => {
    const m = parseHl7('MSH#$*@%#APP#FAC###20240217##ADT$A01##\rPID#1##12$$$MR*34$$$XX##DOE$JANE');
    assert.deepEqual(m.delimiters, { field: '#', component: '$', repetition: '*', escape: '@', subcomponent: '%' } satisfies Hl7Delimiters);
    assert.equal(m.type, 'ADT^A01');
    assert.equal(m.get('MSH', 3), 'APP');
    assert.equal(m.segment('PID')?.component(3, 1), '12');
    assert.equal(m.segment('PID')?.component(3, 4), 'MR');
    assert.equal(m.segment('PID')?.component(3, 1, 2), '34');
    assert.equal(m.segment('PID')?.component(3, 4, 2), 'XX');
    assert.equal(m.segment('PID')?.component(5, 2), 'JANE');
    assert.equal(m.header.field(1), '#');
    assert.equal(m.header.field(2), '$*@%');
  });

  it('reads repetitions and components 1-based, unescaped', () => {
    const m = parseHl7('MSH|^~\\&|A\rPID|1||111^^^H~222^^^N||O\\T\\NEIL^MARY\\F\\ANN');
    const pid = m.segment('PID');
    assert.ok(pid);
    assert.equal(pid.component(3), '111');
    assert.equal(pid.component(3, 4), 'H');
    assert.equal(pid.component(3, 1, 2), '222');
    assert.equal(pid.component(3, 4, 2), 'N');
    assert.equal(pid.component(3, 1, 3), '');
    assert.equal(pid.component(5, 1), 'O&NEIL');
    assert.equal(pid.component(5, 2), 'MARY|ANN');
    assert.equal(pid.field(5), 'O\\T\\NEIL^MARY\\F\\ANN', 'field() is raw');
  });

  it('finds the n-th segment of a name and all of them', () => {
    const m = parseHl7(`${ORU}OBX|2|SN|CREATININE||99.0\rNTE|1\r`);
    assert.equal(m.segment('OBX', 2)?.field(5), '99.0');
    assert.equal(m.segment('OBX', 3), undefined);
    assert.deepEqual(
      m.segmentsNamed('OBX').map((s) => s.field(1)),
      ['1', '2'],
    );
  });

  it('serialises the course shapes back byte for byte', () => {
    const shapes = [
      ORU,
      'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240217163000||ADT^A01|||2.5\rPID|1||531904276||ELIZA DOOLITTLE||19790614|F\r',
      'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||20240219100000||ADT^A03|||2.5\rPID|1||531904276\r',
      'MSH|^~\\&|SIMULATION|SOUTH RIVERSIDE|||202402171630||ADT^A01|||2.5\rPID|1||123||ELIZA DOOLITTLE||19790614|F\rNK1|1|HENRY HIGGINS|PARTNER\r',
      'MSH|^~\\&|||||20240217223707||ACK|||2.5\rMSA|AA\r',
    ];
    for (const s of shapes) assert.equal(parseHl7(s).toString(), s);
    // Custom delimiters survive too.
    const custom = 'MSH#$*@%#APP#FAC\rPID#1##12$$$MR\r';
    assert.equal(parseHl7(custom).toString(), custom);
  });

  const bad: readonly (readonly [string, string])[] = [
    ['', 'empty'],
    ['PID|1||123\r', 'no MSH first'],
    ['MSH|^~\\', 'MSH too short'],
    ['MSH|^^\\&|A', 'repeated delimiter'],
    ['MSHA^~\\&|A', 'a letter as field separator'],
    ['MSH|^~\\&|A\rpid|1', 'lower-case segment name'],
    ['MSH|^~\\&|A\rPIDX|1', 'four-letter segment name'],
    ['MSH|^~\\&|A\r1ID|1', 'segment name starting with a digit'],
    ['MSH|^~\\&|A\r|1', 'empty segment name'],
  ];
  for (const [text, why] of bad) {
    it(`refuses ${why} with HL7_ERR_NOT_HL7`, () => {
      assert.throws(() => parseHl7(text), isHl7Error(Hl7ErrorCode.notHl7));
    });
  }

  it('accepts Z-segments and digits in names', () => {
    assert.deepEqual(
      parseHl7('MSH|^~\\&|A\rZPI|1\rPV1|1').segments.map((s) => s.name),
      ['MSH', 'ZPI', 'PV1'],
    );
  });

  it('throws nothing but HL7_ERR_NOT_HL7 on random text or bytes', () => {
    const check = (input: string | Uint8Array): void => {
      try {
        parseHl7(input);
      } catch (e) {
        assert.ok(e instanceof Hl7Error && e.code === Hl7ErrorCode.notHl7, `threw ${String(e)}`);
      }
    };
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => check(s)), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => check(`MSH|^~\\&|${s}`)), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => check(b)), { numRuns: 500 });
  });
});

describe('escapeHl7 / unescapeHl7', () => {
  it('escapes every delimiter and CR/LF', () => {
    assert.equal(escapeHl7('a|b^c&d~e\\f'), 'a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
    assert.equal(escapeHl7('line1\rline2\n'), 'line1\\X0D\\line2\\X0A\\');
    assert.equal(escapeHl7('PLAIN TEXT 123'), 'PLAIN TEXT 123');
  });

  it('unescapes the standard escapes, hex, and keeps unknown or unterminated ones', () => {
    assert.equal(unescapeHl7('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f'), 'a|b^c&d~e\\f');
    assert.equal(unescapeHl7('\\X0D0A\\'), '\r\n');
    assert.equal(unescapeHl7('\\X41\\BC'), 'ABC');
    assert.equal(unescapeHl7('\\.br\\x'), '\\.br\\x');
    assert.equal(unescapeHl7('\\H\\bold\\N\\'), '\\H\\bold\\N\\');
    assert.equal(unescapeHl7('tail\\F'), 'tail\\F');
    assert.equal(unescapeHl7('\\X4\\'), '\\X4\\', 'odd hex digits are not an escape');
  });

  it('round-trips any text, with default and custom delimiters', () => {
    const custom: Hl7Delimiters = { field: '#', component: '$', repetition: '*', escape: '@', subcomponent: '%' };
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (s) => {
        assert.equal(unescapeHl7(escapeHl7(s)), s);
        assert.equal(unescapeHl7(escapeHl7(s, custom), custom), s);
        const e = escapeHl7(s);
        for (const ch of ['|', '^', '~', '&', '\r', '\n']) assert.ok(!e.includes(ch));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('buildHl7', () => {
  it('builds a message with default delimiters, escaping values and joining components', () => {
    const m = buildHl7([
      ['MSH', 'APP', 'FAC', '', '', '20240217223707', '', ['ORU', 'R01'], 'ID1', 'P', '2.5'],
      ['PID', '1', '', '123', '', 'A|B'],
    ]);
    assert.equal(m.toString(), 'MSH|^~\\&|APP|FAC|||20240217223707||ORU^R01|ID1|P|2.5\rPID|1||123||A\\F\\B\r');
    assert.equal(m.type, 'ORU^R01');
    assert.equal(m.controlId, 'ID1');
    assert.deepEqual(m.delimiters, DEFAULT_DELIMITERS);
  });

  it('is stable: build → serialise → parse → serialise gives the same text, and values read back', () => {
    const name = fc.tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')).map((c) => c.join(''));
    const value = fc.string({ maxLength: 20 });
    const field = fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 4 }));
    const segment = fc.tuple(name.filter((n) => n !== 'MSH'), fc.array(field, { maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(field, { maxLength: 10 }), fc.array(segment, { maxLength: 6 }), (mshFields, segs) => {
        const built = buildHl7([['MSH', ...mshFields], ...segs.map(([n, fs]) => [n, ...fs] as [string, ...(string | string[])[]])]);
        const text = built.toString();
        const parsed = parseHl7(text);
        assert.equal(parsed.toString(), text);
        assert.equal(buildHl7([['MSH', ...mshFields], ...segs.map(([n, fs]) => [n, ...fs] as [string, ...(string | string[])[]])]).toString(), text);
        segs.forEach(([, fs], k) => {
          const seg = parsed.segments[k + 1];
          assert.ok(seg);
          fs.forEach((f, i) => {
            if (typeof f === 'string') assert.equal(seg.component(i + 1), f);
            else f.forEach((c, j) => assert.equal(seg.component(i + 1, j + 1), c));
          });
        });
      }),
      { numRuns: 300 },
    );
  });
});
