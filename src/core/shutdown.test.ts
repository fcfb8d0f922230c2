import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createShutdown } from './shutdown.js';

function fakeProcess(): EventEmitter & { on: NodeJS.Process['on']; off: NodeJS.Process['off'] } {
  return new EventEmitter() as never;
}

describe('createShutdown', () => {
  it('on SIGTERM runs closers last-registered first, then resolves done with the signal', async () => {
    const proc = fakeProcess();
    const order: string[] = [];
    const events: string[] = [];
    const s = createShutdown({ proc, graceMs: 1000, onEvent: (e) => events.push(`${e.kind}:${e.name}`) });
    s.add('db', () => void order.push('db'));
    s.add('server', async () => {
      await new Promise((r) => setImmediate(r));
      order.push('server');
    });
    proc.emit('SIGTERM', 'SIGTERM');
    assert.equal(await s.done, 'SIGTERM');
    assert.deepEqual(order, ['server', 'db']);
    assert.deepEqual(events, ['signal:SIGTERM', 'closed:server', 'closed:db']);
    s.dispose();
    assert.equal(proc.listenerCount('SIGTERM'), 0);
    assert.equal(proc.listenerCount('SIGINT'), 0);
  });

  it('runs the closers once even if asked twice or signalled again', async () => {
    const proc = fakeProcess();
    let runs = 0;
    const s = createShutdown({ proc });
    s.add('x', () => void runs++);
    const p1 = s.shutdown('first');
    const p2 = s.shutdown('second');
    assert.equal(p1, p2);
    proc.emit('SIGINT', 'SIGINT');
    await p1;
    assert.equal(runs, 1);
    assert.equal(await s.done, 'first');
    s.dispose();
  });

  it('bounds a closer that hangs by the grace period and reports one that throws, and carries on', async () => {
    const proc = fakeProcess();
    const events: string[] = [];
    const s = createShutdown({ proc, graceMs: 20, onEvent: (e) => events.push(`${e.kind}:${e.name}`) });
    let last = false;
    s.add('last', () => void (last = true));
    s.add('throws', () => {
      throw new Error('boom');
    });
    s.add('hangs', () => new Promise<void>(() => undefined));
    await s.shutdown('test');
    assert.deepEqual(events, ['timeout:hangs', 'error:throws', 'closed:last']);
    assert.equal(last, true);
    s.dispose();
  });
});
