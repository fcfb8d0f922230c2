import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { buildAdmitMessage, buildDischargeMessage, buildResultMessage, parseHl7, readCourseMessage } from '../hl7/index.js';
import {
  CORRUPTION_KINDS,
  corruptMessage,
  createFaultInjector,
  faultCounterKeys,
  faultPlanFromFlags,
  fragmentFrame,
  isEmptyFaultPlan,
  parseDuration,
  parseFaultPlan,
  type CorruptionKind,
  type FaultPlan,
} from './faults.js';

const T0 = Date.UTC(2024, 0, 2, 9, 30, 0);
const RESULT = Buffer.from(buildResultMessage({ time: T0, mrn: '730416', value: 108.35 }), 'latin1');
const ADMIT = Buffer.from(buildAdmitMessage({ time: T0, mrn: '730416', name: 'ANNA SMITH', birthDate: Date.UTC(1980, 4, 6), sex: 'F' }), 'latin1');
const DISCHARGE = Buffer.from(buildDischargeMessage({ time: T0, mrn: '730416' }), 'latin1');
const SAMPLES = { result: RESULT, admit: ADMIT, discharge: DISCHARGE } as const;

function decisions(plan: FaultPlan, seed: number, indexes: readonly number[]): string[] {
  const inj = createFaultInjector(plan, createRng(seed));
  return indexes.map((i) => JSON.stringify(inj.decide(i)));
}

