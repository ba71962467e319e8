/**
 * Debian's Chromium for the browser tests (`apt-get install -y chromium`; .ci/run installs
 * it), driven by playwright-core. A machine without it skips those tests and says so; CI
 * (CI set, as .ci/run sets it) never skips them: there a missing Chromium fails them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const noChromium = !existsSync(CHROMIUM) && !process.env.CI;
if (noChromium) console.warn(`browser tests skipped: no ${CHROMIUM} (apt-get install -y chromium)`);

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium): CI runs the browser tests, it never skips them`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}
