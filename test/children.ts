/**
 * Every process a test spawns is registered here and SIGKILLed when the test file's process
 * exits, however it exits: a test that times out never reaches its `finally`, and a child left
 * running (a detector reconnecting forever) would keep the file's process, and the whole run,
 * alive. scripts/run-tests.sh runs node --test with --test-force-exit, so the file's process
 * exits once its tests are over and this handler runs.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Registers `child` (until it exits); returns it. */
export function tracked<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