describe('fault plans from YAML', () => {
  test('a full plan is read with defaults, durations and camelCase aliases', () => {
    const plan = parseFaultPlan(`
seed: 7
messages:
  drop_rate: 0.001
  corrupt_rate: 0.02
  delay_ms: 2500
  fragments: { min: 3, max: 5 }
  corruption: { truncate: 1, bad_value: 3 }
  schedule:
    - { at: [120, 4000], fault: drop }
    - { range: [10, 12], fault: corrupt, kind: non-ascii }
    - { every: 500, fault: duplicate }
    - { at: 7, fault: delay, ms: 15000 }
pager:
  - { from: 2h, to: 3h, mode: error500 }
  - { from: 5h, for: 30m, mode: hang, hangMs: 20000 }
`);
    assert.equal(plan.seed, 7);
    assert.deepEqual(plan.messages.rates, { drop: 0.001, corrupt: 0.02, duplicate: 0, delay: 0, fragment: 0 });
    assert.equal(plan.messages.delayMs, 2500);
    assert.deepEqual(plan.messages.fragments, { min: 3, max: 5 });
    assert.deepEqual(plan.messages.corruptionWeights, { truncate: 1, 'bad-value': 3, 'wrong-separators': 0, 'non-ascii': 0 });
    assert.equal(plan.messages.schedule.length, 4);
    assert.deepEqual(plan.messages.schedule[2]?.select, { kind: 'every', every: 500, start: 500, end: null });
    assert.deepEqual(plan.messages.schedule[3]?.select, { kind: 'at', indexes: [7] });
    assert.deepEqual(plan.pager.outages, [
      { fromMs: 2 * 3600_000, toMs: 3 * 3600_000, mode: 'error500', hangMs: 0 },
      { fromMs: 5 * 3600_000, toMs: 5.5 * 3600_000, mode: 'hang', hangMs: 20000 },
    ]);
    assert.ok(Object.isFrozen(plan.messages.schedule));
  });

  test('an empty document is the empty plan', () => {
    const plan = parseFaultPlan('');
    assert.ok(isEmptyFaultPlan(plan));
    assert.deepEqual(plan.messages.corruptionWeights, { truncate: 1, 'bad-value': 1, 'wrong-separators': 1, 'non-ascii': 1 });
  });

  test('every problem of a bad plan is listed at once, with its path', () => {
    let err: unknown;
    try {
      parseFaultPlan(`
seed: 1.5
messages:
  drop_rate: 1.5
  drop_rat: 0.1
  fragments: { min: 5, max: 2 }
  corruption: { truncate: 1, shred: 2 }
  schedule:
    - { at: [1], range: [2, 3], fault: drop }
    - { range: [9, 3], fault: corrupt, kind: melt }
    - { every: 10, fault: explode }
pager:
  outages:
    - { from: 3h, to: 2h, mode: error500 }
    - { from: soon, for: 1h, mode: hang }
    - { from: 1h, mode: sulk }
`);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError, 'parseFaultPlan must throw a ConfigError');
    const problems = err.problems;
    const text = problems.join('\n');
    const expected = [
      /seed: seed must be an integer/,
      /messages\.drop_rate: a rate must be between 0 and 1/,
      /messages: .*drop_rat/,
      /messages\.fragments: fragments: min is above max/,
      /messages\.corruption\.shred: unknown corruption kind/,
      /messages\.schedule\[0\]: give exactly one of at, range, every/,
      /messages\.schedule\[1\]\.range: range: first index is after the last/,
      /messages\.schedule\[1\]\.kind: a corruption kind is one of/,
      /messages\.schedule\[2\]\.fault: fault is one of drop, corrupt/,
      /pager\.outages\[0\]\.to: to must be after from/,
      /pager\.outages\[1\]\.from: not a duration: "soon"/,
      /pager\.outages\[2\]\.mode: mode is error500 or hang/,
      /pager\.outages\[2\]: give exactly one of to, for/,
    ];
    for (const re of expected) assert.match(text, re);
    assert.equal(err.code, 'CORE_ERR_CONFIG');
  });

  test('YAML syntax errors are reported with their line', () => {
    assert.throws(() => parseFaultPlan('seed: 1\nmessages: {drop_rate: 0.1\n'), (e: Error) => /fault plan: YAML .* at line \d+/.test(e.message));
    assert.throws(() => parseFaultPlan('seed: 1\nseed: 2\n'), /YAML DUPLICATE_KEY/);
    assert.throws(() => parseFaultPlan('- 1\n- 2\n'), /top level must be a mapping/);
  });

  test('any text or JSON-like value gives a plan or a ConfigError, nothing else (property)', () => {
    const check = (text: string): boolean => {
      try {
        parseFaultPlan(text);
        return true;
      } catch (e) {
        return e instanceof ConfigError && e.problems.length > 0;
      }
    };
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 300 });
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => check(JSON.stringify(v))), { numRuns: 300 });
    const nearlyValid = fc.record(
      {
        seed: fc.oneof(fc.integer(), fc.double(), fc.string()),
        messages: fc.record({ drop_rate: fc.double(), schedule: fc.array(fc.record({ at: fc.integer(), fault: fc.constantFrom('drop', 'corrupt', 'x') })) }, { requiredKeys: [] }),
        pager: fc.array(fc.record({ from: fc.constantFrom('1h', '0', 'x', '90s'), for: fc.constantFrom('1m', '-1m'), mode: fc.constantFrom('hang', 'error500', 'zzz') })),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(nearlyValid, (v) => check(JSON.stringify(v))), { numRuns: 300 });
  });

  test('durations', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('2 hours'), undefined);
    assert.equal(parseDuration('h'), undefined);
  });

  test('the example plan in docs/faults.md parses', () => {
    const doc = readFileSync('docs/faults.md', 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block, 'docs/faults.md has a yaml block');
    const plan = parseFaultPlan(block);
    assert.equal(plan.messages.schedule.length, 5);
    assert.equal(plan.pager.outages.length, 2);
  });

  test('the example plans in test/fixtures/faults parse', () => {
    for (const name of ['flaky-network.yaml', 'pager-outages.yaml']) {
      const plan = parseFaultPlan(readFileSync(path.join('test/fixtures/faults', name), 'utf8'));
      assert.ok(!isEmptyFaultPlan(plan), name);
    }
  });
});

describe('fault plans from flags', () => {
  test('flags give rates', () => {
    const plan = faultPlanFromFlags({ faultSeed: 3, dropRate: 0.1, delayRate: 0.2, delayMs: 40, pagerErrorRate: 0.05, shortMessages: true });
    assert.equal(plan.seed, 3);
    assert.equal(plan.messages.rates.drop, 0.1);
    assert.equal(plan.messages.rates.delay, 0.2);
    assert.equal(plan.messages.delayMs, 40);
    assert.equal(plan.pager.errorRate, 0.05);
    assert.equal(plan.messages.shortMessages, true);
    assert.ok(isEmptyFaultPlan(faultPlanFromFlags({})));
  });

  test('bad flags are all named', () => {
    assert.throws(
      () => faultPlanFromFlags({ dropRate: 2, corruptRate: -1, delayMs: 1.5 }),
      (e: Error & { problems: string[] }) =>
        e.problems.length === 3 &&
        e.problems.some((p) => p.startsWith('--drop-rate:')) &&
        e.problems.some((p) => p.startsWith('--corrupt-rate:')) &&
        e.problems.some((p) => p.startsWith('--delay-ms:')),
    );
  });
});

