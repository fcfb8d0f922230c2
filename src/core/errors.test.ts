import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, errorMessage, hasCode, SwemlsError } from './errors.js';

class DemoError extends SwemlsError {}

describe('errors', () => {
  it('carry a stable code, their class name and a chained cause', () => {
    const cause = new Error('socket');
    const e = new DemoError('DEMO_ERR_X', 'it failed', { cause });
    assert.equal(e.code, 'DEMO_ERR_X');
    assert.equal(e.name, 'DemoError');
    assert.equal(e.cause, cause);
    assert.ok(e instanceof Error);
  });

  it('ConfigError lists every problem', () => {
    const e = new ConfigError(['a', 'b']);
    assert.equal(e.code, 'CORE_ERR_CONFIG');
    assert.deepEqual(e.problems, ['a', 'b']);
    assert.equal(e.message, 'a; b');
  });

  it('hasCode decides by code, from a set or an array, for anything thrown', () => {
    const e = new DemoError('DEMO_ERR_X', 'x');
    assert.equal(hasCode(e, ['DEMO_ERR_X']), true);
    assert.equal(hasCode(e, new Set(['DEMO_ERR_Y'])), false);
    assert.equal(hasCode(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), new Set(['ECONNREFUSED'])), true);
    for (const x of [null, undefined, 'str', 42, {}]) assert.equal(hasCode(x, ['X']), false);
  });

  it('errorMessage works for anything thrown', () => {
    assert.equal(errorMessage(new Error('m')), 'm');
    assert.equal(errorMessage('plain'), 'plain');
    assert.equal(errorMessage(undefined), 'undefined');
  });
});
