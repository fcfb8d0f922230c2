/**
 * Shared by the deploy tests: finding external tools (kubectl, promtool, shellcheck, ...) and
 * running them. A missing tool skips its test with the reason on a user's machine; in CI
 * (CI=true, where .ci/run installs them) a missing tool fails the test instead, so nothing
 * skips there.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { skipUnless } from './tools.js';

/** True when `tool` is on PATH. */
export function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status === 0;
}

/**
 * Returns true when the tool is there. Otherwise skips the test with a reason (false), or in CI
 * throws: CI must run every check.
 */
export function needTool(t: TestContext, tool: string, install: string): boolean {
  const reason = skipUnless(hasTool(tool), `${tool} not installed: ${install}`);
  if (reason === false) return true;
  t.skip(reason);
  return false;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (no shell). */
export function run(cmd: string, args: readonly string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: options.cwd, input: options.input, env: options.env ?? process.env, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
