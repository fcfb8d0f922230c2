/**
 * `swemls generate` on the command line: flags (ours and the kit's spellings), errors, exit codes
 * and the summary. One real process checks the exit code end to end; the rest run the CLI's
 * `main` in process with captured streams (spawning tsx costs seconds on a busy machine).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../src/cli/main.js';

async function run(args: string[], cwd = process.cwd(), tty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t), isTTY: tty },
    stderr: { write: (t: string) => (stderr += t), isTTY: tty },
    env: {},
    cwd,
  };
  const code = await main(['generate', ...args], {}, io);
  return { code, stdout, stderr };
}

const SUMMARY = /^generated 5\+3 days \(profile kit, seed 3\) into .*: \d+ ORU\^R01, \d+ ADT\^A01, \d+ ADT\^A03; \d+ AKIs; NHS F3 on the stream \d\.\d{3}; \d+ training rows \(\d+ AKI\); \d+\.\d\d s$/;
const FILES = ['history.csv', 'messages.mllp', 'aki.csv', 'training.csv', 'test.csv', 'test.expected.csv'];

let root: string;
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'swemls-gen-cli-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('swemls generate (CLI)', () => {
  it('as a process: writes the files, prints a one-line summary, exits 0; a bad flag exits 2', () => {
    const out = path.join(root, 'proc');
    const bin = path.resolve('bin/swemls.js');
    const r = spawnSync(process.execPath, [bin, 'generate', '--seed', '3', '--days', '5', '--history', '3', '--population', '300', '--admits', '8', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, SUMMARY);
    for (const f of FILES) assert.ok(existsSync(path.join(out, f)), f);
    const bad = spawnSync(process.execPath, [bin, 'generate', '--days', '0'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'swemls generate: --days: must be at least 1, got 0\n');
  });

  it('draws a progress bar on a terminal only, and erases it before the summary', async () => {
    const quiet = await run(['--seed', '3', '--days', '5', '--history', '3', '--population', '300', '--admits', '8', '--out', path.join(root, 'q')]);
    assert.equal(quiet.stderr, '');
    const tty = await run(['--seed', '3', '--days', '5', '--history', '3', '--population', '300', '--admits', '8', '--out', path.join(root, 't')], process.cwd(), true);
    assert.equal(tty.code, 0);
    assert.match(tty.stderr, /\rgenerating \[#+\] day 9\/9/);
    assert.ok(tty.stderr.endsWith('\r'));
    assert.match(tty.stdout.trimEnd(), SUMMARY);
  });

  it("accepts the kit's spellings (and --data with a note), giving the same files as ours", async () => {
    const ours = path.join(root, 'ours');
    const kit = path.join(root, 'kit');
    assert.equal((await run(['--seed=4', '--days=4', '--history=2', '--population=250', '--admits=9', `--out=${ours}`])).code, 0);
    const r = await run(['--seed=4', '--days=4', '--history=2', '--population_size=250', '--mean_daily_admits=9', `--output=${kit}`, '--data=data']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--data is accepted for compatibility and ignored/);
    for (const f of FILES) assert.ok(readFileSync(path.join(ours, f)).equals(readFileSync(path.join(kit, f))), f);
  });

  it('resolves --out and --profile paths against the working directory', async () => {
    writeFileSync(path.join(root, 'mine.yaml'), 'name: mine\nextends: kit\n');
    const r = await run(['--days', '2', '--history', '1', '--population', '100', '--out', 'rel', '--profile', 'mine.yaml'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /profile mine/);
    assert.ok(existsSync(path.join(root, 'rel', 'messages.mllp')));
  });

  const bad: [string[], RegExp][] = [
    [['--days', 'ten'], /--days: expected an integer/],
    [['--population', '-3'], /--population: must be at least 1/],
    [['--history', '-1'], /--history: must be at least 0/],
    [['--admits', 'x'], /--admits: expected a number/],
    [['--seed', '1.5'], /--seed: expected an integer/],
    [['--profile', 'nope'], /profile 'nope': cannot read .*built-in profiles: kit, course/],
    [['--bogus'], /unknown option '--bogus'/],
    [['extra'], /unexpected argument 'extra'/],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(' ')} with one clear line and exit code 2`, async () => {
      const r = await run([...args, '--out', path.join(root, 'never')]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(!existsSync(path.join(root, 'never', 'messages.mllp')));
    });
  }

  it('fails with exit code 1 and GEN_ERR_OUTPUT when the output directory cannot be made', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'not a directory');
    const r = await run(['--days', '2', '--history', '1', '--population', '50', '--out', path.join(file, 'sub')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^swemls generate: GEN_ERR_OUTPUT: cannot create the output directory .*a-file\/sub: /);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  });

  it('rejects an invalid profile file with exit code 2, naming the field', async () => {
    const file = path.join(root, 'bad.yaml');
    writeFileSync(file, 'name: bad\nextends: kit\ntests:\n  dailyProbability: 2\n');
    const r = await run(['--profile', file, '--out', path.join(root, 'never2')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /tests\.dailyProbability/);
    assert.ok(!existsSync(path.join(root, 'never2', 'messages.mllp')));
  });
});
