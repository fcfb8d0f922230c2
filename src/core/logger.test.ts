import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, silentLogger } from './logger.js';

describe('logger', () => {
  it('writes JSON lines with level, time, message and child bindings to the destination', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', name: 'detector', destination: { write: (l: string) => lines.push(l) } });
    log.child({ component: 'outbox' }).info({ mrn: '123' }, 'page sent');
    log.debug('details');
    log.trace('dropped');
    assert.equal(lines.length, 2);
    const first = JSON.parse(lines[0] as string) as Record<string, unknown>;
    assert.equal(first.level, 30);
    assert.equal(first.name, 'detector');
    assert.equal(first.component, 'outbox');
    assert.equal(first.mrn, '123');
    assert.equal(first.msg, 'page sent');
    assert.match(String(first.time), /^\d{4}-\d\d-\d\dT/);
    assert.equal(first.pid, undefined, 'no pid/hostname noise');
  });

  it('defaults to info and drops everything when silent', () => {
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (l: string) => lines.push(l) } });
    log.debug('no');
    log.info('yes');
    assert.equal(lines.length, 1);
    silentLogger().error('nothing happens');
  });
});
