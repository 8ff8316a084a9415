// axe-core in the system's headless Chromium on every kind of page, at a
// desktop and a phone width.
//   node axe.mjs SITE_DIR BASE_PATH
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { choosePages, gate, isMain, launchBrowser, MISSING_REL, parseArgs } from './lib.mjs';
import { startServer } from './serve.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_VERSION = require('axe-core/package.json').version;

// The issue asks for wcag2a, wcag2aa, wcag21aa, wcag22aa; wcag21a is added so
// that no level-A rule of WCAG 2.1 falls between them.
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 375, height: 812 },
];
const MAX_NODES = 8;

export async function runAxe(browser, { url, basePath, pages }) {
  const g = gate('axe');
  g.note(`axe-core ${AXE_VERSION}, tags ${TAGS.join(', ')}, widths ${WIDTHS.map((w) => w.width).join(' and ')} px`);
  for (const w of WIDTHS) {
    const context = await browser.newContext({ viewport: { width: w.width, height: w.height }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    let failedLoads = [];
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (r.status() >= 400 && r.request().resourceType() !== 'document' && u.pathname.startsWith(basePath)) {
        failedLoads.push(`${r.status()} ${u.pathname}`);
      }
    });
    page.on('requestfailed', (r) => failedLoads.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
    for (const p of pages) {
      const target = url + (p.rel ?? MISSING_REL);
      const label = `${String(w.width).padStart(4)}px ${p.kind.padEnd(16)} ${new URL(target).pathname}`;
      failedLoads = [];
      const details = [];
      let response;
      try {
        response = await page.goto(target, { waitUntil: 'load' });
      } catch (e) {
        g.fail(label, [`could not load the page: ${e.message.split('\n')[0]}`]);
        continue;
      }
      const want = p.rel === null ? 404 : 200;
      if (response?.status() !== want) details.push(`HTTP status ${response?.status()}, expected ${want}`);
      await page.evaluate(AXE_SOURCE);
      const result = await page.evaluate(
        (tags) =>
          window.axe.run(document, {
            runOnly: { type: 'tag', values: tags },
            resultTypes: ['violations'],
          }),
        TAGS,
      );
      for (const v of result.violations) {
        details.push(`${v.id} (${v.impact}): ${v.help} [${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'}] ${v.helpUrl.split('?')[0]}`);
        for (const n of v.nodes.slice(0, MAX_NODES)) {
          const why = (n.failureSummary ?? '').split('\n').filter((l) => l && !/^Fix (any|all)/.test(l))[0]?.trim();
          const html = n.html.replace(/\s+/g, ' ').trim();
          details.push(`    at ${n.target.join(' ')}${why ? `: ${why}` : ''}`);
          details.push(`       ${html.length > 120 ? html.slice(0, 117) + '...' : html}`);
        }
        if (v.nodes.length > MAX_NODES) details.push(`    ... and ${v.nodes.length - MAX_NODES} more`);
      }
      for (const f of failedLoads) details.push(`a resource of the page did not load: ${f}`);
      if (details.length) g.fail(label, details);
      else g.ok(`${label} (${result.passes.length} rules passed)`);
    }
    await context.close();
  }
  return g.summary('page views checked');
}

if (isMain(import.meta.url)) {
  const { siteDir, basePath } = parseArgs(process.argv, 'node axe.mjs SITE_DIR BASE_PATH');
  const server = await startServer(siteDir, basePath);
  const browser = await launchBrowser();
  let code = 1;
  try {
    code = await runAxe(browser, { url: server.url, basePath, ...choosePages(siteDir) });
  } finally {
    await browser.close();
    await server.close();
  }
  process.exit(code);
}
