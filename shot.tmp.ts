import { chromium } from 'playwright-core';
import { build } from 'vite';
import { serveStatic } from './src/node/static-server.ts';
await build({ configFile: 'web/vite.config.ts', logLevel: 'warn', build: { outDir: '/tmp/webout', emptyOutDir: true } });
const s = await serveStatic('/tmp/webout');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
page.on('console', (m) => m.type() === 'error' && console.log('console:', m.text()));
await page.goto(s.url);
await page.waitForSelector('#flash-map svg', { timeout: 60000 });
for (const v of ['swap-scratch@pr2205', 'swap-move@pr2199', 'swap-scratch@pr485']) {
  await page.selectOption('#preset', v);
  await page.click('#run-campaign');
  await page.waitForSelector('#campaign-summary[data-done="true"]', { timeout: 120000 });
  console.log(v, await page.textContent('#campaign-summary'));
  await page.focus('#strip'); await page.keyboard.press('n'); await page.keyboard.press('Enter');
  await page.waitForTimeout(1500);
  console.log(' status:', await page.textContent('#status'));
  console.log(' verdict:', await page.textContent('#verdict'));
  await page.keyboard.press('End');
  console.log(' decision:', (await page.textContent('#decision'))?.slice(0, 400));
  await page.screenshot({ path: `/tmp/shots/${v.replace('@','-')}.png`, fullPage: true });
}
await browser.close(); await s.close();
