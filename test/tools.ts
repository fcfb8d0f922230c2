import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

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

/** A browser test's `skip`: false when Chromium is there (see skipUnless). */
export function skipUnlessChromium(): string | false {
  return skipUnless(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

/** Headless Chromium; without the background-networking flags it keeps dialling out on this closed network. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
