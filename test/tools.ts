/**
 * System tools some tests need (Debian's chromium, promtool, ...). On a user's machine a test
 * whose tool is missing skips with the reason; in CI (CI=true, set by .ci/run, which installs
 * them) a missing tool fails instead, so nothing skips there.
 */

/** `false` when the tool is there; else the reason to skip — or, in CI, an error thrown. */
export function skipUnless(available: boolean, reason: string): string | false {
  if (available) return false;
  if (process.env.CI === 'true') throw new Error(`${reason} (.ci/run must install it; nothing may skip in CI)`);
  return reason;
}

/** The Chromium the browser tests drive (Debian's, never a downloaded one). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
