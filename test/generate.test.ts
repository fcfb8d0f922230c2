/**
 * The generator end to end on small runs: determinism, every format detail of spec/formats.md,
 * event order, the history/stream boundary, AKI injection and the NHS column, and the separation
 * of random streams.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate, loadProfile, type GenerateSummary } from '../src/generator/index.js';
import { formatPythonFloat } from '../src/hl7/index.js';
import { nhsAki } from '../src/aki/nhs.js';
import { DAY, EPOCH, ageAt, csvDate, expectedHeader, medianOf, pairs, readCsv, readMessages, type Msg } from './generate-helpers.js';

const FILES = ['history.csv', 'messages.mllp', 'aki.csv', 'training.csv', 'test.csv', 'test.expected.csv'];
const SMALL = { seed: 11, days: 40, history: 20, population: 800, admits: 15 } as const;
const BOUNDARY = EPOCH + SMALL.history * DAY;

let root: string;
let dirA: string;
let summaryA: GenerateSummary;

before(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'swemls-gen-'));
  dirA = path.join(root, 'a');
  summaryA = await generate({ ...SMALL, out: dirA });
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('generate: determinism', () => {
  it('gives byte-identical files for the same seed and options, and different ones for another seed', async () => {
    const dirB = path.join(root, 'b');
    const summaryB = await generate({ ...SMALL, out: dirB });
    assert.deepEqual(summaryB, { ...summaryA, out: dirB });
    for (const f of FILES) assert.ok(readFileSync(path.join(dirA, f)).equals(readFileSync(path.join(dirB, f))), `${f} differs`);
    const dirC = path.join(root, 'c');
    await generate({ ...SMALL, seed: 12, out: dirC });
    assert.ok(!readFileSync(path.join(dirA, 'messages.mllp')).equals(readFileSync(path.join(dirC, 'messages.mllp'))));
  });

  it('gives the same bytes on every machine: the SHA-256 of each file of a small run is pinned', () => {
    // Made on the development machine (Node 20, x86_64) and checked on CI's fresh one. A change
    // that alters the generator's output on purpose updates these (and retrains models/default.json).
    const pinned: Record<string, string> = {
      'history.csv': 'c76f1adc3411ac5aae5bcfbf52e236399ae0cc633f3ba7da102550e2f6217ea6',
      'messages.mllp': '89dfe4dc134502d57e98fdbf2f91caedc129878c9cd2ac4d61fb0f83a539ddc1',
      'aki.csv': 'eebd855cd31b89a401bc0a428dccab0684fc677f15b4a3e01fbdc726a01b7104',
      'training.csv': 'e28405dd80c1c1075482eb4cd6e7bafce6e565b42b8f54080344a679d2ffca45',
      'test.csv': '9929d37ed4545f263b6744099efb9a14e509fa2825a3edde88ebc5077c85a627',
      'test.expected.csv': 'c4cb5725485a782f9f0b324b18562d8e021d7b87592d062b11f39e9f0442fabe',
    };
    for (const f of FILES) assert.equal(createHash('sha256').update(readFileSync(path.join(dirA, f))).digest('hex'), pinned[f], f);
  });

  it('writes exactly the six files and leaves no partial files', () => {
    assert.deepEqual(readdirSync(dirA).sort(), [...FILES].sort());
  });
});

describe('generate: messages.mllp', () => {
  let msgs: Msg[];
  before(() => {
    msgs = readMessages(path.join(dirA, 'messages.mllp'));
  });

  it('has the exact message shapes of formats.md, counted as the summary says', () => {
    const count = (t: string): number => msgs.filter((m) => m.type === t).length;
    assert.equal(count('ADT^A01'), summaryA.messages['ADT^A01']);
    assert.equal(count('ADT^A03'), summaryA.messages['ADT^A03']);
    assert.equal(count('ORU^R01'), summaryA.messages['ORU^R01']);
    assert.ok(summaryA.messages['ORU^R01'] > 100 && summaryA.boundaryAdmits > 10 && summaryA.akis > 0);
  });

  it('writes OBX-5 as Python prints a float, at full precision', () => {
    for (const m of msgs) if (m.type === 'ORU^R01') assert.equal(formatPythonFloat(m.value as number), m.valueText);
  });

  it('starts with an ADT^A01 per patient in hospital at the boundary, oldest admission first, ties by MRN', () => {
    const head = msgs.slice(0, summaryA.boundaryAdmits);
    for (const m of head) {
      assert.equal(m.type, 'ADT^A01');
      assert.ok(m.time < BOUNDARY);
    }
    for (let i = 1; i < head.length; i++) {
      const a = head[i - 1] as Msg;
      const b = head[i] as Msg;
      assert.ok(a.time < b.time || (a.time === b.time && a.mrn < b.mrn), `boundary admits out of order at ${i}`);
    }
    assert.equal(new Set(head.map((m) => m.mrn)).size, head.length);
  });

  it('then streams events in time order; at equal times admissions, discharges, then tests, each by MRN', () => {
    const rank = { 'ADT^A01': 0, 'ADT^A03': 1, 'ORU^R01': 2 } as const;
    const stream = msgs.slice(summaryA.boundaryAdmits);
    // Day starts 0 … history+days carry events (as the kit: the stream has days+1 days).
    for (const m of stream) assert.ok(m.time >= BOUNDARY && m.time < BOUNDARY + (SMALL.days + 1) * DAY);
    assert.ok(stream.some((m) => m.time >= BOUNDARY + SMALL.days * DAY));
    for (let i = 1; i < stream.length; i++) {
      const a = stream[i - 1] as Msg;
      const b = stream[i] as Msg;
      const ka = [a.time, rank[a.type], a.mrn] as const;
      const kb = [b.time, rank[b.type], b.mrn] as const;
      const order = ka[0] - kb[0] || ka[1] - kb[1] || (ka[2] < kb[2] ? -1 : ka[2] > kb[2] ? 1 : 0);
      assert.ok(order < 0, `events out of order at ${i}`);
    }
  });

  it('only tests patients in hospital, on whole minutes, and admits nobody twice at once', () => {
    const inside = new Map<string, Msg>();
    for (const m of msgs) {
      assert.equal(m.time % 60_000, 0);
      if (m.type === 'ADT^A01') {
        assert.ok(!inside.has(m.mrn), `double admission of ${m.mrn}`);
        inside.set(m.mrn, m);
      } else if (m.type === 'ADT^A03') {
        if (m.time >= BOUNDARY) assert.ok(inside.has(m.mrn), `discharge of ${m.mrn} who is not in`);
        inside.delete(m.mrn);
      } else {
        assert.ok(inside.has(m.mrn), `test of ${m.mrn} who is not in hospital`);
      }
    }
  });

  it('gives each patient one name, birthdate and sex on every admission', () => {
    const seen = new Map<string, string>();
    for (const m of msgs) {
      if (m.type !== 'ADT^A01') continue;
      const who = `${m.name}|${m.birth}|${m.sex}`;
      assert.equal(seen.get(m.mrn) ?? who, who);
      seen.set(m.mrn, who);
      assert.ok(ageAt(m.birth as number) <= 91);
    }
  });
});

describe('generate: CSV files', () => {
  it('history.csv: padded rows of history tests only, CRLF, header as long as the longest row', () => {
    const h = readCsv(path.join(dirA, 'history.csv'));
    const widest = Math.max(...h.rows.map((r) => pairs(r, 1).length));
    assert.deepEqual(h.header, expectedHeader(['mrn'], widest));
    assert.equal(h.rows.length, summaryA.historyRows);
    let total = 0;
    let lastFirst = -Infinity;
    for (const r of h.rows) {
      assert.equal(r.length, h.header.length);
      assert.match(r[0] as string, /^\d{9}$/);
      const ps = pairs(r, 1);
      total += ps.length;
      assert.ok(ps.length > 0);
      assert.ok((ps[0] as { time: number }).time >= lastFirst, 'rows in order of first result');
      lastFirst = (ps[0] as { time: number }).time;
      for (let j = 0; j < ps.length; j++) {
        const p = ps[j] as { time: number; text: string };
        assert.ok(p.time < BOUNDARY);
        assert.match(p.text, /^\d+\.\d{2}$/);
        if (j > 0) assert.ok(p.time > (ps[j - 1] as { time: number }).time);
      }
    }
    assert.equal(total, summaryA.historyTests);
  });

  it('training.csv: age, sex, aki, every result over history and stream, ending at the AKI', () => {
    const t = readCsv(path.join(dirA, 'training.csv'));
    const widest = Math.max(...t.rows.map((r) => pairs(r, 3).length));
    assert.deepEqual(t.header, expectedHeader(['age', 'sex', 'aki'], widest));
    assert.equal(t.rows.length, summaryA.trainingRows);
    assert.equal(t.rows.filter((r) => r[2] === 'y').length, summaryA.trainingAkiRows);
    assert.equal(summaryA.trainingAkiRows, summaryA.akis);
    for (const r of t.rows) {
      assert.equal(r.length, t.header.length);
      assert.match(r[0] as string, /^\d{1,2}$/);
      assert.match(r[1] as string, /^[mf]$/);
      assert.match(r[2] as string, /^[yn]$/);
    }
    // AKI rows end with the AKI result: its time is an aki=y row of aki.csv.
    const aki = readCsv(path.join(dirA, 'aki.csv'));
    const akiTimes = new Set(aki.rows.filter((r) => r[2] === 'y').map((r) => csvDate(r[1] as string)));
    for (const r of t.rows) {
      if (r[2] !== 'y') continue;
      const ps = pairs(r, 3);
      assert.ok(akiTimes.has((ps[ps.length - 1] as { time: number }).time));
    }
    // The patients with history come first, in the same order as history.csv.
    const h = readCsv(path.join(dirA, 'history.csv'));
    h.rows.forEach((hr, i) => {
      const hp = pairs(hr, 1);
      const tp = pairs(t.rows[i] as string[], 3);
      assert.deepEqual(
        tp.slice(0, hp.length).map((p) => [p.time, p.text]),
        hp.map((p) => [p.time, p.text]),
      );
    });
  });

  it('test.csv is training.csv without the aki column; test.expected.csv is that column', () => {
    const t = readCsv(path.join(dirA, 'training.csv'));
    const x = readCsv(path.join(dirA, 'test.csv'));
    const e = readCsv(path.join(dirA, 'test.expected.csv'));
    assert.deepEqual(x.header, [t.header[0], t.header[1], ...t.header.slice(3)]);
    assert.deepEqual(
      x.rows,
      t.rows.map((r) => [r[0], r[1], ...r.slice(3)]),
    );
    assert.deepEqual(e.header, ['aki']);
    assert.deepEqual(
      e.rows,
      t.rows.map((r) => [r[2]]),
    );
  });

  it('aki.csv: mrn,date,aki,nhs rows for stream tests that are AKIs or NHS alerts', () => {
    const a = readCsv(path.join(dirA, 'aki.csv'));
    assert.deepEqual(a.header, ['mrn', 'date', 'aki', 'nhs']);
    const oru = new Set(
      readMessages(path.join(dirA, 'messages.mllp'))
        .filter((m) => m.type === 'ORU^R01')
        .map((m) => `${m.mrn}@${m.time}`),
    );
    let y = 0;
    for (const r of a.rows) {
      assert.equal(r.length, 4);
      assert.ok(r[2] === 'y' || r[3] === 'y');
      assert.ok(oru.has(`${r[0]}@${csvDate(r[1] as string)}`));
      if (r[2] === 'y') y++;
    }
    assert.equal(y, summaryA.akis);
    assert.equal(a.rows.filter((r) => r[2] === 'y' && r[3] === 'y').length, summaryA.nhs.tp);
    assert.equal(a.rows.filter((r) => r[2] === 'n').length, summaryA.nhs.fp);
  });
});

describe('generate: AKI injection and the NHS column (no history, so the stream holds every result)', () => {
  let dir: string;
  let msgs: Msg[];
  let summary: GenerateSummary;
  before(async () => {
    dir = path.join(root, 'nohist');
    summary = await generate({ seed: 5, days: 60, history: 0, population: 1000, admits: 20, out: dir });
    msgs = readMessages(path.join(dir, 'messages.mllp'));
  });

  it('writes an empty history.csv (header only) and no boundary admissions', () => {
    assert.equal(readFileSync(path.join(dir, 'history.csv'), 'latin1'), 'mrn\r\n');
    assert.equal(summary.boundaryAdmits, 0);
  });

  it('flags nhs=y exactly where the NHS algorithm flags the full-precision results so far', () => {
    const a = readCsv(path.join(dir, 'aki.csv'));
    const rows = new Map(a.rows.map((r) => [`${r[0]}@${csvDate(r[1] as string)}`, r]));
    const who = new Map<string, { age: number; sex: 'm' | 'f' }>();
    const series = new Map<string, { t: number[]; v: number[] }>();
    let flagged = 0;
    for (const m of msgs) {
      if (m.type === 'ADT^A01') who.set(m.mrn, { age: ageAt(m.birth as number), sex: m.sex === 'F' ? 'f' : 'm' });
      if (m.type !== 'ORU^R01') continue;
      const s = series.get(m.mrn) ?? { t: [], v: [] };
      series.set(m.mrn, s);
      s.t.push(m.time);
      s.v.push(m.value as number);
      const p = who.get(m.mrn) as { age: number; sex: 'm' | 'f' };
      const nhs = nhsAki(p.age, p.sex, s.t, s.v);
      const row = rows.get(`${m.mrn}@${m.time}`);
      assert.equal(row?.[3] === 'y', nhs, `nhs column at ${m.mrn} ${m.time}`);
      if (nhs) flagged++;
    }
    assert.ok(flagged > 0);
  });

  it('makes at most one AKI per patient, never their first test, with the ratio in their age band', () => {
    const profile = loadProfile('kit');
    const a = readCsv(path.join(dir, 'aki.csv'));
    const akiKeys = new Set(a.rows.filter((r) => r[2] === 'y').map((r) => `${r[0]}@${csvDate(r[1] as string)}`));
    const ages = new Map<string, number>();
    const earlier = new Map<string, number[]>();
    const hadAki = new Set<string>();
    let checked = 0;
    for (const m of msgs) {
      if (m.type === 'ADT^A01') ages.set(m.mrn, ageAt(m.birth as number));
      if (m.type !== 'ORU^R01') continue;
      const prev = earlier.get(m.mrn) ?? [];
      if (akiKeys.has(`${m.mrn}@${m.time}`)) {
        assert.ok(!hadAki.has(m.mrn), 'second AKI');
        assert.ok(prev.length > 0, 'AKI on a first test');
        const age = ages.get(m.mrn) as number;
        const band = profile.aki.bands.find((b) => age >= b.ageMin && age <= b.ageMax);
        assert.ok(band);
        const ratio = (m.value as number) / medianOf(prev);
        assert.ok(ratio >= band.low - 1e-9 && ratio <= band.high + 1e-9, `ratio ${ratio} outside ${band.low}-${band.high} for age ${age}`);
        hadAki.add(m.mrn);
        checked++;
      } else if (!hadAki.has(m.mrn)) {
        prev.push(m.value as number);
        earlier.set(m.mrn, prev);
      }
    }
    assert.equal(checked, summary.akis);
    assert.ok(checked > 5);
  });
});

describe('generate: separate random streams', () => {
  it('changing the AKI model changes only result values, not admissions, discharges or test times', async () => {
    const kit = loadProfile('kit');
    const changed = { ...kit, name: 'changed', aki: { ...kit.aki, baseProbability: 0.2, bands: kit.aki.bands.map((b) => ({ ...b, low: 3, high: 4 })) } };
    const dir = path.join(root, 'changed');
    const s = await generate({ ...SMALL, out: dir, profile: changed });
    const strip = (ms: Msg[]): string[] => ms.map((m) => `${m.type}|${m.time}|${m.mrn}|${m.type === 'ADT^A01' ? m.text : ''}`);
    const base = readMessages(path.join(dirA, 'messages.mllp'));
    const other = readMessages(path.join(dir, 'messages.mllp'));
    assert.deepEqual(strip(other), strip(base));
    assert.ok(s.akis > summaryA.akis);
    assert.equal(readFileSync(path.join(dir, 'history.csv'), 'latin1'), readFileSync(path.join(dirA, 'history.csv'), 'latin1'));
  });

  it('rejects bad options with every problem listed', async () => {
    await assert.rejects(generate({ days: 0, population: -5, history: 1.5, out: path.join(root, 'bad') }), (e: unknown) => {
      const msg = (e as Error).message;
      return /days/.test(msg) && /population/.test(msg) && /history/.test(msg);
    });
  });
});
