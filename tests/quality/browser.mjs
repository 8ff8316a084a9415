// The browser gates with one server and one Chromium launch.
//   node browser.mjs SITE_DIR BASE_PATH [--no-axe] [--no-keyboard] [--no-reflow]
// Prints one line per page checked and a summary per gate; writes the exit
// status of each gate as "axe=0 keyboard=1 reflow=0" on the last line.
import { runAxe } from './axe.mjs';
import { runKeyboard } from './keyboard.mjs';
import { runReflow } from './reflow.mjs';
import { choosePages, launchBrowser, parseArgs } from './lib.mjs';
import { startServer } from './serve.mjs';

const { siteDir, basePath, flags } = parseArgs(process.argv, 'node browser.mjs SITE_DIR BASE_PATH [--no-axe] [--no-keyboard] [--no-reflow]');
const chosen = choosePages(siteDir);
const server = await startServer(siteDir, basePath);
console.log(`browser: serving ${siteDir} at ${server.url}; ${chosen.pages.length} pages: ${chosen.pages.map((p) => p.kind).join(', ')}`);
const t0 = Date.now();
const browser = await launchBrowser();
console.log(`browser: ${browser.version()} (${((Date.now() - t0) / 1000).toFixed(1)} s to launch)`);
const results = {};
try {
  const ctx = { url: server.url, basePath, ...chosen };
  if (!flags.has('--no-axe')) results.axe = await runAxe(browser, ctx);
  if (!flags.has('--no-keyboard')) results.keyboard = await runKeyboard(browser, ctx);
  if (!flags.has('--no-reflow')) results.reflow = await runReflow(browser, ctx);
} finally {
  await browser.close();
  await server.close();
}
console.log(`browser-results: ${Object.entries(results).map(([k, v]) => `${k}=${v}`).join(' ')}`);
process.exit(Object.values(results).some((v) => v) ? 1 : 0);
