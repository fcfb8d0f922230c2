/**
 * The compiled CLI (what the container image runs: `node dist/cli/entry.js`): `npm run build`
 * compiles it, and every part works from it — the data files beside the code, the shipped
 * model, and the trial, which must start its parts from dist/ (the image has no bin/ and no tsx).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const entry = path.join(root, 'dist', 'cli', 'entry.js');

function swemls(args: string[], cwd = root): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('npm run build compiles a dist/ from which every command runs, the trial included', { timeout: 300_000 }, () => {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  assert.ok(existsSync(path.join(root, 'dist', 'generator', 'profiles', 'course.yaml')), 'profiles copied beside the code');

  const help = swemls(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /trial/);

  const tmp = mkdtempSync(path.join(tmpdir(), 'swemls-dist-'));
  const gen = swemls(['generate', '--profile', 'course', '--seed', '4', '--days', '3', '--history', '10', '--population', '500', '--out', path.join(tmp, 'h')], tmp);
  assert.equal(gen.status, 0, gen.stderr);
  const pred = swemls(['predict', '--input', path.join(tmp, 'h', 'test.csv'), '--output', path.join(tmp, 'aki.csv')], tmp);
  assert.equal(pred.status, 0, pred.stderr);
  assert.match(pred.stdout + pred.stderr, /gbdt-/, 'the shipped model, found from dist/');

  // Run from another directory, as the image does: no bin/, no tsx on the way.
  const trial = swemls(['trial', '--seed', '5', '--days', '3', '--train-days', '20', '--history', '20', '--population', '1500', '--grace', '1', '--out', path.join(tmp, 'run')], tmp);
  assert.equal(trial.status, 0, trial.stdout + trial.stderr);
  assert.match(trial.stdout, /Scorecard/);
  const simLog = readFileSync(path.join(tmp, 'run', 'logs', 'simulator.log'), 'utf8');
  assert.match(simLog, /listening mllp=/);
  // Each part ran from the compiled entry point.
  assert.match(simLog.split('\n')[0] as string, new RegExp(`^\\[trial\\] \\$ \\S+ ${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} simulate `));
});