describe('fault injector', () => {
  const plan = faultPlanFromFlags({ dropRate: 0.01, corruptRate: 0.05, duplicateRate: 0.02, delayRate: 0.03, delayMs: 700, fragmentRate: 0.1 });

  test('decide(i) depends only on the seeds and i, not on call order or earlier draws', () => {
    const idx = Array.from({ length: 300 }, (_, i) => i * 37);
    const a = decisions(plan, 11, idx);
    const rng = createRng(11);
    for (let k = 0; k < 1000; k++) rng.next(); // the caller's draws must not matter
    const inj = createFaultInjector(plan, rng);
    const reversed = [...idx].reverse().map((i) => JSON.stringify(inj.decide(i)));
    assert.deepEqual(reversed.reverse(), a);
    assert.deepEqual(decisions(plan, 11, idx), a, 'a new injector (a restart) decides the same');
    assert.notDeepEqual(decisions(plan, 12, idx), a, 'another seed decides differently');
    const otherPlanSeed = { ...plan, seed: 99 };
    assert.notDeepEqual(decisions(otherPlanSeed, 11, idx), a, 'the plan seed matters');
  });

  test('rates are honoured over 10k messages (fixed seed)', () => {
    const inj = createFaultInjector(plan, createRng(2024));
    const n = 10_000;
    const counts = { drop: 0, corrupt: 0, duplicate: 0, delay: 0, fragment: 0 };
    const kinds: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const f = inj.decide(i);
      if (f.dropConnection) counts.drop++;
      if (f.corrupt) {
        counts.corrupt++;
        kinds[f.corrupt] = (kinds[f.corrupt] ?? 0) + 1;
      }
      if (f.duplicate) counts.duplicate++;
      if (f.delayMs > 0) {
        counts.delay++;
        assert.equal(f.delayMs, 700);
      }
      if (f.fragments > 1) {
        counts.fragment++;
        assert.ok(f.fragments >= 2 && f.fragments <= 8);
      } else assert.equal(f.fragments, 1);
    }
    const expect = { drop: 0.01, corrupt: 0.05, duplicate: 0.02, delay: 0.03, fragment: 0.1 };
    for (const [k, p] of Object.entries(expect)) {
      const c = counts[k as keyof typeof counts];
      const sd = Math.sqrt(n * p * (1 - p));
      assert.ok(Math.abs(c - n * p) < 4 * sd, `${k}: ${c} vs expected ${n * p} ± ${4 * sd}`);
    }
    for (const k of CORRUPTION_KINDS) assert.ok((kinds[k] ?? 0) > counts.corrupt / 4 - 45, `kind ${k} drawn ${kinds[k]} of ${counts.corrupt}`);
  });

  test('corruption weights are honoured', () => {
    const weighted = parseFaultPlan('messages: { corrupt_rate: 1, corruption: { truncate: 3, non-ascii: 1 } }');
    const inj = createFaultInjector(weighted, createRng(5));
    const kinds: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const k = inj.decide(i).corrupt as string;
      kinds[k] = (kinds[k] ?? 0) + 1;
    }
    assert.deepEqual(Object.keys(kinds).sort(), ['non-ascii', 'truncate']);
    assert.ok(Math.abs((kinds['truncate'] as number) - 3000) < 120, JSON.stringify(kinds));
  });

  test('schedules fire exactly at their indexes', () => {
    const scheduled = parseFaultPlan(`
messages:
  schedule:
    - { at: [120, 4000], fault: drop }
    - { range: [10, 12], fault: corrupt, kind: truncate }
    - { every: 500, fault: duplicate, end: 1500 }
    - { every: 100, start: 50, fault: delay, ms: 15000 }
    - { at: 3, fault: fragment, pieces: 4 }
`);
    const inj = createFaultInjector(scheduled, createRng(1));
    const seen: Record<string, number[]> = { drop: [], corrupt: [], duplicate: [], delay: [], fragment: [] };
    for (let i = 0; i < 5000; i++) {
      const f = inj.decide(i);
      if (f.dropConnection) seen['drop']?.push(i);
      if (f.corrupt) {
        seen['corrupt']?.push(i);
        assert.equal(f.corrupt, 'truncate');
      }
      if (f.duplicate) seen['duplicate']?.push(i);
      if (f.delayMs) {
        seen['delay']?.push(i);
        assert.equal(f.delayMs, 15000);
      }
      if (f.fragments > 1) {
        seen['fragment']?.push(i);
        assert.equal(f.fragments, 4);
      }
    }
    assert.deepEqual(seen['drop'], [120, 4000]);
    assert.deepEqual(seen['corrupt'], [10, 11, 12]);
    assert.deepEqual(seen['duplicate'], [500, 1000, 1500]);
    assert.deepEqual(seen['delay'], Array.from({ length: 50 }, (_, k) => 50 + 100 * k));
    assert.deepEqual(seen['fragment'], [3]);
    assert.deepEqual(faultCounterKeys(inj.decide(10)), ['corrupt_truncate']);
  });

  test('short_messages fragments every frame', () => {
    const inj = createFaultInjector(faultPlanFromFlags({ shortMessages: true }), createRng(9));
    for (let i = 0; i < 1000; i++) {
      const f = inj.decide(i);
      assert.ok(f.fragments >= 2 && f.fragments <= 8, `message ${i}: ${f.fragments}`);
      assert.deepEqual(faultCounterKeys(f), ['fragment']);
    }
  });

  test('pager outage windows are exact; rates apply outside them', () => {
    const p = parseFaultPlan(`
pager:
  hang_ms: 1234
  outages:
    - { from: 2h, to: 3h, mode: error500 }
    - { from: 5h, for: 30m, mode: hang, hang_ms: 15000 }
`);
    const inj = createFaultInjector(p, createRng(1));
    const h = 3600_000;
    assert.equal(inj.pagerFault(0), null);
    assert.equal(inj.pagerFault(2 * h - 1), null);
    assert.deepEqual(inj.pagerFault(2 * h), { kind: 'error500' });
    assert.deepEqual(inj.pagerFault(3 * h - 1), { kind: 'error500' });
    assert.equal(inj.pagerFault(3 * h), null);
    assert.deepEqual(inj.pagerFault(5 * h + 1), { kind: 'hang', ms: 15000 });
    assert.equal(inj.pagerFault(5.5 * h), null);

    const rated = parseFaultPlan('pager: { error_rate: 0.2, hang_rate: 0.1, hang_ms: 500, outages: [{ from: 0, for: 1m, mode: hang }] }');
    const a = createFaultInjector(rated, createRng(4));
    assert.deepEqual(a.pagerFault(10), { kind: 'hang', ms: 500 }, 'outage hang takes the plan hang_ms');
    const kinds = { error500: 0, hang: 0, none: 0 };
    const seq: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const f = a.pagerFault(h + i);
      seq.push(JSON.stringify(f));
      kinds[f === null ? 'none' : f.kind]++;
    }
    assert.ok(Math.abs(kinds.error500 - 1000) < 120, JSON.stringify(kinds));
    assert.ok(Math.abs(kinds.hang - 500) < 90, JSON.stringify(kinds));
    const b = createFaultInjector(rated, createRng(4));
    assert.deepEqual(
      Array.from({ length: 5000 }, (_, i) => JSON.stringify(b.pagerFault(h + i))),
      seq,
      'the n-th page of a run gets the same draw',
    );
  });

  test('a bad index is refused', () => {
    const inj = createFaultInjector(plan, createRng(1));
    assert.throws(() => inj.decide(-1), RangeError);
    assert.throws(() => inj.decide(1.5), RangeError);
  });
});

