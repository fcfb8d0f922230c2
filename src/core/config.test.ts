import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { camelCase, formatHelp, parseArgs, type CommandSpec } from './config.js';
import { ConfigError } from './errors.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'A demo command.',
  options: [
    { name: 'mllp', type: 'string', help: 'MLLP address', default: '127.0.0.1:8440', env: 'MLLP_ADDRESS', metavar: 'HOST:PORT' },
    { name: 'max-resends', type: 'int', help: 'resends', default: 3, min: 0, max: 10 },
    { name: 'speed', type: 'number', help: 'speed factor', default: 1, env: 'SPEED' },
    { name: 'verbose', type: 'boolean', help: 'say more', default: false },
    { name: 'group', type: 'strings', help: 'groups', env: 'GROUPS' },
    { name: 'mode', type: 'string', help: 'mode', choices: ['fast', 'slow'], default: 'fast' },
    { name: 'mean-daily-admits', type: 'number', help: 'admits', aliases: ['mean_daily_admits'], default: 30 },
    { name: 'data', type: 'string', help: 'ignored', ignoredNote: 'the data are built in' },
  ],
};

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'CORE_ERR_CONFIG');
    return e.problems;
  }
  assert.fail('no ConfigError');
}

describe('parseArgs', () => {
  it('takes defaults when nothing is given, frozen, camelCase keys', () => {
    const a = parseArgs(spec, []);
    assert.deepEqual(a.values, { mllp: '127.0.0.1:8440', maxResends: 3, speed: 1, verbose: false, group: [], mode: 'fast', meanDailyAdmits: 30 });
    assert.ok(Object.isFrozen(a.values));
    assert.equal(a.given.size, 0);
    assert.equal(a.help, false);
  });

  it('accepts --name value, --name=value, -name value, -name=value, and aliases', () => {
    for (const argv of [['--speed', '2.5'], ['--speed=2.5'], ['-speed', '2.5'], ['-speed=2.5']]) assert.equal(parseArgs(spec, argv).values.speed, 2.5, argv.join(' '));
    assert.equal(parseArgs(spec, ['--mean_daily_admits=12']).values.meanDailyAdmits, 12);
  });

  it('reads booleans as --flag, --flag=false, --no-flag', () => {
    assert.equal(parseArgs(spec, ['--verbose']).values.verbose, true);
    assert.equal(parseArgs(spec, ['--verbose=false']).values.verbose, false);
    assert.equal(parseArgs(spec, ['--verbose=1']).values.verbose, true);
    assert.equal(parseArgs(spec, ['--no-verbose']).values.verbose, false);
  });

  it('collects a repeatable option', () => {
    assert.deepEqual(parseArgs(spec, ['--group', 'a', '--group=b']).values.group, ['a', 'b']);
  });

  it('takes flag over env over default', () => {
    const env = { MLLP_ADDRESS: 'env:1', SPEED: '4', GROUPS: 'g1' };
    const fromEnv = parseArgs(spec, [], env);
    assert.equal(fromEnv.values.mllp, 'env:1');
    assert.equal(fromEnv.values.speed, 4);
    assert.deepEqual(fromEnv.values.group, ['g1']);
    assert.ok(fromEnv.given.has('mllp'));
    const fromFlag = parseArgs(spec, ['--mllp', 'flag:2'], env);
    assert.equal(fromFlag.values.mllp, 'flag:2');
    assert.equal(parseArgs(spec, [], { MLLP_ADDRESS: '' }).values.mllp, '127.0.0.1:8440', 'an empty env var counts as unset');
  });

  it('keeps positionals, treats a negative number as one, and stops at --', () => {
    const a = parseArgs({ ...spec, positionals: true }, ['file.csv', '-5', '--verbose', '--', '--speed', 'x']);
    assert.deepEqual(a.positionals, ['file.csv', '-5', '--speed', 'x']);
    assert.equal(a.values.verbose, true);
  });

  it('refuses positionals where the command takes none, with every other problem', () => {
    assert.deepEqual(problems(() => parseArgs(spec, ['--speed', 'x', 'extra'])), ["--speed: expected a number, got 'x'", "unexpected argument 'extra' (see 'swemls demo --help')"]);
    assert.deepEqual(problems(() => parseArgs(spec, ['--verbose', 'false'])), ["unexpected argument 'false' (a boolean flag takes its value with '=', e.g. --rewind=false)"]);
    assert.equal(parseArgs(spec, ['extra', '--help']).help, true, '--help still wins');
  });

  it('reports every problem at once', () => {
    const ps = problems(() => parseArgs(spec, ['--max-resends', '11', '--speed', 'fast', '--bogus', '--mode', 'medium', '--verbose=maybe', '--mllp'], { SPEED: 'x' }));
    assert.deepEqual(ps, [
      '--max-resends: must be at most 10, got 11',
      "--speed: expected a number, got 'fast'",
      "unknown option '--bogus' (see 'swemls demo --help')",
      "--mode: expected one of fast, slow, got 'medium'",
      "--verbose: expected true or false, got 'maybe'",
      "option '--mllp' needs a value",
    ]);
    assert.deepEqual(
      problems(() => parseArgs(spec, ['--max-resends=2.5', '--max-resends=-1'])),
      ["--max-resends: expected an integer, got '2.5'", '--max-resends: must be at least 0, got -1'],
    );
    assert.deepEqual(
      problems(() => parseArgs(spec, [], { SPEED: 'quick' })),
      ["SPEED: expected a number, got 'quick'"],
    );
  });

  it('notes an ignored compatibility option instead of failing', () => {
    const a = parseArgs(spec, ['--data', '/some/dir']);
    assert.deepEqual(a.notes, ['--data is accepted for compatibility and ignored: the data are built in']);
    assert.equal(a.values.data, undefined);
  });

  it('checks required options and custom validation', () => {
    const s: CommandSpec = {
      name: 'r',
      summary: 'r',
      options: [
        { name: 'pager', type: 'string', help: 'pager', required: true, env: 'PAGER_ADDRESS' },
        { name: 'port', type: 'int', help: 'port', default: 1, validate: (v) => (Number(v) % 2 === 0 ? undefined : 'must be even') },
      ],
    };
    assert.deepEqual(
      problems(() => parseArgs(s, ['--port', '3'])),
      ['--port: must be even', "option '--pager' is required (or set PAGER_ADDRESS)"],
    );
    assert.equal(parseArgs(s, [], { PAGER_ADDRESS: 'h:1' }).values.pager, 'h:1');
  });

  it('sets help and does not fail on other problems when --help is asked', () => {
    const a = parseArgs(spec, ['--bogus', '-h']);
    assert.equal(a.help, true);
  });
});

describe('formatHelp', () => {
  it('lists every option with its default, env var and aliases', () => {
    const text = formatHelp(spec);
    assert.match(text, /^Usage: swemls demo \[options\]/);
    assert.match(text, /--mllp HOST:PORT +MLLP address \(default: 127\.0\.0\.1:8440; env: MLLP_ADDRESS\)/);
    assert.match(text, /--max-resends N +resends \(default: 3\)/);
    assert.match(text, /--verbose +say more \(default: false\)/);
    assert.match(text, /also: --mean_daily_admits/);
    assert.match(text, /-h, --help +show this help/);
  });

  it('writes the usage line once whether or not it starts with the program name', () => {
    assert.match(formatHelp({ ...spec, usage: 'demo FILE' }), /^Usage: swemls demo FILE\n/);
    assert.match(formatHelp({ ...spec, usage: 'swemls demo FILE' }), /^Usage: swemls demo FILE\n/);
  });
});

describe('camelCase', () => {
  it('turns kebab and snake case into camelCase', () => {
    assert.equal(camelCase('max-resends'), 'maxResends');
    assert.equal(camelCase('mean_daily_admits'), 'meanDailyAdmits');
    assert.equal(camelCase('x'), 'x');
  });
});
