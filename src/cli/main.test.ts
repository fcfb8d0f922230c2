import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands, main, mainHelp } from './main.js';
import type { CliIo } from './command.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function io(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    cwd: root,
    out: () => out,
    err: () => err,
  };
}

/** Runs the real `swemls` (bin/swemls.js) as a process. */
function swemls(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'swemls.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('swemls (process)', () => {
  it('--help lists every subcommand and exits 0', () => {
    const r = swemls('--help');
    assert.equal(r.status, 0);
    for (const name of ['generate', 'train', 'predict', 'score', 'simulate', 'detect', 'trial']) assert.match(r.stdout, new RegExp(`^  ${name} +\\S`, 'm'), name);
    assert.equal(r.stderr, '');
  });

  it('an unknown command gives a one-line error on stderr and exit 2', () => {
    const r = swemls('frobnicate', '--x');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1);
    assert.match(r.stderr, /^swemls: unknown command 'frobnicate' \(commands: generate, train, predict, score, simulate, detect, trial; see 'swemls --help'\)\n$/);
  });

  it('a bad flag gives a one-line error on stderr and exit 2', () => {
    const r = swemls('score', '--no-such-flag=1');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "swemls score: unknown option '--no-such-flag' (see 'swemls score --help')\n");
  });

  it('a missing input file is one plain line naming it, exit 1', () => {
    const r = swemls('predict', '--model', 'nhs', '--input', 'no/such/test.csv', '--output', '-');
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `swemls predict: cannot open ${path.join(root, 'no/such/test.csv')}: no such file or directory (ENOENT)\n`);
  });
});

describe('main (in process)', () => {
  it('prints the top-level help for --help, -h and help (exit 0), and for no command (exit 2)', async () => {
    for (const arg of ['--help', '-h', 'help']) {
      const x = io();
      assert.equal(await main([arg], {}, x), 0);
      assert.equal(x.out(), mainHelp());
    }
    const none = io();
    assert.equal(await main([], {}, none), 2);
    assert.equal(none.out(), mainHelp());
  });

  it('prints the package version', async () => {
    const x = io();
    assert.equal(await main(['--version'], {}, x), 0);
    assert.match(x.out(), /^\d+\.\d+\.\d+\n$/);
  });

  it('refuses an option before any command in one line, exit 2', async () => {
    const x = io();
    assert.equal(await main(['--verbose'], {}, x), 2);
    assert.equal(x.err(), "swemls: unknown option '--verbose' (give a command first; see 'swemls --help')\n");
  });

  it('refuses a command name that is only an Object property', async () => {
    const x = io();
    assert.equal(await main(['constructor'], {}, x), 2);
    assert.match(x.err(), /^swemls: unknown command 'constructor'/);
  });

  for (const name of Object.keys(commands)) {
    it(`${name}: --help prints its options (exit 0); an unknown flag or a bad value is one line, exit 2`, async () => {
      const help = io();
      assert.equal(await main([name, '--help'], {}, help), 0);
      assert.match(help.out(), new RegExp(`^Usage: swemls ${name}`));
      assert.match(help.out(), /-h, --help/);

      const bad = io();
      assert.equal(await main([name, '--definitely-not-a-flag'], {}, bad), 2);
      assert.equal(bad.out(), '');
      assert.equal(bad.err(), `swemls ${name}: unknown option '--definitely-not-a-flag' (see 'swemls ${name} --help')\n`);

      const { command } = await (commands[name] as (typeof commands)[string]).load();
      if (!command.spec.positionals) {
        // `--rewind false` is two arguments: the stray 'false' is refused, not silently dropped.
        const stray = io();
        assert.equal(await main([name, 'false'], {}, stray), 2);
        assert.equal(stray.err(), `swemls ${name}: unexpected argument 'false' (a boolean flag takes its value with '=', e.g. --rewind=false)\n`);
      }
      const numeric = command.spec.options.find((o) => o.type === 'int' || o.type === 'number');
      if (numeric) {
        const nan = io();
        assert.equal(await main([name, `--${numeric.name}`, 'not-a-number'], {}, nan), 2);
        assert.equal(nan.err().split('\n').filter(Boolean).length, 1);
        assert.match(nan.err(), new RegExp(`^swemls ${name}: .*--${numeric.name}: expected an? (integer|number), got 'not-a-number'`));
      }
    });
  }
});

describe('--stream-start', () => {
  // train, predict and detect read the date the same way (aki parseDateFlag): no day rolls over.
  for (const [name, bad, rest] of [
    ['train', '2024-02-30', ['--training', 'unread.csv', '--out', 'unwritten.json']],
    ['predict', '2024-02-30', []],
    ['detect', '2024-02-30', []],
    ['detect', 'auto', []],
  ] as const) {
    it(`${name} refuses --stream-start ${bad} in one line, exit 2`, async () => {
      const x = io();
      assert.equal(await main([name, '--stream-start', bad, ...rest], {}, x), 2);
      assert.equal(x.err().split('\n').filter(Boolean).length, 1, x.err());
      assert.match(x.err(), new RegExp(`--stream-start.*${bad}|${bad}.*--stream-start`));
    });
  }
});
