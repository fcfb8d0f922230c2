import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, monotonicMs, realClock, ScaledClock, wallNow } from './clock.js';

describe('FakeClock', () => {
  it('moves only when told, never backwards', () => {
    const c = new FakeClock(1000);
    assert.equal(c.now(), 1000);
    c.advance(500);
    assert.equal(c.now(), 1500);
    c.set(2000);
    assert.equal(c.now(), 2000);
    assert.throws(() => c.set(1999), RangeError);
  });

  it('wakes sleepers when their time comes, in order of due time', async () => {
    const c = new FakeClock(0);
    const woke: string[] = [];
    const a = c.sleep(300).then(() => woke.push('a'));
    const b = c.sleep(100).then(() => woke.push('b'));
    const z = c.sleep(100).then(() => woke.push('b2'));
    assert.equal(c.pending, 3);
    c.advance(99);
    await Promise.resolve();
    assert.deepEqual(woke, []);
    c.advance(1);
    await Promise.all([b, z]);
    assert.deepEqual(woke, ['b', 'b2']);
    c.advance(1000);
    await a;
    assert.deepEqual(woke, ['b', 'b2', 'a']);
    assert.equal(c.pending, 0);
  });

  it('rejects a sleep with the signal reason, before or during', async () => {
    const c = new FakeClock();
    const ac = new AbortController();
    const p = c.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    assert.equal(c.pending, 0);
    await assert.rejects(c.sleep(1, ac.signal), /stop/);
    // A signal aborted after the sleep woke changes nothing.
    const ac2 = new AbortController();
    const q = c.sleep(5, ac2.signal);
    c.advance(5);
    await q;
    ac2.abort(new Error('late'));
  });

  it('advanceStepwise lets a loop that sleeps repeatedly see every intermediate time', async () => {
    const c = new FakeClock(0);
    const seen: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await c.sleep(10);
        seen.push(c.now());
      }
    })();
    await c.advanceStepwise(100);
    await loop;
    assert.deepEqual(seen, [10, 20, 30, 40, 50]);
    assert.equal(c.now(), 100);
  });
});

describe('ScaledClock', () => {
  it('runs speed times faster than its base from the origin', () => {
    const base = new FakeClock(5000);
    const c = new ScaledClock(base, 60, Date.UTC(2024, 0, 1));
    assert.equal(c.now(), Date.UTC(2024, 0, 1));
    base.advance(1000);
    assert.equal(c.now(), Date.UTC(2024, 0, 1) + 60_000);
  });

  it('sleeps simulated time: 60 s at speed 60 is one base second', async () => {
    const base = new FakeClock(0);
    const c = new ScaledClock(base, 60, 0, 0);
    let done = false;
    const p = c.sleep(60_000).then(() => (done = true));
    base.advance(999);
    await Promise.resolve();
    assert.equal(done, false);
    base.advance(1);
    await p;
    assert.equal(done, true);
  });

  it('refuses a speed that is not a positive finite number', () => {
    for (const s of [0, -1, Number.NaN, Infinity]) assert.throws(() => new ScaledClock(new FakeClock(), s, 0), RangeError);
  });
});

describe('realClock', () => {
  it('reads the wall clock and sleeps for real (briefly), and honours abort', async () => {
    const before = monotonicMs();
    await realClock.sleep(5);
    assert.ok(monotonicMs() - before >= 4);
    assert.equal(typeof realClock.now(), 'number');
    assert.equal(typeof wallNow(), 'number');
    const ac = new AbortController();
    const p = realClock.sleep(60_000, ac.signal);
    ac.abort(new Error('abort'));
    await assert.rejects(p, /abort/);
    await assert.rejects(realClock.sleep(1, ac.signal), /abort/);
  });
});