describe('corruptMessage', () => {
  const hasControl = (b: Buffer): boolean => b.includes(0x0b) || b.includes(0x1c);

  for (const kind of CORRUPTION_KINDS) {
    test(`${kind}: changes every sample message and never inserts 0x0B/0x1C`, () => {
      const rng = createRng(`corrupt-${kind}`);
      for (const [name, msg] of Object.entries(SAMPLES)) {
        for (let k = 0; k < 200; k++) {
          const out = corruptMessage(kind, msg, rng);
          assert.ok(out.length > 0, `${name}: empty`);
          assert.ok(!out.equals(msg), `${name}: unchanged`);
          assert.ok(!hasControl(out), `${name}: control byte`);
        }
      }
    });
  }

  test('truncate keeps the MSH segment and cuts content', () => {
    const rng = createRng(1);
    const mshEnd = RESULT.indexOf(0x0d);
    for (let k = 0; k < 200; k++) {
      const out = corruptMessage('truncate', RESULT, rng);
      assert.ok(out.length > mshEnd && out.length < RESULT.length - 1, String(out.length));
      assert.ok(RESULT.subarray(0, out.length).equals(out));
    }
  });

  test('bad-value makes a course result or admission unreadable by its type', () => {
    const rng = createRng(2);
    const reasons = new Set<string>();
    for (let k = 0; k < 300; k++) {
      const out = corruptMessage('bad-value', RESULT, rng);
      const read = readCourseMessage(parseHl7(out));
      assert.equal(read.kind, 'invalid', out.toString('latin1'));
      if (read.kind === 'invalid') reasons.add(read.reason.replace(/'.*'/, "'…'"));
    }
    // OBX-5, OBR-7 and PID-3 are all hit.
    assert.equal(reasons.size, 3, [...reasons].join(' | '));
    const admit = corruptMessage('bad-value', ADMIT, createRng(3)).toString('latin1');
    assert.notEqual(admit, ADMIT.toString('latin1'));
    assert.match(admit, /^MSH\|\^~\\&\|/);
  });

  test('wrong-separators changes separators only', () => {
    const rng = createRng(4);
    const strip = (s: string): string => s.replace(/[\r\n|^]/g, '');
    const variants = new Set<string>();
    for (let k = 0; k < 100; k++) {
      const out = corruptMessage('wrong-separators', RESULT, rng).toString('latin1');
      assert.equal(strip(out), strip(RESULT.toString('latin1')));
      variants.add(out.includes('\r\n') ? 'crlf' : out.includes('\n') ? 'lf' : 'swap');
    }
    assert.deepEqual([...variants].sort(), ['crlf', 'lf', 'swap']);
  });

  test('non-ascii inserts bytes >= 0x80 and keeps the rest', () => {
    const rng = createRng(5);
    for (let k = 0; k < 100; k++) {
      const out = corruptMessage('non-ascii', RESULT, rng);
      assert.ok(out.some((b) => b >= 0x80));
      assert.equal(Buffer.from(out.filter((b) => b < 0x80)).toString('latin1'), RESULT.toString('latin1'));
      assert.ok(out.subarray(0, 8).equals(RESULT.subarray(0, 8)), 'MSH header kept');
    }
  });

  test('any bytes: every kind gives a changed, non-empty message without control bytes (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('', 'MSH', 'MSH|^~\\&|', `MSH|^~\\&|A|B|||20240101||ORU^R01|||2.5\rPID|1||`), fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...CORRUPTION_KINDS), fc.integer(), (prefix, bytes, kind: CorruptionKind, seed) => {
        const msg = Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from(bytes)]);
        const out = corruptMessage(kind, msg, createRng(seed));
        return out.length > 0 && !out.equals(msg) && !hasControl(out);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fragmentFrame', () => {
  test('pieces concatenate back to the frame (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.integer({ min: 0, max: 50 }), fc.integer(), (bytes, pieces, seed) => {
        const frame = Buffer.from(bytes);
        const parts = fragmentFrame(frame, pieces, createRng(seed));
        const expected = frame.length === 0 ? 1 : Math.max(1, Math.min(pieces, frame.length));
        return (
          Buffer.concat(parts).equals(frame) &&
          parts.length === expected &&
          (frame.length === 0 || parts.every((p) => p.length > 0))
        );
      }),
      { numRuns: 500 },
    );
  });

  test('cut points vary with the stream', () => {
    const frame = Buffer.alloc(200, 0x41);
    const a = fragmentFrame(frame, 5, createRng(1)).map((p) => p.length);
    const b = fragmentFrame(frame, 5, createRng(2)).map((p) => p.length);
    assert.notDeepEqual(a, b);
    assert.deepEqual(fragmentFrame(frame, 5, createRng(1)).map((p) => p.length), a);
  });
});
