import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePageBody } from './pager.js';

const T14 = Date.UTC(2024, 3, 1, 10, 0, 0);

test('page bodies the reference accepts → 200 (MRN, MRN,YYYYMMDDHHMM, MRN,YYYYMMDDHHMMSS)', () => {
  const table: [string, string, number | null][] = [
    ['100000001', '100000001', null],
    ['100000001,202404011000', '100000001', T14],
    ['100000001,20240401100000', '100000001', T14],
    ['+100000001,20240401100000', '100000001', T14],
    ['0100000001,20240401100000', '100000001', T14],
    ['-5', '-5', null],
  ];
  for (const [body, mrn, time] of table) assert.deepEqual(parsePageBody(body), { ok: true, mrn, time }, body);
});

test('page bodies the reference rejects → 400 (trailing newline, spaces, bad date, three parts, empty, non-numeric)', () => {
  const bad = [
    '100000001\n',
    '100000001,20240401100000\n',
    ' 100000001',
    '100000001 ',
    '100000001, 20240401100000',
    '100000001,20241301100000',
    '100000001,20240230100000',
    '100000001,2024-04-01 10:00:00',
    '100000001,20240401',
    '100000001,',
    '100000001,20240401100000,x',
    '',
    'abc',
    '12a',
    '99999999999999999999',
  ];
  for (const body of bad) assert.equal(parsePageBody(body).ok, false, JSON.stringify(body));
});

test('any string is parsed without throwing, and accepted bodies have a canonical MRN', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      const r = parsePageBody(s);
      if (r.ok) assert.match(r.mrn, /^-?(0|[1-9]\d*)$/);
    }),
  );
});
