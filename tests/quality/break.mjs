// Breaks a scratch copy of a built site on purpose, for selftest.sh.
//   node break.mjs SITE_COPY
// On the first section page of the newest quarter (or the home page), it
// removes the skip link and adds, at the start of <main>: an image without
// alt text, a duplicate id, a broken link, a broken fragment, a link that
// escapes the base path, a link whose focus style is removed, a box wider
// than a phone, a highlight table whose latest figures are off a phone's
// screen and which is no table to a screen reader, and a chart whose text
// is 6 px.
// Prints the page it broke.
import fs from 'node:fs';
import path from 'node:path';
import { choosePages } from './lib.mjs';

const site = path.resolve(process.argv[2] ?? '');
if (!process.argv[2] || !fs.existsSync(path.join(site, 'index.html'))) {
  console.error('usage: node break.mjs SITE_COPY');
  process.exit(2);
}
const { pages } = choosePages(site);
const target = pages.find((p) => p.kind === 'section') ?? pages[0];
const file = path.join(site, target.rel, 'index.html');
let html = fs.readFileSync(file, 'utf8');

const mainAt = html.search(/<main\b/i);
if (mainAt < 0) throw new Error(`${file} has no <main>`);
const head = html.slice(0, mainAt);
const skip = /<a\b[^>]*\bhref\s*=\s*["']?#[^>]*>[\s\S]*?<\/a>/i.exec(head);
if (!skip) throw new Error(`${file} has no skip link (an <a href="#..."> before <main>) to remove`);
html = html.slice(0, skip.index) + html.slice(skip.index + skip[0].length);

const BROKEN = `
<div id="quality-selftest">
  <p id="quality-selftest">This paragraph has the id of the div around it.</p>
  <p><img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" width="24" height="24"></p>
  <p><a href="../quality-selftest-no-such-page/">A link to a page that does not exist</a></p>
  <p><a href="#quality-selftest-no-such-fragment">A link to a fragment that does not exist</a></p>
  <p><a href="/quality-selftest-outside-the-base/">A link that escapes the base path</a></p>
  <p><a href="./" style="outline: none; box-shadow: none; background: none; color: inherit; text-decoration: underline">A link whose focus style is removed</a></p>
  <p style="width: 700px; max-width: none">A paragraph wider than a phone, so the page scrolls sideways.</p>
  <div style="overflow-x: auto"><div style="width: 1000px"><table class="kpis quality-selftest-kpis" role="presentation">
    <caption>A highlight table laid out wider than a phone</caption>
    <thead><tr><th scope="col">Measure</th><th scope="col">How often</th><th scope="col">Latest</th></tr></thead>
    <tbody><tr><th scope="row">Quality selftest measure</th><td>Quarterly</td><td style="padding-left: 600px">42</td></tr></tbody>
  </table></div></div>
  <div id="quality-selftest-tiny-chart"><svg xmlns="http://www.w3.org/2000/svg" width="200" height="20" viewBox="0 0 200 20" role="img" aria-label="A chart with tiny text"><text x="0" y="12" font-size="6">tiny chart text</text></svg></div>
</div>`;
html = html.replace(/(<main\b[^>]*>)/i, `$1${BROKEN}`);
fs.writeFileSync(file, html);
console.log(path.relative(site, file));
